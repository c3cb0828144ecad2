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

/// What the tests check of a lattice's plots, gathered in one pass.
struct Survey {
    /// Fewest and most vertices of a plot.
    vertices: (usize, usize),
    smallest: f64,
    largest: f64,
    /// Plots with a plot (not a road corridor) to their right and above.
    interior: usize,
    /// Boundary segments (rounded to mm), and how many are used by a neighbour in reverse.
    segments: usize,
    shared: usize,
}

fn survey(lattice: &Lattice) -> Survey {
    // How many plots use each (rounded) boundary segment: a segment inside the cadastre is
    // used by exactly two plots, in opposite directions, so neighbours share it exactly.
    let mut segments: HashMap<(Millimetres, Millimetres), i32> = HashMap::new();
    let key = |p: (f64, f64)| ((p.0 * 1000.0).round() as i64, (p.1 * 1000.0).round() as i64);
    let mut out = Survey {
        vertices: (usize::MAX, 0),
        smallest: f64::MAX,
        largest: 0.0,
        interior: 0,
        segments: 0,
        shared: 0,
    };
    for (i, j) in lattice.plot_cells() {
        let ring = lattice.ring(i, j);
        let vertices = ring.len() - 1;
        out.vertices = (out.vertices.0.min(vertices), out.vertices.1.max(vertices));
        let area = planar_area(&ring);
        out.smallest = out.smallest.min(area);
        out.largest = out.largest.max(area);
        for w in ring.windows(2) {
            *segments.entry((key(w[0]), key(w[1]))).or_default() += 1;
        }
        if !Lattice::is_corridor(i + 1, j) && !Lattice::is_corridor(i, j + 1) {
            out.interior += 1;
        }
    }
    out.segments = segments.len();
    out.shared = segments
        .keys()
        .filter(|(a, b)| segments.contains_key(&(*b, *a)))
        .count();
    out
}

#[test]
fn plots_have_4_to_30_vertices_sizes_in_range_and_share_their_edges() {
    let s = survey(&Lattice::new(20_000, 3, Shape::Province));
    assert!(s.vertices.0 >= 4 && s.vertices.1 <= 30, "{:?}", s.vertices);
    assert!(s.interior > 10_000);
    assert!(s.smallest >= 200.0, "smallest plot {} m²", s.smallest);
    assert!(s.largest <= 50_000.0, "largest plot {} m²", s.largest);
    // Near Stara Zagora the plots crowd: the smallest is far smaller than the largest.
    assert!(
        s.largest / s.smallest > 20.0,
        "{}..{}",
        s.smallest,
        s.largest
    );
    assert!(
        s.shared * 10 > s.segments * 8,
        "most segments are shared with a neighbour in reverse ({} of {})",
        s.shared,
        s.segments
    );
}

#[test]
fn the_dense_shape_is_uniform_with_4_to_16_vertices_and_shared_edges() {
    let s = survey(&Lattice::new(20_000, 3, Shape::Dense));
    // 4 corners and 0–3 extra vertices per edge; both ends of the range occur.
    assert_eq!(s.vertices.0, 4);
    assert!((12..=16).contains(&s.vertices.1), "{:?}", s.vertices);
    // 70 m cells, corners moved by at most 10 % of the spacing: 0.8² to 1.2² of 4,900 m².
    assert!(
        s.smallest > 3_000.0 && s.largest < 7_100.0,
        "{}..{}",
        s.smallest,
        s.largest
    );
    assert!(
        s.shared * 10 > s.segments * 8,
        "{} of {}",
        s.shared,
        s.segments
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
