//! Tile encoding time per zoom on the bundled zone data: for each zoom, the tile over the
//! centre of each stage (the busiest tiles: plots, labels, streets, stage outline), encoded
//! from scratch (no cache; gzip not included). Then the same on a dense, uniform synthetic
//! cadastre (`zagore synth --shape dense`, 40,000 plots of about 70 m, written to a
//! temporary folder): the tile over its middle, where every tile is full and the cost per
//! plot decides.
//!
//! ```sh
//! CARGO_TARGET_DIR=... cargo bench --bench tiles
//! ```

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

/// The binary's allocator, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use geo::InteriorPoint;
use zagore::geodata::{Dataset, LayerKind};
use zagore::tiles::coord::lonlat_to_tile;
use zagore::tiles::encode::encode_tile;
use zagore::tiles::{Prepared, TileCoord};
use zagore::zone::Zone;

fn load() -> Zone {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).expect("PROJ");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    Zone::build(Dataset::load(&dir).expect("bundled geodata"))
}

fn encoding(c: &mut Criterion) {
    let data = load();
    let prepared = Prepared::build(&data);
    let stages: Vec<(String, f64, f64)> = data
        .dataset
        .layer(LayerKind::Stages)
        .expect("stages")
        .features
        .iter()
        .filter_map(|s| {
            let p = s.lonlat.interior_point()?;
            Some((s.id.clone(), p.x(), p.y()))
        })
        .collect();
    let mut group = c.benchmark_group("encode_tile");
    for z in [8u8, 10, 12, 13, 14, 15, 16, 17, 18] {
        for (stage, lon, lat) in &stages {
            let (x, y) = lonlat_to_tile(z, *lon, *lat);
            let tile = TileCoord {
                z,
                x: x as u32,
                y: y as u32,
            };
            group.bench_function(format!("z{z}/{stage}"), |b| {
                b.iter(|| encode_tile(black_box(&data), &prepared, black_box(tile), 64))
            });
        }
    }
    group.finish();
    c.bench_function("prepare (shared vertices, plot labels)", |b| {
        b.iter(|| Prepared::build(black_box(&data)))
    });
}

/// The dense synthetic cadastre: 40,000 plots, every z14 tile full (several hundred plots).
fn dense(c: &mut Criterion) {
    use zagore::synth::{generate, Shape, SynthOptions};
    let dir = tempfile::tempdir().expect("temporary folder");
    generate(&SynthOptions {
        plots: 40_000,
        out: dir.path().to_path_buf(),
        seed: 1,
        shape: Shape::Dense,
    })
    .expect("synthetic cadastre");
    zagore::geodata::crs::init_proj(&zagore::Config::default()).expect("PROJ");
    let data = Zone::build(Dataset::load(dir.path()).expect("synthetic cadastre"));
    let prepared = Prepared::build(&data);
    let plots = data.dataset.layer(LayerKind::Plots).expect("plots");
    // The middle of the plots' extent.
    let (mut min, mut max) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
    for plot in &plots.features {
        if let Some(p) = plot.lonlat.interior_point() {
            min = (min.0.min(p.x()), min.1.min(p.y()));
            max = (max.0.max(p.x()), max.1.max(p.y()));
        }
    }
    let (lon, lat) = ((min.0 + max.0) / 2.0, (min.1 + max.1) / 2.0);
    let mut group = c.benchmark_group("encode_dense_tile");
    for z in [12u8, 13, 14, 15, 16, 17, 18] {
        let (x, y) = lonlat_to_tile(z, lon, lat);
        let tile = TileCoord {
            z,
            x: x as u32,
            y: y as u32,
        };
        // Every tile once first, so the label points (found the first time a tile shows a
        // plot) are not part of the measurement.
        encode_tile(&data, &prepared, tile, 64).expect("tile");
        group.bench_function(format!("z{z}"), |b| {
            b.iter(|| encode_tile(black_box(&data), &prepared, black_box(tile), 64))
        });
    }
    group.finish();
}

criterion_group!(benches, encoding, dense);
criterion_main!(benches);
