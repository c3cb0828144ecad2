//! Property tests of what a hostile client sends beyond query strings: `POST /measure`
//! bodies (random JSON shaped like GeoJSON, and random bytes), tile addresses, and
//! `POST /admin/reload` with random headers and queries. Every answer must come within a
//! few seconds, never be a 5xx, and every 4xx must be problem JSON.
//!
//! Cases per property: `PROPTEST_CASES` (default below, sized for `make test`);
//! docs/operations.md gives the command for a longer run.

use crate::common;

use std::time::Duration;

use proptest::prelude::*;
use serde_json::{json, Value};

/// The number of cases for one property: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A number a client might send: ordinary coordinates, edges of the ranges, extremes.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-200.0f64..200.0).prop_map(|v| json!(v)),
        1 => prop_oneof![
            Just(json!(0)), Just(json!(-0.0)), Just(json!(180)), Just(json!(-180.0000001)),
            Just(json!(90)), Just(json!(1e308)), Just(json!(-1e308)), Just(json!(5e-324)),
            Just(json!(u64::MAX)), Just(json!(i64::MIN)),
        ],
        1 => any::<f64>().prop_filter("JSON has no NaN", |v| v.is_finite()).prop_map(|v| json!(v)),
    ]
}

/// Nested arrays of numbers (and the odd wrong thing), as positions, rings and polygons.
fn coordinates() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        8 => number(),
        1 => Just(Value::Null),
        1 => ".{0,6}".prop_map(Value::String),
        1 => Just(json!({})),
    ];
    leaf.prop_recursive(5, 300, 8, |inner| {
        proptest::collection::vec(inner, 0..8).prop_map(Value::Array)
    })
}

fn geometry_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("Point")),
        Just(json!("MultiPoint")),
        Just(json!("LineString")),
        Just(json!("MultiLineString")),
        Just(json!("Polygon")),
        Just(json!("MultiPolygon")),
        Just(json!("GeometryCollection")),
        Just(json!("Feature")),
        Just(json!("polygon")),
        ".{0,12}".prop_map(Value::String),
        Just(json!(7)),
    ]
}

/// A body shaped like a GeoJSON geometry, a Feature around one, or a collection of them.
fn measure_body() -> impl Strategy<Value = Value> {
    let geometry =
        || (geometry_type(), coordinates()).prop_map(|(t, c)| json!({"type": t, "coordinates": c}));
    prop_oneof![
        4 => geometry(),
        1 => geometry().prop_map(|g| json!({"type": "Feature", "properties": {}, "geometry": g})),
        1 => proptest::collection::vec(geometry(), 0..4)
            .prop_map(|gs| json!({"type": "GeometryCollection", "geometries": gs})),
        1 => coordinates(),
    ]
}

/// Sends one request with a deadline; returns (status, content type).
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, String), String> {
    let resp = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .map_err(|_| "no answer within 10 s".to_string())?
        .map_err(|e| format!("connection failed: {e}"))?;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Ok((status, ct))
}

fn check(what: &str, answer: Result<(u16, String), String>) -> Result<(), TestCaseError> {
    let (status, ct) = answer.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    prop_assert!(status < 500, "{} answered {}", what, status);
    if status >= 400 {
        prop_assert_eq!(ct.as_str(), "application/problem+json", "{}", what);
    }
    Ok(())
}

#[test]
fn no_measure_body_gets_a_5xx_or_a_hang() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases(300),
        ..ProptestConfig::default()
    });
    runner
        .run(&measure_body(), |body| {
            let text = body.to_string();
            let request = app
                .client
                .post(app.url("/measure"))
                .header("content-type", "application/json")
                .body(text.clone());
            check(&text, runtime.block_on(send(request)))
        })
        .unwrap();
    // Bytes that are not JSON at all, under any content type.
    let bytes = (
        proptest::collection::vec(any::<u8>(), 0..400),
        prop_oneof![
            Just("application/json"),
            Just("application/geo+json"),
            Just("text/plain"),
            Just("")
        ],
    );
    runner
        .run(&bytes, |(bytes, ct)| {
            let mut request = app.client.post(app.url("/measure")).body(bytes.clone());
            if !ct.is_empty() {
                request = request.header("content-type", ct);
            }
            check(
                &format!("{bytes:?} as {ct}"),
                runtime.block_on(send(request)),
            )
        })
        .unwrap();
}

#[test]
fn no_tile_address_or_admin_request_gets_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app_with(zagore::Config {
        admin_token: Some("fuzz-admin-token-0123456789".to_string()),
        ..common::test_config()
    }));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases(300),
        ..ProptestConfig::default()
    });
    let part = prop_oneof![
        "[0-9]{1,3}",
        "[0-9]{1,25}",
        "-[0-9]{1,4}",
        "[0-9]{1,5}\\.(mvt|pbf|png|json)",
        "0[0-9]{1,4}",
        "[a-z%.]{0,6}",
    ];
    let tile = (part.clone(), part.clone(), part, ".{0,20}");
    runner
        .run(&tile, |(z, x, y, query)| {
            let path = format!("/tiles/{z}/{x}/{y}?{}", urlencode(&query));
            check(
                &path,
                runtime.block_on(send(app.client.get(app.url(&path)))),
            )
        })
        .unwrap();
    let admin = (
        prop_oneof![
            Just("Bearer fuzz-admin-token-0123456789".to_string()),
            "(Bearer|bearer|BEARER|Basic|) ?[ -~]{0,40}",
        ],
        ".{0,20}",
    );
    runner
        .run(&admin, |(auth, query)| {
            let url = app.url(&format!("/admin/reload?{}", urlencode(&query)));
            let request = app.client.post(url).header("authorization", auth.clone());
            check(
                &format!("{auth:?} {query:?}"),
                runtime.block_on(send(request)),
            )
        })
        .unwrap();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'=' | b'&' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
