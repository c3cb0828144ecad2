//! Tile encoding time per zoom on the bundled zone data: for each zoom, the tile over the
//! centre of each stage (the busiest tiles: plots, labels, streets, stage outline), encoded
//! from scratch (no cache; gzip not included).
//!
//! ```sh
//! CARGO_TARGET_DIR=... cargo bench --bench tiles
//! ```

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
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

criterion_group!(benches, encoding);
criterion_main!(benches);
