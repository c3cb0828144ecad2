//! The generalised plots below z14, on a synthetic cadastre with plots down to 200 m²
//! (smaller than a pixel at z12): the slim plots layer carries only status and stage, plots
//! smaller than a pixel are dropped but their density kept as pixel squares, labels go only
//! to plots that can hold one, and the tile stays small.

use crate::common;
use crate::tiles_support;

use std::collections::BTreeMap;

use geo::{CoordsIter, InteriorPoint};
use tiles_support::{decode, Kind};
use zagore::geodata::LayerKind;
use zagore::synth::{generate, SynthOptions};

const PIXEL: f64 = 16.0;

/// A point's world tile units at zoom z (the XYZ formulas).
fn units(z: u8, lon: f64, lat: f64) -> (f64, f64) {
    tiles_support::lonlat_to_units(z, lon, lat)
}

/// Square pixels a plot covers at zoom z: its geodesic area over the Web Mercator ground
/// resolution at its latitude (2πR·cos φ / (256·2^z) metres per pixel).
fn area_px(area_m2: f64, lat: f64, z: u8) -> f64 {
    let metres_per_px = 2.0 * std::f64::consts::PI * 6_378_137.0 * lat.to_radians().cos()
        / (256.0 * 2f64.powi(z.into()));
    area_m2 / (metres_per_px * metres_per_px)
}

#[tokio::test]
async fn below_z14_plots_are_slim_and_sub_pixel_plots_become_density_squares() {
    let dir = tempfile::tempdir().unwrap();
    generate(&SynthOptions {
        plots: 6_000,
        out: dir.path().to_path_buf(),
        seed: 3,
        shape: Default::default(),
    })
    .unwrap();
    let app = common::spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..common::test_config()
    })
    .await;
    let data = app.state.zone();
    let plots = &data.dataset.layer(LayerKind::Plots).unwrap().features;
    let by_id: BTreeMap<u64, &zagore::geodata::Feature> =
        plots.iter().map(|p| (p.numeric_id, p)).collect();

    for z in [12u8, 13] {
        // The busiest tile of the zoom (by where plots' first vertices fall).
        let mut counts: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        for p in plots {
            let c = p.lonlat.coords_iter().next().unwrap();
            let (ux, uy) = units(z, c.x, c.y);
            *counts
                .entry(((ux / 4096.0) as u32, (uy / 4096.0) as u32))
                .or_default() += 1;
        }
        let (&(x, y), &count) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
        assert!(count > 50, "z{z}: a busy tile ({count} plots)");
        let response = app
            .client
            .get(app.url(&format!("/tiles/{z}/{x}/{y}.mvt")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let gzip = response.bytes().await.unwrap();
        assert!(gzip.len() < 500 * 1024, "z{z}: {} bytes", gzip.len());
        let raw = app
            .get(&format!("/tiles/{z}/{x}/{y}.mvt"))
            .await
            .bytes()
            .await
            .unwrap();
        let tile = decode(&raw);
        let drawn = &tile["plots"].features;

        // Only the style's and the filters' fields, with the plot's own values.
        let mut squares = 0;
        for f in drawn {
            let plot = by_id[&f.id.expect("plots keep their feature id")];
            // Exactly the plot's status and stage (synthetic plots belong to no stage).
            let keys: Vec<&str> = f.props.keys().map(String::as_str).collect();
            let expected: Vec<&str> = ["stage", "status"]
                .into_iter()
                .filter(|k| plot.properties.contains_key(k))
                .collect();
            assert_eq!(keys, expected, "z{z}: {}", plot.id);
            assert!(keys.contains(&"status"));
            assert_eq!(f.str("status"), plot.str_prop("status"));
            assert_eq!(f.kind, Kind::Polygon);
            let c = plot.lonlat.coords_iter().next().unwrap();
            if area_px(plot.area_m2.unwrap(), c.y, z) < 1.0 {
                // A sub-pixel plot is only ever drawn as one pixel square.
                assert_eq!(f.parts.len(), 1);
                assert_eq!(
                    tiles_support::area2(&f.parts[0]),
                    2 * (PIXEL * PIXEL) as i64,
                    "z{z}: {} is a pixel square",
                    plot.id
                );
                squares += 1;
            }
        }

        // Plots of two pixels or more whose inside lies in the tile are all drawn; the
        // area of the sub-pixel ones owned by the tile comes back as that many squares.
        let tile_box = |p: (f64, f64)| {
            p.0 >= f64::from(x) * 4096.0
                && p.0 < f64::from(x + 1) * 4096.0
                && p.1 >= f64::from(y) * 4096.0
                && p.1 < f64::from(y + 1) * 4096.0
        };
        let mut sub_pixel_area = 0.0;
        let mut dropped = 0;
        for p in plots {
            let first = p.lonlat.coords_iter().next().unwrap();
            let px = area_px(p.area_m2.unwrap(), first.y, z);
            let inside = p.lonlat.interior_point().unwrap();
            if px >= 2.0 && tile_box(units(z, inside.x(), inside.y())) {
                assert!(
                    drawn.iter().any(|f| f.id == Some(p.numeric_id)),
                    "z{z}: {} ({px:.1} px²) missing",
                    p.id
                );
            }
            if px < 1.0 && tile_box(units(z, first.x, first.y)) {
                sub_pixel_area += px;
                dropped += 1;
            }
        }
        // A pixel is about 800 m² at z12 and 200 m² at z13, the smallest synthetic plot.
        assert!(
            z == 13 || dropped > 10,
            "z{z}: the synthetic plots include sub-pixel ones"
        );
        let expected = sub_pixel_area.floor() as i64;
        assert!(
            (squares - expected).abs() <= 1,
            "z{z}: {squares} squares for {sub_pixel_area:.2} px² of sub-pixel plots"
        );

        // Labels only on plots with room for one.
        if let Some(labels) = tile.get("plot_labels") {
            for f in &labels.features {
                let plot = by_id[&f.id.unwrap()];
                let c = plot.lonlat.coords_iter().next().unwrap();
                let px = area_px(plot.area_m2.unwrap(), c.y, z);
                assert!(px >= 1000.0, "z{z}: label on {} ({px:.0} px²)", plot.id);
            }
        }
    }
}
