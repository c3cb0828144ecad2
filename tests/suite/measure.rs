//! `POST /measure` gives geodesic lengths and areas that agree with pyproj's Geod and PROJ's
//! `geod -I` (tests/data/distance_reference.json); bad bodies are problems, never 500s. And
//! routing respects one-way roads: with a one-way road leading away from the interchange,
//! a point on it is told it has no route, with the reason.

use crate::common;

use common::{bundled_geodata, spawn_app, spawn_app_with};
use serde_json::{json, Value};

fn reference() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/distance_reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn post(app: &common::TestApp, body: impl Into<reqwest::Body>) -> (u16, String, Value) {
    let resp = app
        .client
        .post(app.url("/measure"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    (status, content_type, resp.json().await.unwrap())
}

#[tokio::test]
async fn lengths_and_areas_agree_with_geographiclib() {
    let app = spawn_app().await;
    let m = &reference()["measure"];
    let (status, _, body) = post(&app, m["line"].to_string()).await;
    assert_eq!(status, 200, "{body}");
    let length = body["length_m"].as_f64().unwrap();
    for key in ["line_length_m", "line_length_m_geod_cli"] {
        assert!(
            (length - m[key].as_f64().unwrap()).abs() <= 0.01,
            "{key}: {length}"
        );
    }
    // A feature wrapping a polygon (a plot's ring) works too.
    let feature = json!({"type": "Feature", "properties": {}, "geometry": m["polygon"]});
    let (status, _, body) = post(&app, feature.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let area = body["area_m2"].as_f64().unwrap();
    let expected = m["polygon_area_m2"].as_f64().unwrap();
    assert!((area - expected).abs() <= 0.01, "area {area} vs {expected}");
    assert!((body["area_decares"].as_f64().unwrap() - expected / 1000.0).abs() <= 1e-4);
    let perimeter = body["perimeter_m"].as_f64().unwrap();
    assert!((perimeter - m["polygon_perimeter_m"].as_f64().unwrap()).abs() <= 0.01);
}

#[tokio::test]
async fn bad_bodies_are_problems() {
    let app = spawn_app().await;
    let cases = [
        ("{not json".to_string(), 400),
        (
            json!({"type": "Point", "coordinates": [25.6, 42.4]}).to_string(),
            422,
        ),
        (
            json!({"type": "LineString", "coordinates": [[25.6, 42.4]]}).to_string(),
            422,
        ),
        (
            json!({"type": "LineString", "coordinates": [[25.6, 42.4], [525000.0, 4700000.0]]})
                .to_string(),
            422,
        ),
        (json!({"type": "Banana"}).to_string(), 422),
        (
            json!({"type": "FeatureCollection", "features": []}).to_string(),
            422,
        ),
    ];
    for (body, expected) in cases {
        let (status, content_type, problem) = post(&app, body.clone()).await;
        assert_eq!(status, expected, "{body}: {problem}");
        assert_eq!(content_type, "application/problem+json");
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Bodies over 1 MiB are refused before they are parsed.
    let huge = format!(
        "{{\"type\":\"LineString\",\"coordinates\":[{}[25.6,42.4]]}}",
        "[25.6,42.4],".repeat(100_000)
    );
    let (status, content_type, _) = post(&app, huge).await;
    assert_eq!(status, 413);
    assert_eq!(content_type, "application/problem+json");
}

#[tokio::test]
async fn one_way_roads_are_driven_only_in_their_direction() {
    // I-5 south is drawn from the interchange southwards to a dead end. Made one-way, a
    // point beside it can only drive away from the interchange: no route, with the reason.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(bundled_geodata()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let roads_file = dir.path().join("roads.geojson");
    let mut roads: Value =
        serde_json::from_str(&std::fs::read_to_string(&roads_file).unwrap()).unwrap();
    for feature in roads["features"].as_array_mut().unwrap() {
        if feature["id"] == "i5-south-1" {
            feature["properties"]["oneway"] = json!(true);
        }
    }
    std::fs::write(&roads_file, roads.to_string()).unwrap();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..zagore::Config::default()
    })
    .await;
    let (status, body) = app.get_json("/distances?lon=25.6625&lat=42.336").await;
    assert_eq!(status, 200, "{body}");
    let interchange = &body["interchange"];
    assert_eq!(interchange["road_distance_m"], Value::Null, "{interchange}");
    let reason = interchange["road_reason"].as_str().unwrap();
    assert!(
        reason.contains("not connected to the interchange"),
        "{reason}"
    );
    assert!(interchange["distance_m"].as_f64().unwrap() > 0.0);

    // On the bundled data, where it is two-way, the same point has a route up I-5.
    let app = spawn_app().await;
    let (_, body) = app.get_json("/distances?lon=25.6625&lat=42.336").await;
    assert_eq!(body["interchange"]["roads"][0]["id"], "i5-south-1");
}
