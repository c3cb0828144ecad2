//! `POST /measure` against the inputs that broke it (issue 12): a clockwise ring measured
//! as the rest of the Earth, short positions that panicked inside the GeoJSON conversion,
//! invalid rings measured anyway, negative zeros. Reference values: pyproj's Geod
//! (`tools/measure_reference.py`).

use crate::common;

use common::{spawn_app, TestApp};
use serde_json::{json, Value};

fn reference() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/measure_orientation_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn measure(app: &TestApp, body: Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url("/measure"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn reversed(ring: &Value) -> Value {
    let mut ring = ring.as_array().unwrap().clone();
    ring.reverse();
    Value::Array(ring)
}

#[tokio::test]
async fn a_clockwise_ring_has_the_same_area_as_the_counter_clockwise_one_not_the_earths() {
    let app = spawn_app().await;
    let r = &reference()["triangle"];
    let expected = r["area_m2"].as_f64().unwrap();
    for ring in [r["ring"].clone(), reversed(&r["ring"])] {
        let (status, body) = measure(&app, json!({"type": "Polygon", "coordinates": [ring]})).await;
        assert_eq!(status, 200, "{body}");
        let area = body["area_m2"].as_f64().unwrap();
        assert!(
            (area - expected).abs() < 0.01,
            "{area} m², pyproj {expected} m²"
        );
        let perimeter = body["perimeter_m"].as_f64().unwrap();
        assert!((perimeter - r["perimeter_m"].as_f64().unwrap()).abs() < 0.001);
    }
}

#[tokio::test]
async fn holes_are_subtracted_whichever_way_the_rings_turn() {
    let app = spawn_app().await;
    let r = &reference()["square_with_hole"];
    let expected = r["area_m2"].as_f64().unwrap();
    for (outer, hole) in [
        (r["outer"].clone(), r["hole"].clone()),
        (reversed(&r["outer"]), reversed(&r["hole"])),
        (r["outer"].clone(), reversed(&r["hole"])),
        (reversed(&r["outer"]), r["hole"].clone()),
    ] {
        let polygon = json!({"type": "Polygon", "coordinates": [outer, hole]});
        let (status, body) = measure(&app, polygon.clone()).await;
        assert_eq!(status, 200, "{body}");
        let area = body["area_m2"].as_f64().unwrap();
        assert!(
            (area - expected).abs() < 0.01,
            "{area} m², pyproj {expected} m²"
        );
        // The same as a MultiPolygon of one.
        let multi = json!({"type": "MultiPolygon", "coordinates": [polygon["coordinates"]]});
        let (_, body) = measure(&app, multi).await;
        assert!((body["area_m2"].as_f64().unwrap() - expected).abs() < 0.01);
    }
}

#[tokio::test]
async fn short_positions_are_422_naming_the_position_not_a_dropped_connection() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"type": "LineString", "coordinates": [[0], [1]]}),
            "coordinates[0]",
        ),
        (
            json!({"type": "LineString", "coordinates": [[0, 0], [1]]}),
            "coordinates[1]",
        ),
        (
            json!({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[0], [1]]]}),
            "coordinates[1][0]",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1], [0, 0]]]}),
            "coordinates[0][2]",
        ),
        (
            json!({"type": "MultiPolygon", "coordinates": [[[[0], [1], [2], [0]]]]}),
            "coordinates[0][0][0]",
        ),
        (json!({"type": "MultiPoint", "coordinates": [[0]]}), ""),
        (
            json!({"type": "LineString", "coordinates": [[0, 0, 0, 0], [1, 1]]}),
            "coordinates[0]",
        ),
        (
            json!({"type": "LineString", "coordinates": [["a", 0], [1, 1]]}),
            "coordinates[0]",
        ),
        (
            json!({"type": "LineString", "coordinates": [[181, 0], [1, 1]]}),
            "coordinates[0]",
        ),
        (
            json!({"type": "LineString", "coordinates": [[0, -91], [1, 1]]}),
            "coordinates[0]",
        ),
        (
            json!({"type": "LineString", "coordinates": "no"}),
            "coordinates",
        ),
        (
            json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0], [1]]}}),
            "geometry.coordinates[0]",
        ),
    ];
    for (body, position) in cases {
        let (status, answer) = measure(&app, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        if !position.is_empty() {
            assert_eq!(answer["parameter"], position, "{body}: {answer}");
            assert!(
                answer["detail"].as_str().unwrap().contains(position),
                "{answer}"
            );
        }
    }
    // The service is still there.
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn invalid_geometry_is_422_with_the_reason_never_a_number() {
    let app = spawn_app().await;
    let cases = [
        (
            "bow-tie",
            json!({"type": "Polygon", "coordinates": [[[25.60, 42.40], [25.62, 42.42], [25.62, 42.40], [25.60, 42.42], [25.60, 42.40]]]}),
            "self",
        ),
        (
            "unclosed",
            json!({"type": "Polygon", "coordinates": [[[25.60, 42.40], [25.62, 42.40], [25.62, 42.42], [25.60, 42.42]]]}),
            "not closed",
        ),
        (
            "three-point ring",
            json!({"type": "Polygon", "coordinates": [[[25.60, 42.40], [25.62, 42.40], [25.60, 42.40]]]}),
            "four positions",
        ),
        (
            "two-point ring",
            json!({"type": "Polygon", "coordinates": [[[25.60, 42.40], [25.60, 42.40]]]}),
            "four positions",
        ),
        (
            "one-position ring",
            json!({"type": "Polygon", "coordinates": [[[0, 0]]]}),
            "four positions",
        ),
        (
            "whole world",
            json!({"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]}),
            "180°",
        ),
        (
            "empty polygon",
            json!({"type": "Polygon", "coordinates": []}),
            "empty",
        ),
        (
            "empty multilinestring",
            json!({"type": "MultiLineString", "coordinates": []}),
            "empty",
        ),
        (
            "empty multipolygon",
            json!({"type": "MultiPolygon", "coordinates": []}),
            "empty",
        ),
        (
            "one-point line",
            json!({"type": "LineString", "coordinates": [[25.6, 42.4]]}),
            "two positions",
        ),
        (
            "line on one point",
            json!({"type": "LineString", "coordinates": [[25.6, 42.4], [25.6, 42.4]]}),
            "same point",
        ),
        (
            "hemisphere",
            json!({"type": "Polygon", "coordinates": [[[-170, -80], [170, -80], [170, 80], [-170, 80], [-170, -80]]]}),
            "180°",
        ),
        (
            "huge",
            json!({"type": "Polygon", "coordinates": [[[0, 0], [90, 0], [90, 60], [0, 60], [0, 0]]]}),
            "smaller",
        ),
    ];
    for (name, body, reason) in cases {
        let (status, answer) = measure(&app, body).await;
        assert_eq!(status, 422, "{name}: {answer}");
        let detail = answer["detail"].as_str().unwrap();
        assert!(detail.contains(reason), "{name}: {detail}");
    }
}

#[tokio::test]
async fn no_answer_carries_a_negative_zero() {
    let app = spawn_app().await;
    let line = json!({"type": "LineString", "coordinates": [[25.6, 42.4], [25.6, 42.4], [25.6, 42.4000001]]});
    let resp = app
        .client
        .post(app.url("/measure"))
        .json(&line)
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(!text.contains("-0.0") && !text.contains(":-0"), "{text}");
}
