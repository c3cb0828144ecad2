//! The R*-tree answers bbox and point queries exactly, on the bundled geodata.

use crate::common;

use geo::{Centroid, InteriorPoint};
use zagore::geodata::{Dataset, LayerKind};
use zagore::index::BBox;
use zagore::zone::Zone;

/// The zone snapshot, which holds an R*-tree per layer.
fn dataset() -> Zone {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    Zone::build(Dataset::load(&common::bundled_geodata()).unwrap())
}

#[test]
fn a_point_inside_a_plot_finds_exactly_that_plot() {
    let ds = dataset();
    let plots = ds.layer(LayerKind::Plots).unwrap();
    for (i, plot) in plots.features.iter().enumerate() {
        // The interior point is inside even an L-shaped plot, where the centroid may not be.
        let p = plot.lonlat.interior_point().unwrap();
        let hits = ds
            .spatial_index(LayerKind::Plots)
            .at_point(&plots.features, p.x(), p.y());
        assert_eq!(hits, vec![i], "{} at {p:?}", plot.id);
    }
}

#[test]
fn a_point_outside_every_plot_finds_none() {
    let ds = dataset();
    let plots = ds.layer(LayerKind::Plots).unwrap();
    // Stara Zagora's centre is kilometres from both stages.
    assert!(ds
        .spatial_index(LayerKind::Plots)
        .at_point(&plots.features, 25.6345, 42.4258)
        .is_empty());
}

#[test]
fn a_bbox_around_a_stage_finds_its_plots_and_no_others() {
    let ds = dataset();
    let plots = ds.layer(LayerKind::Plots).unwrap();
    let stages = ds.layer(LayerKind::Stages).unwrap();
    for stage in &stages.features {
        let r = geo::BoundingRect::bounding_rect(&stage.lonlat).unwrap();
        let bbox = BBox::new([r.min().x, r.min().y, r.max().x, r.max().y], true).unwrap();
        let hits = ds
            .spatial_index(LayerKind::Plots)
            .in_bbox(&plots.features, bbox);
        let expected: Vec<usize> = plots
            .features
            .iter()
            .enumerate()
            .filter(|(_, f)| f.stage() == stage.stage())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(hits, expected, "stage {:?}", stage.stage());
    }
}

#[test]
fn a_small_bbox_inside_one_plot_finds_that_plot() {
    let ds = dataset();
    let plots = ds.layer(LayerKind::Plots).unwrap();
    let plot = plots.get("27214.33.1").unwrap();
    let c = plot.lonlat.centroid().unwrap();
    let bbox = BBox::new(
        [c.x() - 1e-5, c.y() - 1e-5, c.x() + 1e-5, c.y() + 1e-5],
        true,
    )
    .unwrap();
    let hits: Vec<&str> = ds
        .spatial_index(LayerKind::Plots)
        .in_bbox(&plots.features, bbox)
        .into_iter()
        .map(|i| plots.features[i].id.as_str())
        .collect();
    assert_eq!(hits, vec!["27214.33.1"]);
}

#[test]
fn lines_and_points_are_indexed_too() {
    let ds = dataset();
    for kind in [LayerKind::Roads, LayerKind::Rail, LayerKind::Poi] {
        let layer = ds.layer(kind).unwrap();
        assert_eq!(ds.spatial_index(kind).len(), layer.features.len(), "{kind}");
        let e = layer.extent.unwrap();
        let all = BBox::new([e.min().x, e.min().y, e.max().x, e.max().y], true).unwrap();
        assert_eq!(
            ds.spatial_index(kind).in_bbox(&layer.features, all).len(),
            layer.features.len(),
            "{kind}"
        );
    }
}
