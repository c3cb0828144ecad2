//! The plot look-ups over HTTP: `/plots/at` (what lies under a click, with the full plot card)
//! and `/plots/search` (by identifier or УПИ label, ranked).

use crate::common;

use std::collections::BTreeSet;

use common::{bundled_geodata, spawn_app, TestApp};
use serde_json::Value;

/// (id, planar centroid in EPSG:7801 → lat, lon by cs2cs), from tools/feature_reference.py.
fn centroids() -> Vec<(String, f64, f64)> {
    include_str!("../data/cs2cs_plot_centroids.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[0].to_string(),
                c[3].parse().unwrap(),
                c[4].parse().unwrap(),
            )
        })
        .collect()
}

fn source_plots() -> Vec<Value> {
    let text = std::fs::read_to_string(bundled_geodata().join("plots.geojson")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

async fn ids_at(app: &TestApp, lon: f64, lat: f64) -> Vec<String> {
    let resp = app.get(&format!("/plots/at?lon={lon}&lat={lat}")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/geo+json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "FeatureCollection");
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_click_returns_the_plot_with_its_full_card() {
    let app = spawn_app().await;
    let plots = source_plots();
    let (_, body) = app.get_json("/plots/at?lon=25.6479&lat=42.3712").await;
    let features = body["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for centroid in centroids() {
        let (id, lat, lon) = centroid;
        let source = plots.iter().find(|p| p["id"] == id.as_str()).unwrap();
        // A concave plot's centroid may fall outside it; the card's inside point may not.
        let (_, item) = app
            .get_json(&format!("/collections/plots/items/{id}"))
            .await;
        let card = &item["properties"];
        let inside = (
            card["inside_lon"].as_f64().unwrap(),
            card["inside_lat"].as_f64().unwrap(),
        );
        let (status, at) = app
            .get_json(&format!("/plots/at?lon={}&lat={}", inside.0, inside.1))
            .await;
        assert_eq!(status, 200);
        let found = at["features"].as_array().unwrap();
        assert_eq!(
            found.len(),
            1,
            "{id}: {} plots at its inside point",
            found.len()
        );
        let f = &found[0];
        assert_eq!(f["id"], id.as_str());
        // The same card as the items (and so as the tiles, which share Data::plot_card).
        assert_eq!(&f["properties"], card);
        // Every source property is on the card unchanged, plus the computed ones.
        for (k, v) in source["properties"].as_object().unwrap() {
            assert_eq!(&card[k], v, "{id}: {k}");
        }
        for k in [
            "cadastral_id",
            "upi",
            "stage",
            "status",
            "zoning",
            "permitted_use",
            "has_power",
            "has_water",
            "has_sewer",
            "has_gas",
            "has_fibre",
        ] {
            assert!(card.get(k).is_some(), "{id}: no {k}");
        }
        // Geodesic area within 0.1 % of the declared (planar cadastral) area, and decares.
        let area = card["area_m2"].as_f64().unwrap();
        let declared = card["declared_area_m2"].as_f64().unwrap();
        assert!(
            (area - declared).abs() / declared < 0.001,
            "{id}: {area} vs {declared}"
        );
        assert!((card["area_decares"].as_f64().unwrap() - area / 1000.0).abs() < 0.051);
        // The centroid is the planar centroid in EPSG:7801, as cs2cs places it (1e-7° ≈ 1 cm).
        assert!(
            (card["centroid_lon"].as_f64().unwrap() - lon).abs() < 1e-7,
            "{id}"
        );
        assert!(
            (card["centroid_lat"].as_f64().unwrap() - lat).abs() < 1e-7,
            "{id}"
        );
    }
}

#[tokio::test]
async fn empty_ground_gives_an_empty_collection_and_shared_boundaries_give_both() {
    let app = spawn_app().await;
    // Stara Zagora centre: no plot.
    assert!(ids_at(&app, 25.6345, 42.4258).await.is_empty());
    // A vertex shared by two plots in the file lies on both.
    let plots = source_plots();
    let mut shared = None;
    'outer: for a in &plots {
        for b in &plots {
            if a["id"] == b["id"] {
                continue;
            }
            for va in a["geometry"]["coordinates"][0].as_array().unwrap() {
                if b["geometry"]["coordinates"][0]
                    .as_array()
                    .unwrap()
                    .contains(va)
                {
                    shared = Some((
                        a["id"].as_str().unwrap().to_string(),
                        b["id"].as_str().unwrap().to_string(),
                        va.clone(),
                    ));
                    break 'outer;
                }
            }
        }
    }
    let (a, b, vertex) = shared.expect("no shared vertex in the data");
    // Its longitude/latitude, as the service serves plot a's vertex.
    let (_, item) = app.get_json(&format!("/collections/plots/items/{a}")).await;
    let (_, item_7801) = app
        .get_json(&format!("/collections/plots/items/{a}?crs=EPSG:7801"))
        .await;
    let ring = item["geometry"]["coordinates"][0].as_array().unwrap();
    let ring_7801 = item_7801["geometry"]["coordinates"][0].as_array().unwrap();
    let k = ring_7801
        .iter()
        .position(|c| c[0] == vertex[1] && c[1] == vertex[0])
        .unwrap();
    let ids = ids_at(
        &app,
        ring[k][0].as_f64().unwrap(),
        ring[k][1].as_f64().unwrap(),
    )
    .await;
    assert!(
        ids.contains(&a) && ids.contains(&b),
        "{ids:?} should hold {a} and {b}"
    );
}

#[tokio::test]
async fn bad_clicks_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, parameter) in [
        ("lat=42.3", "lon"),
        ("lon=25.6", "lat"),
        ("lon=abc&lat=42", "lon"),
        ("lon=25.6&lat=95", "lat"),
        ("lon=200&lat=42", "lon"),
        ("lon=NaN&lat=42", "lon"),
        ("lon=25.6&lat=42.3&zoom=3", "zoom"),
    ] {
        let resp = app.get(&format!("/plots/at?{query}")).await;
        assert_eq!(resp.status(), 400, "{query}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{query}");
    }
}

async fn search(app: &TestApp, q: &str) -> Vec<Value> {
    let resp = app
        .client
        .get(app.url("/plots/search"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{q}");
    let body: Value = resp.json().await.unwrap();
    body["features"].as_array().unwrap().clone()
}

fn ids(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_by_identifier_prefix_and_upi_label() {
    let app = spawn_app().await;
    let plots = source_plots();
    // "27214.33" finds all of region 33, in identifier order (33.1, 33.7, 33.8, 33.37, 33.50).
    let region33: Vec<String> = plots
        .iter()
        .filter_map(|p| p["id"].as_str())
        .filter(|id| id.starts_with("27214.33."))
        .map(String::from)
        .collect();
    assert_eq!(region33.len(), 5);
    let found = ids(&search(&app, "27214.33").await);
    assert_eq!(
        found,
        vec![
            "27214.33.1",
            "27214.33.7",
            "27214.33.8",
            "27214.33.37",
            "27214.33.50"
        ]
    );
    assert_eq!(
        found.iter().collect::<BTreeSet<_>>(),
        region33.iter().collect::<BTreeSet<_>>()
    );
    // An exact identifier comes first, and carries its rank.
    let found = search(&app, "27214.33.1").await;
    assert_eq!(found[0]["id"], "27214.33.1");
    assert_eq!(found[0]["search"]["rank"], 1);
    assert_eq!(found[0]["search"]["matched"], "cadastral_id");
    // A raw prefix: "27214.3" reaches regions 30 and 33.
    let found = ids(&search(&app, "27214.3").await);
    assert_eq!(found.len(), 6);
    // A УПИ label, with or without "УПИ", any case: both plots of УПИ II-33.1, 33.7.
    for q in ["УПИ II-33.1, 33.7, кв. 2", "упи ii-33.1", "II-33.1"] {
        let found = ids(&search(&app, q).await);
        assert_eq!(found, vec!["27214.33.1", "27214.33.7"], "{q}");
    }
    // Nothing matches: an empty collection.
    assert!(search(&app, "99999").await.is_empty());
    // limit, and the card on every result.
    let (_, body) = app.get_json("/plots/search?q=68850&limit=3").await;
    assert_eq!(body["numberMatched"], 11);
    assert_eq!(body["numberReturned"], 3);
    assert!(body["features"][0]["properties"]["area_m2"].is_number());
    for (query, parameter) in [
        ("", "q"),
        ("q=", "q"),
        ("q=%20", "q"),
        ("q=1&limit=0", "limit"),
        ("q=1&sort=id", "sort"),
    ] {
        let resp = app.get(&format!("/plots/search?{query}")).await;
        assert_eq!(resp.status(), 400, "{query}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{query}");
    }
}

/// Regression: "УПИ II" also returned the УПИ III plots (as a prefix, "ii" of "iii").
#[tokio::test]
async fn search_upi_ii_returns_only_upi_ii_plots() {
    let app = spawn_app().await;
    let expected: BTreeSet<String> = source_plots()
        .iter()
        .filter(|p| {
            p["properties"]["upi"]
                .as_str()
                .is_some_and(|u| u.starts_with("УПИ II-"))
        })
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.len() >= 3, "{expected:?}");
    for q in ["УПИ II", "упи ii", "UPI II", "  УПИ   II "] {
        let found = search(&app, q).await;
        let got: BTreeSet<String> = ids(&found).into_iter().collect();
        assert_eq!(got, expected, "{q}");
        for f in &found {
            assert_eq!(f["search"]["match"], "upi_word", "{q}: {f}");
        }
    }
    // "I" is a whole numeral too: not the start of II, III or IV.
    for f in search(&app, "УПИ I").await {
        let upi = f["properties"]["upi"].as_str().unwrap();
        assert!(upi.starts_with("УПИ I-"), "{upi}");
    }
}

/// Regression: "УПИ" alone, which the search box's placeholder suggests, found nothing.
#[tokio::test]
async fn search_upi_alone_lists_every_plot_with_a_label() {
    let app = spawn_app().await;
    let labelled: Vec<String> = source_plots()
        .iter()
        .filter(|p| p["properties"]["upi"].is_string())
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(labelled.len() > 10);
    for q in ["УПИ", "упи", "UPI"] {
        let resp = app
            .client
            .get(app.url("/plots/search"))
            .query(&[("q", q), ("limit", "100")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{q}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["numberMatched"], labelled.len(), "{q}");
        let got: BTreeSet<String> = ids(body["features"].as_array().unwrap())
            .into_iter()
            .collect();
        assert_eq!(got, labelled.iter().cloned().collect(), "{q}");
    }
}
