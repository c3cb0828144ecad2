//! `zagore synth`'s promise that matters to the benchmarks: the folder it writes loads without
//! errors and every plot routes to the interchange. (The generator's own promises are unit
//! tests in src/synth/tests.rs.)

use zagore::geodata::{Dataset, LayerKind};
use zagore::synth::{generate, Shape, SynthOptions};

fn options(dir: &std::path::Path, plots: usize, seed: u64, shape: Shape) -> SynthOptions {
    SynthOptions {
        plots,
        out: dir.to_path_buf(),
        seed,
        shape,
    }
}

#[test]
fn a_small_cadastre_of_either_shape_loads_without_errors_and_routes_every_plot() {
    for shape in [Shape::Province, Shape::Dense] {
        loads_and_routes(shape);
    }
}

fn loads_and_routes(shape: Shape) {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&options(dir.path(), 500, 7, shape)).unwrap();
    assert_eq!(summary.plots, 500);
    let dataset = Dataset::load(dir.path()).unwrap();
    let plots = dataset.layer(LayerKind::Plots).unwrap();
    assert_eq!(plots.features.len(), 500);
    // Declared areas are the planar areas, so no plot is off by more than the 1 % tolerance.
    assert!(dataset
        .warnings
        .iter()
        .all(|w| w.field.as_deref() != Some("declared_area_m2")));
    let network = zagore::zone::RoadNetwork::build(&dataset);
    assert_eq!(network.stats().2, 1, "the roads form one network");
    let table = zagore::zone::DistanceTable::build(&dataset, &network);
    let first = &plots.features[0];
    let row = table.plot(&first.id).unwrap();
    assert!(
        row.distances.route.is_ok(),
        "{shape:?}: {:?}",
        row.distances.route
    );
}
