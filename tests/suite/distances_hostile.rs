//! The distance endpoints against a hostile client and hostile data (issue 12): every
//! parameter is understood or refused, and CSV cells cannot run as spreadsheet formulas.

use crate::common;

use common::{spawn_app, spawn_app_with, test_config};
use serde_json::Value;

#[tokio::test]
async fn unknown_parameters_on_the_distance_endpoints_are_refused_naming_them() {
    let app = spawn_app().await;
    let (_, page) = app.get_json("/collections/plots/items?limit=1").await;
    let id = page["features"][0]["id"].as_str().unwrap().to_string();
    let paths = [
        format!("/plots/{id}/distances?format=csv"),
        "/plots/distances.csv?sep=%3B".to_string(),
        "/plots/distances?limit=5".to_string(),
        "/distances?lon=25.66&lat=42.40&radius=5".to_string(),
    ];
    for path in &paths {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let named = body["parameter"].as_str().unwrap();
        assert!(
            ["format", "sep", "limit", "radius"].contains(&named),
            "{path}: {body}"
        );
    }
    let (status, body) = app
        .get_json("/distances?lon=25.66&lon=25.67&lat=42.40")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "lon", "{body}");
    let resp = app
        .client
        .post(app.url("/measure?precision=9"))
        .json(
            &serde_json::json!({"type": "LineString", "coordinates": [[25.6, 42.4], [25.7, 42.4]]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // Without the unknown ones, each answers.
    assert_eq!(
        app.get(&format!("/plots/{id}/distances")).await.status(),
        200
    );
    assert_eq!(app.get("/plots/distances.csv").await.status(), 200);
}

#[tokio::test]
async fn csv_cells_from_the_data_cannot_run_as_spreadsheet_formulas() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    // Every road name becomes a formula, so the table's `nearest_access_road` carries one.
    let roads = dir.path().join("roads.geojson");
    let text = std::fs::read_to_string(&roads).unwrap();
    std::fs::write(
        &roads,
        // Only the features' names (the CRS member has a "name" too).
        text.replace("\", \"name\": \"", "\", \"name\": \"=HYPERLINK(1)+"),
    )
    .unwrap();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..test_config()
    })
    .await;
    let (_, table) = app.get_json("/plots/distances").await;
    let json_names: Vec<&str> = table["plots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row["nearest_access_road"].as_str())
        .collect();
    assert!(
        json_names.iter().any(|n| n.starts_with('=')),
        "the JSON keeps the data as it is: {json_names:?}"
    );
    let csv = app.get("/plots/distances.csv").await.text().await.unwrap();
    let mut risky_cells = 0;
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula cell {cell:?} in {line}"
            );
            if cell.starts_with("'=") {
                risky_cells += 1;
            }
        }
    }
    assert!(
        risky_cells > 0,
        "no neutralised cell: the test's data did not reach the CSV"
    );
    let _: Value = table;
}
