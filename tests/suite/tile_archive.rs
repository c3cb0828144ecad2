//! `zagore export`: the archive holds the server's own tiles, and a bad request writes
//! nothing. (tests/archive_readers.py reads the archives with independent readers: the
//! `pmtiles` package, sqlite3 and GDAL.)

use std::io::Read;
use std::process::Command;

use zagore::tiles::archive::{export, ExportError, ExportPlan};
use zagore::tiles::LiveTiles;

use crate::common::spawn_app;

fn plan(min_zoom: u8, max_zoom: u8) -> ExportPlan {
    ExportPlan {
        min_zoom,
        max_zoom,
        bbox: None,
    }
}

#[tokio::test]
async fn an_mbtiles_export_holds_exactly_the_tiles_the_server_sends() {
    let app = spawn_app().await;
    let config = app.state.config().clone();
    let source = LiveTiles::new(app.state.zone(), config.tile_buffer, config.max_zoom);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zone.mbtiles");
    let path = out.clone();
    let summary =
        tokio::task::spawn_blocking(move || export(&source, &plan(10, 15), &path, &mut |_| {}))
            .await
            .unwrap()
            .unwrap();
    assert!(summary.tiles() > 100, "{summary:?}");

    let db = rusqlite::Connection::open(&out).unwrap();
    let rows: Vec<(u8, u32, u32, Vec<u8>)> = db
        .prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), summary.tiles());
    for (z, x, tms_row, gzipped) in rows {
        let y = (1u32 << z) - 1 - tms_row;
        let mut stored = Vec::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_end(&mut stored)
            .unwrap();
        let served = app
            .client
            .get(app.url(&format!("/tiles/{z}/{x}/{y}.mvt")))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{z}/{x}/{y}");
        assert_eq!(served.bytes().await.unwrap(), stored, "{z}/{x}/{y}");
    }
    let format: String = db
        .query_row(
            "SELECT value FROM metadata WHERE name = 'format'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(format, "pbf");
    let json: String = db
        .query_row("SELECT value FROM metadata WHERE name = 'json'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let layers: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = layers["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert!(ids.contains(&"plots") && ids.contains(&"roads"), "{ids:?}");
}

#[tokio::test]
async fn a_bad_name_zoom_range_or_box_is_refused_and_leaves_no_file() {
    let app = spawn_app().await;
    let source = LiveTiles::new(app.state.zone(), 64, 22);
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, ExportPlan, &str)> = vec![
        ("zone.zip", plan(0, 10), "zone.zip"),
        ("zone.pmtiles", plan(12, 10), "12..=10"),
        ("zone.pmtiles", plan(0, 25), "above z20"),
        (
            "zone.mbtiles",
            ExportPlan {
                bbox: Some(zagore::index::BBox::parse("10,10,11,11", true).unwrap()),
                ..plan(0, 10)
            },
            "no extent",
        ),
    ];
    for (name, plan, expected) in cases {
        let out = dir.path().join(name);
        let err: ExportError = export(&source, &plan, &out, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains(expected), "{name}: {err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{name}: {left:?}");
    }
}

#[test]
fn the_command_writes_a_pmtiles_v3_archive_and_logs_each_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zone.pmtiles");
    let run = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["export", "--max-zoom", "13", "--out"])
        .arg(&out)
        .arg("--data")
        .arg(crate::common::bundled_geodata())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..7], b"PMTiles");
    assert_eq!(bytes[7], 3, "spec version 3");
    // Not a terminal here: a progress line per zoom in the log instead of a bar.
    for zoom in 0..=13 {
        assert!(
            stderr.contains(&format!("zoom={zoom} ")),
            "no progress line for z{zoom}: {stderr}"
        );
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("tiles (z0–z13)"), "{stdout}");

    let refused = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["export", "--out", "zone.tar", "--data"])
        .arg(crate::common::bundled_geodata())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("zone.tar") && stderr.contains(".pmtiles"),
        "{stderr}"
    );
}
