//! The service starts on the bundled geodata and answers `/health`; `zagore check` reports
//! both stages with their areas and exits 0 on good data, non-zero on bad data.

use crate::common;

use std::process::Command;

use common::spawn_app;

#[tokio::test]
async fn health_reports_version_counts_and_load_time() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["data_version"].as_str().unwrap().len(), 16);
    assert_eq!(body["layers"]["plots"], 18);
    for layer in ["stages", "roads", "rail", "poi"] {
        assert!(body["layers"][layer].as_u64().unwrap() > 0, "{layer} empty");
    }
    let loaded = body["loaded_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(loaded, &time::format_description::well_known::Rfc3339).is_ok(),
        "{loaded}"
    );
}

#[tokio::test]
async fn unknown_routes_get_a_json_problem() {
    let app = spawn_app().await;
    let resp = app.get("/no/such/thing").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert!(body["detail"].as_str().unwrap().contains("/no/such/thing"));
}

#[test]
fn check_reports_both_stages_and_exits_zero() {
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["check", "geodata"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("0 error(s), 0 warning(s)"), "{text}");
    assert!(
        text.contains("source CRS: EPSG:7801 (BGS2005 / CCS2005), from the file's crs member"),
        "{text}"
    );
    assert!(text.contains("axis order: easting, northing"), "{text}");
    // The stage lines give the geodesic area next to the declared totals of the zone profile.
    let stage1 = text
        .lines()
        .find(|l| l.contains("stage 1:"))
        .expect("no stage 1 line");
    assert!(
        stage1.contains("11 plots") && stage1.contains("declared 115 454 m²"),
        "{stage1}"
    );
    let stage2 = text
        .lines()
        .find(|l| l.contains("stage 2:"))
        .expect("no stage 2 line");
    assert!(
        stage2.contains("7 plots") && stage2.contains("declared 423 639 m²"),
        "{stage2}"
    );
}

#[test]
fn check_json_gives_stage_areas_within_a_percent_of_the_profile() {
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["check", "--json", "geodata"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stages = body["stages"].as_array().unwrap();
    let computed = |i: usize| stages[i]["computed_m2"].as_f64().unwrap();
    assert!(
        (computed(0) - 115_454.0).abs() / 115_454.0 < 0.01,
        "{}",
        computed(0)
    );
    assert!(
        (computed(1) - 423_639.0).abs() / 423_639.0 < 0.01,
        "{}",
        computed(1)
    );
}

#[test]
fn check_exits_non_zero_on_bad_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plots.geojson"), "{ not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("plots.geojson:1: not JSON"), "{text}");
}

#[test]
fn a_missing_proj_database_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .arg("--proj-data")
        .arg(empty.path())
        .args(["check", "geodata"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("proj.db"), "{err}");
    assert!(err.contains(&empty.path().display().to_string()), "{err}");
    assert!(err.contains("PROJ_DATA"), "{err}");
}

/// Long work shows progress: off a terminal, reading a folder logs a line as each layer
/// starts (file and size) and as it ends (features read, or "not read").
#[test]
fn check_logs_each_layer_as_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["plots.geojson", "roads.geojson", "manifest.toml"] {
        std::fs::copy(common::bundled_geodata().join(file), dir.path().join(file)).unwrap();
    }
    // The bundled manifest names every layer: keep only the two copied.
    std::fs::write(
        dir.path().join("manifest.toml"),
        "[layers.plots]\nfile = \"plots.geojson\"\n[layers.roads]\nfile = \"roads.geojson\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    for (layer, features) in [("plots", "18"), ("roads", "15")] {
        assert!(
            log.contains(&format!("reading layer layer=\"{layer}\"")),
            "{layer}: {log}"
        );
        assert!(
            log.contains(&format!("layer read layer={layer} features={features} ")),
            "{layer}: {log}"
        );
    }
    // A layer without its file is said to be not read, not left hanging.
    assert!(log.contains("layer read layer=stages seconds="), "{log}");
}
