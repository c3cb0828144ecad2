//! The generator's promises: the folder loads without errors, holds exactly N plots whose
//! neighbours share vertices, with sizes in range, and the same seed gives the same bytes.

use std::collections::HashMap;

use super::lattice::{planar_area, Lattice, Shape};
use super::{generate, SynthOptions};

fn options(dir: &std::path::Path, plots: usize, seed: u64) -> SynthOptions {
    SynthOptions {
        plots,
        out: dir.to_path_buf(),
        seed,
        shape: Shape::Province,
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_shapes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    generate(&options(a.path(), 300, 1)).unwrap();
    generate(&options(b.path(), 300, 1)).unwrap();
    generate(&options(c.path(), 300, 2)).unwrap();
    for file in [
        "plots.geojson",
        "roads.geojson",
        "poi.geojson",
        "manifest.toml",
    ] {
        let read = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file}");
    }
    let plots = |d: &tempfile::TempDir| std::fs::read(d.path().join("plots.geojson")).unwrap();
    assert_ne!(plots(&a), plots(&c));
}

/// A vertex rounded to millimetres, as written.
type Millimetres = (i64, i64);

#[test]
fn plots_have_4_to_30_vertices_sizes_in_range_and_share_their_edges() {
    let lattice = Lattice::new(20_000, 3, Shape::Province);
    // How many plots use each (rounded) boundary segment: a segment inside the cadastre is
    // used by exactly two plots, in opposite directions, so neighbours share it exactly.
    let mut segments: HashMap<(Millimetres, Millimetres), i32> = HashMap::new();
    let key = |p: (f64, f64)| ((p.0 * 1000.0).round() as i64, (p.1 * 1000.0).round() as i64);
    let mut smallest = f64::MAX;
    let mut largest = 0.0f64;
    let mut interior = 0;
    for (i, j) in lattice.plot_cells() {
        let ring = lattice.ring(i, j);
        let vertices = ring.len() - 1;
        assert!((4..=30).contains(&vertices), "{vertices} vertices");
        let area = planar_area(&ring);
        smallest = smallest.min(area);
        largest = largest.max(area);
        for w in ring.windows(2) {
            *segments.entry((key(w[0]), key(w[1]))).or_default() += 1;
        }
        if !Lattice::is_corridor(i + 1, j) && !Lattice::is_corridor(i, j + 1) {
            interior += 1;
        }
    }
    assert!(interior > 10_000);
    assert!(smallest >= 200.0, "smallest plot {smallest} m²");
    assert!(largest <= 50_000.0, "largest plot {largest} m²");
    // Near Stara Zagora the plots crowd: the smallest is far smaller than the largest.
    assert!(largest / smallest > 20.0, "{smallest}..{largest}");
    let shared = segments
        .iter()
        .filter(|((a, b), _)| segments.contains_key(&(*b, *a)))
        .count();
    assert!(
        shared * 10 > segments.len() * 8,
        "most segments are shared with a neighbour in reverse ({shared} of {})",
        segments.len()
    );
}

#[test]
fn the_dense_shape_is_uniform_with_4_to_16_vertices_and_shared_edges() {
    let lattice = Lattice::new(20_000, 3, Shape::Dense);
    let mut segments: HashMap<(Millimetres, Millimetres), i32> = HashMap::new();
    let key = |p: (f64, f64)| ((p.0 * 1000.0).round() as i64, (p.1 * 1000.0).round() as i64);
    let (mut smallest, mut largest) = (f64::MAX, 0.0f64);
    let mut vertex_counts = std::collections::BTreeSet::new();
    for (i, j) in lattice.plot_cells() {
        let ring = lattice.ring(i, j);
        let vertices = ring.len() - 1;
        assert!((4..=16).contains(&vertices), "{vertices} vertices");
        vertex_counts.insert(vertices);
        let area = planar_area(&ring);
        smallest = smallest.min(area);
        largest = largest.max(area);
        for w in ring.windows(2) {
            *segments.entry((key(w[0]), key(w[1]))).or_default() += 1;
        }
    }
    // 70 m cells, corners moved by at most 10 % of the spacing: 0.8² to 1.2² of 4,900 m².
    assert!(
        smallest > 3_000.0 && largest < 7_100.0,
        "{smallest}..{largest}"
    );
    assert!(vertex_counts.contains(&4) && vertex_counts.iter().any(|&n| n >= 12));
    let shared = segments
        .iter()
        .filter(|((a, b), _)| segments.contains_key(&(*b, *a)))
        .count();
    assert!(
        shared * 10 > segments.len() * 8,
        "{shared} of {}",
        segments.len()
    );
}

/// Regression: the dense shape first gave every block to Stara Zagora, whose region numbers
/// ran past 9,999 at a million plots (malformed identifiers).
#[test]
fn a_million_dense_plots_keep_every_region_number_within_four_digits() {
    let lattice = Lattice::new(1_000_000, 1, Shape::Dense);
    let mut towns = std::collections::BTreeSet::new();
    for by in 0..lattice.blocks_y {
        for bx in 0..lattice.blocks_x {
            let (town, region) = lattice.region(bx * 12 + 1, by * 8 + 1);
            assert!((1..=9999).contains(&region), "block {bx},{by}: {region}");
            towns.insert(town);
        }
    }
    assert!(towns.len() > 1, "{towns:?}");
}
