//! Drive time to the A1 interchange (issue 16): the road route's time from each road's
//! `maxspeed_kmh` (or its class's default), in the distances answer and on the plot card.

use crate::common;

use std::collections::HashMap;

use common::spawn_app;
use serde_json::Value;

/// Each road's speed limit as the bundled roads file states it, read without the service.
fn speeds_in_the_data() -> HashMap<String, f64> {
    let text = std::fs::read_to_string(common::bundled_geodata().join("roads.geojson")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            Some((
                f["id"].as_str()?.to_string(),
                f["properties"]["maxspeed_kmh"].as_f64()?,
            ))
        })
        .collect()
}

#[tokio::test]
async fn the_drive_time_to_the_interchange_follows_each_roads_speed_limit() {
    let app = spawn_app().await;
    let speeds = speeds_in_the_data();
    let (_, page) = app.get_json("/collections/plots/items?limit=100").await;
    let mut checked = 0;
    for plot in page["features"].as_array().unwrap() {
        let id = plot["id"].as_str().unwrap();
        let (status, body) = app.get_json(&format!("/plots/{id}/distances")).await;
        assert_eq!(status, 200, "{id}");
        let interchange = &body["interchange"];
        let Some(drive) = interchange["drive_time_s"].as_f64() else {
            assert!(
                interchange["road_reason"].is_string(),
                "{id}: {interchange}"
            );
            continue;
        };
        let mut expected = interchange["access"]["distance_m"].as_f64().unwrap() / (20.0 / 3.6);
        for road in interchange["roads"].as_array().unwrap() {
            let id = road["id"].as_str().unwrap();
            let speed = speeds
                .get(id)
                .copied()
                .unwrap_or_else(|| panic!("road {id} has no speed in the data"));
            assert_eq!(road["speed_kmh"].as_f64(), Some(speed), "{id}");
            expected += road["length_m"].as_f64().unwrap() / (speed / 3.6);
        }
        assert!(
            (drive - expected).abs() < 0.2,
            "{id}: {drive} s, expected {expected} s"
        );
        // Minutes on the plot's card, rounded to 0.1 min.
        let (_, card) = app
            .get_json(&format!("/collections/plots/items/{id}"))
            .await;
        let minutes = card["properties"]["interchange_drive_min"]
            .as_f64()
            .unwrap();
        assert!(
            (minutes - drive / 60.0).abs() <= 0.051,
            "{id}: {minutes} min vs {drive} s"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} plots had a route");
}

#[tokio::test]
async fn a_point_gets_a_drive_time_too() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/distances?lon=25.6605&lat=42.3975").await;
    assert_eq!(status, 200, "{body}");
    let interchange = &body["interchange"];
    let drive = interchange["drive_time_s"].as_f64();
    let road = interchange["road_distance_m"].as_f64();
    if let (Some(drive), Some(road)) = (drive, road) {
        // Never faster than the motorway's 140 km/h over the whole way, never slower than 20.
        assert!(
            drive >= road / (140.0 / 3.6) && drive <= road / (20.0 / 3.6),
            "{drive} s for {road} m"
        );
    } else {
        panic!("a point beside the ring road has no route: {body}");
    }
}
