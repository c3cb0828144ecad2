//! OGC API – Features Part 3 filtering over HTTP: `filter` in CQL2 text and JSON, every
//! operator, spatial literals in CRS84 and EPSG:7801, a filter with bbox and paging, the
//! register's fields, every collection, and hostile filters (400 naming the parameter, never
//! 5xx). Every expected selection is computed here from the API's own GeoJSON (properties
//! read by this test, geometries by the geojson and geo crates), never hard-coded.

use crate::common;
use crate::register::{add_user, item, patch, FAR_PLOT, PLOT};

use std::collections::BTreeSet;

use common::{spawn_app, TestApp};
use geo::{Intersects, Relate};
use serde_json::{json, Value};
use zagore::register::Role;

/// Every feature of a collection (one page), with `extra` query parameters.
async fn all(app: &TestApp, collection: &str, extra: &str) -> Vec<Value> {
    let path = format!("/collections/{collection}/items?limit=10000{extra}");
    let (status, page) = app.get_json(&path).await;
    assert_eq!(status, 200, "{path}: {page}");
    page["features"].as_array().unwrap().clone()
}

fn ids_of(features: &[Value]) -> BTreeSet<String> {
    features
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids a filter selects (`extra`: more parameters, already encoded).
async fn selected(app: &TestApp, collection: &str, filter: &str, extra: &str) -> BTreeSet<String> {
    ids_of(
        &all(
            app,
            collection,
            &format!("&filter={}{extra}", common::urlencode(filter)),
        )
        .await,
    )
}

/// The ids of the features whose properties satisfy `keep`.
fn expected(features: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    features
        .iter()
        .filter(|f| keep(&f["properties"]))
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

fn num(p: &Value, k: &str) -> Option<f64> {
    p[k].as_f64()
}

fn text<'a>(p: &'a Value, k: &str) -> Option<&'a str> {
    p[k].as_str()
}

type Keep = Box<dyn Fn(&Value) -> bool>;

/// Each operator of Basic CQL2 and the advanced comparisons, in CQL2 text, with what it must
/// select (three-valued: a comparison with a null value selects nothing, even under NOT).
fn operator_cases() -> Vec<(&'static str, Keep)> {
    vec![
        ("stage = 2", Box::new(|p| num(p, "stage") == Some(2.0))),
        (
            "stage <> 2",
            Box::new(|p| num(p, "stage").is_some_and(|s| s != 2.0)),
        ),
        (
            "declared_area_m2 < 10000",
            Box::new(|p| num(p, "declared_area_m2").is_some_and(|a| a < 10000.0)),
        ),
        (
            "declared_area_m2 <= 10238",
            Box::new(|p| num(p, "declared_area_m2").is_some_and(|a| a <= 10238.0)),
        ),
        (
            "area_m2 > 20000",
            Box::new(|p| num(p, "area_m2").is_some_and(|a| a > 20000.0)),
        ),
        (
            "area_m2 >= 14000",
            Box::new(|p| num(p, "area_m2").is_some_and(|a| a >= 14000.0)),
        ),
        (
            "status = 'available' OR status = 'reserved'",
            Box::new(|p| matches!(text(p, "status"), Some("available" | "reserved"))),
        ),
        (
            "NOT status = 'sold'",
            Box::new(|p| text(p, "status").is_some_and(|s| s != "sold")),
        ),
        (
            "cadastral_id LIKE '27214.33.%'",
            Box::new(|p| text(p, "cadastral_id").is_some_and(|s| s.starts_with("27214.33."))),
        ),
        (
            "cadastral_id LIKE '68850.520.10_'",
            Box::new(|p| {
                text(p, "cadastral_id").is_some_and(|s| {
                    s.starts_with("68850.520.10") && s.chars().count() == "68850.520.10".len() + 1
                })
            }),
        ),
        (
            "upi LIKE 'УПИ I-%'",
            Box::new(|p| text(p, "upi").is_some_and(|s| s.starts_with("УПИ I-"))),
        ),
        (
            "cadastral_id NOT LIKE '68850%'",
            Box::new(|p| text(p, "cadastral_id").is_some_and(|s| !s.starts_with("68850"))),
        ),
        (
            "status IN ('sold', 'reserved')",
            Box::new(|p| matches!(text(p, "status"), Some("sold" | "reserved"))),
        ),
        (
            "status NOT IN ('sold', 'reserved')",
            Box::new(|p| text(p, "status").is_some_and(|s| s != "sold" && s != "reserved")),
        ),
        (
            "declared_area_m2 BETWEEN 9000 AND 15000",
            Box::new(|p| {
                num(p, "declared_area_m2").is_some_and(|a| (9000.0..=15000.0).contains(&a))
            }),
        ),
        (
            "declared_area_m2 NOT BETWEEN 9000 AND 15000",
            Box::new(|p| {
                num(p, "declared_area_m2").is_some_and(|a| !(9000.0..=15000.0).contains(&a))
            }),
        ),
        // Unknown stays unknown under NOT: plots without a price are not selected.
        (
            "NOT price_eur_m2 > 35",
            Box::new(|p| num(p, "price_eur_m2").is_some_and(|v| v <= 35.0)),
        ),
        (
            "NOT (price_eur_m2 > 35 AND stage = 1)",
            Box::new(|p| match num(p, "price_eur_m2") {
                Some(v) => !(v > 35.0 && num(p, "stage") == Some(1.0)),
                // unknown AND false is false, so NOT gives true; unknown AND true stays unknown.
                None => num(p, "stage") != Some(1.0),
            }),
        ),
        (
            "price_eur_m2 IS NULL",
            Box::new(|p| p["price_eur_m2"].is_null()),
        ),
        (
            "price_eur_m2 IS NOT NULL",
            Box::new(|p| !p["price_eur_m2"].is_null()),
        ),
        (
            "station_m < interchange_road_m",
            Box::new(
                |p| match (num(p, "station_m"), num(p, "interchange_road_m")) {
                    (Some(a), Some(d)) => a < d,
                    _ => false,
                },
            ),
        ),
        (
            "area_m2 > 20000 AND status = 'available' AND interchange_road_m < 5000",
            Box::new(|p| {
                num(p, "area_m2").is_some_and(|a| a > 20000.0)
                    && text(p, "status") == Some("available")
                    && num(p, "interchange_road_m").is_some_and(|d| d < 5000.0)
            }),
        ),
        (
            "(stage = 1 OR area_m2 > 50000) AND NOT (status = 'sold')",
            Box::new(|p| {
                (num(p, "stage") == Some(1.0) || num(p, "area_m2").is_some_and(|a| a > 50000.0))
                    && text(p, "status").is_some_and(|s| s != "sold")
            }),
        ),
        (
            "has_power = false OR declared_area_m2 < 9000",
            Box::new(|p| {
                p["has_power"] == false || num(p, "declared_area_m2").is_some_and(|a| a < 9000.0)
            }),
        ),
    ]
}

/// Gives two plots a price in the register (the bundled data has none), as the staff would.
async fn price_two_plots(app: &TestApp) {
    let token = add_user(app, "ana", Role::Editor);
    for (id, price) in [(PLOT, 41.5), (FAR_PLOT, 30.0)] {
        let (_, etag) = item(app, id).await;
        let body = json!({"price_eur_m2": price});
        let resp = patch(app, Some(&token), id, Some(&etag), &body).await;
        assert_eq!(resp.status(), 200, "{id}");
    }
}

#[tokio::test]
async fn every_operator_selects_what_the_plots_properties_say() {
    let app = spawn_app().await;
    price_two_plots(&app).await;
    let plots = all(&app, "plots", "").await;
    let mut trivial = Vec::new();
    for (filter, keep) in operator_cases() {
        let want = expected(&plots, keep);
        let got = selected(&app, "plots", filter, "").await;
        assert_eq!(got, want, "filter={filter}");
        if want.is_empty() || want.len() == plots.len() {
            trivial.push(filter);
        }
    }
    // The cases discriminate: each selects some plots and leaves others.
    assert!(
        trivial.is_empty(),
        "these select all plots or none: {trivial:?}"
    );
}

#[tokio::test]
async fn text_and_json_forms_agree() {
    let app = spawn_app().await;
    price_two_plots(&app).await;
    let plots = all(&app, "plots", "").await;
    let stage2 = [25.640, 42.360, 25.660, 42.380];
    let pairs = [
        (
            "area_m2 > 20000 AND status = 'available' AND interchange_road_m < 5000".to_string(),
            json!({"op": "and", "args": [
                {"op": ">", "args": [{"property": "area_m2"}, 20000]},
                {"op": "=", "args": [{"property": "status"}, "available"]},
                {"op": "<", "args": [{"property": "interchange_road_m"}, 5000]}]}),
        ),
        (
            "cadastral_id LIKE '27214.33.%'".to_string(),
            json!({"op": "like", "args": [{"property": "cadastral_id"}, "27214.33.%"]}),
        ),
        (
            "status IN ('sold', 'reserved')".to_string(),
            json!({"op": "in", "args": [{"property": "status"}, ["sold", "reserved"]]}),
        ),
        (
            "declared_area_m2 BETWEEN 9000 AND 15000".to_string(),
            json!({"op": "between", "args": [{"property": "declared_area_m2"}, 9000, 15000]}),
        ),
        (
            "price_eur_m2 IS NULL".to_string(),
            json!({"op": "isNull", "args": [{"property": "price_eur_m2"}]}),
        ),
        (
            "NOT (status = 'sold') AND has_power = true".to_string(),
            json!({"op": "and", "args": [
                {"op": "not", "args": [{"op": "=", "args": [{"property": "status"}, "sold"]}]},
                {"op": "=", "args": [{"property": "has_power"}, true]}]}),
        ),
        (
            format!(
                "S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))",
                stage2[0], stage2[1], stage2[2], stage2[3]
            ),
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": stage2}]}),
        ),
        (
            format!(
                "S_WITHIN(geometry, POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s})))",
                w = stage2[0],
                s = stage2[1],
                e = stage2[2],
                n = stage2[3]
            ),
            json!({"op": "s_within", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[
                [stage2[0], stage2[1]], [stage2[2], stage2[1]], [stage2[2], stage2[3]],
                [stage2[0], stage2[3]], [stage2[0], stage2[1]]]]}]}),
        ),
    ];
    for (text, json) in pairs {
        let from_text = selected(&app, "plots", &text, "").await;
        let from_json = selected(&app, "plots", &json.to_string(), "&filter-lang=cql2-json").await;
        assert_eq!(from_text, from_json, "{text} vs {json}");
        // And explicitly naming the text language changes nothing.
        let named = selected(&app, "plots", &text, "&filter-lang=cql2-text").await;
        assert_eq!(named, from_text, "{text}");
        assert!(from_text.len() < plots.len(), "{text} selects every plot");
    }
}

/// QGIS's OAPIF provider writes CQL2 text with double-quoted identifiers, a parenthesis round
/// each comparison and `filter-lang` spelled out.
#[tokio::test]
async fn quoted_identifiers_as_qgis_writes_them() {
    let app = spawn_app().await;
    let plots = all(&app, "plots", "").await;
    let filter =
        r#"("status" = 'available') AND ("declared_area_m2" > 20000) AND ("stage" IN (1, 2))"#;
    let want = expected(&plots, |p| {
        text(p, "status") == Some("available")
            && num(p, "declared_area_m2").is_some_and(|a| a > 20000.0)
    });
    assert!(!want.is_empty() && want.len() < plots.len());
    let got = selected(&app, "plots", filter, "&filter-lang=cql2-text").await;
    assert_eq!(got, want);
}

/// A feature's geometry as geo reads it from the API's GeoJSON.
fn geometry(feature: &Value) -> geo::Geometry<f64> {
    let g: geojson::Geometry = serde_json::from_value(feature["geometry"].clone()).unwrap();
    geo::Geometry::try_from(g).unwrap()
}

/// The first vertex of a polygon feature, as the API wrote it (in its CRS's axis order).
fn first_vertex(feature: &Value) -> (f64, f64) {
    let c = &feature["geometry"]["coordinates"];
    let v = if feature["geometry"]["type"] == "MultiPolygon" {
        &c[0][0][0]
    } else {
        &c[0][0]
    };
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

const EPSG_7801: &str = "http://www.opengis.net/def/crs/EPSG/0/7801";

#[tokio::test]
async fn spatial_literals_in_crs84_and_epsg_7801_select_the_same_plots() {
    let app = spawn_app().await;
    let lonlat = all(&app, "plots", "").await;
    let northing_first = all(
        &app,
        "plots",
        &format!("&crs={}", common::urlencode(EPSG_7801)),
    )
    .await;
    assert_eq!(ids_of(&lonlat), ids_of(&northing_first));
    let n = lonlat.len();
    // Polygons through plot vertices, the same points in both CRSs (a vertex is picked by
    // its place: plot, ring 0, index). A triangle through three plots' first vertices, and
    // the quadrilateral through Stage 2's westmost, southmost, eastmost and northmost
    // vertices, which holds Stage 2's plots and nothing of Stage 1.
    let vertex = |features: &[Value], (i, j): (usize, usize)| -> (f64, f64) {
        let g = &features[i]["geometry"];
        let ring = if g["type"] == "MultiPolygon" {
            &g["coordinates"][0][0]
        } else {
            &g["coordinates"][0]
        };
        (ring[j][0].as_f64().unwrap(), ring[j][1].as_f64().unwrap())
    };
    let triangle: Vec<(usize, usize)> = vec![(0, 0), (n / 2, 0), (n - 1, 0)];
    let stage2: BTreeSet<String> =
        ids_of(&all(&app, "plots", "&bbox=25.640,42.360,25.660,42.380").await);
    let mut places = Vec::new();
    for (i, f) in lonlat.iter().enumerate() {
        if !stage2.contains(f["id"].as_str().unwrap()) {
            continue;
        }
        let g = &f["geometry"];
        let ring = if g["type"] == "MultiPolygon" {
            &g["coordinates"][0][0]
        } else {
            &g["coordinates"][0]
        };
        places.extend((0..ring.as_array().unwrap().len()).map(|j| (i, j)));
    }
    let extreme = |key: &dyn Fn((f64, f64)) -> f64| {
        *places
            .iter()
            .max_by(|a, b| key(vertex(&lonlat, **a)).total_cmp(&key(vertex(&lonlat, **b))))
            .unwrap()
    };
    let quadrilateral = vec![
        extreme(&|(lon, _)| -lon),
        extreme(&|(_, lat)| -lat),
        extreme(&|(lon, _)| lon),
        extreme(&|(_, lat)| lat),
    ];
    let crs84 = format!(
        "&filter-crs={}",
        common::urlencode("http://www.opengis.net/def/crs/OGC/1.3/CRS84")
    );
    let cadastral = format!("&filter-crs={}", common::urlencode(EPSG_7801));
    for (function, corners, scale) in [
        ("S_INTERSECTS", &triangle, 1.0),
        ("S_WITHIN", &quadrilateral, 1.05),
    ] {
        // The quadrilateral is enlarged by 5% about its centre, in each CRS's own coordinates,
        // so that no vertex lies on its outline (where "within" would hang on rounding).
        let ring = |features: &[Value], corners: &[(usize, usize)]| {
            let points: Vec<(f64, f64)> = corners.iter().map(|&c| vertex(features, c)).collect();
            let k = points.len() as f64;
            let (cx, cy) = points
                .iter()
                .fold((0.0, 0.0), |(x, y), p| (x + p.0 / k, y + p.1 / k));
            let mut scaled: Vec<(f64, f64)> = points
                .iter()
                .map(|&(x, y)| (cx + (x - cx) * scale, cy + (y - cy) * scale))
                .collect();
            scaled.push(scaled[0]);
            scaled
        };
        let text = |features: &[Value]| {
            let points: Vec<String> = ring(features, corners)
                .iter()
                .map(|(a, b)| format!("{a} {b}"))
                .collect();
            format!("{function}(geometry, POLYGON(({})))", points.join(", "))
        };
        let outline = ring(&lonlat, corners);
        let polygon = geo::Polygon::new(outline.into(), vec![]);
        let want: BTreeSet<String> = lonlat
            .iter()
            .filter(|f| {
                let g = geometry(f);
                match function {
                    "S_INTERSECTS" => g.intersects(&polygon),
                    _ => g.relate(&polygon).is_within(),
                }
            })
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        let in_crs84 = selected(&app, "plots", &text(&lonlat), &crs84).await;
        let default_crs = selected(&app, "plots", &text(&lonlat), "").await;
        let in_7801 = selected(&app, "plots", &text(&northing_first), &cadastral).await;
        assert_eq!(in_crs84, want, "{function} in CRS84");
        assert_eq!(default_crs, want, "{function}, CRS84 by default");
        assert_eq!(in_7801, want, "{function} in EPSG:7801");
        assert!(!want.is_empty() && want.len() < n, "{function}: {want:?}");
    }
    // A POINT on a plot's first vertex selects the plots sharing it, the same in both CRSs.
    let k = n / 3;
    let (lon, lat) = first_vertex(&lonlat[k]);
    let (north, east) = first_vertex(&northing_first[k]);
    let at_crs84 = selected(
        &app,
        "plots",
        &format!("S_INTERSECTS(geometry, POINT({lon} {lat}))"),
        "",
    )
    .await;
    let at_7801 = selected(
        &app,
        "plots",
        &format!("S_INTERSECTS(POINT({north} {east}), geometry)"),
        &cadastral,
    )
    .await;
    assert!(
        at_crs84.contains(lonlat[k]["id"].as_str().unwrap()),
        "{at_crs84:?}"
    );
    assert_eq!(at_crs84, at_7801);
    // Each plot's inside point selects that plot alone.
    for plot in &lonlat {
        let p = &plot["properties"];
        let filter = format!(
            "S_INTERSECTS(geometry, POINT({} {}))",
            p["inside_lon"], p["inside_lat"]
        );
        let got = selected(&app, "plots", &filter, "").await;
        assert_eq!(
            got,
            BTreeSet::from([plot["id"].as_str().unwrap().to_string()]),
            "{filter}"
        );
    }
    // A BBOX selects what the same box as `bbox` selects, in CRS84 and in EPSG:7801
    // (northing first, as `bbox-crs` reads it).
    let stage2 = "25.640,42.360,25.660,42.380";
    let by_bbox = ids_of(&all(&app, "plots", &format!("&bbox={stage2}")).await);
    let by_filter = selected(
        &app,
        "plots",
        &format!("S_INTERSECTS(geometry, BBOX({stage2}))"),
        "",
    )
    .await;
    assert_eq!(by_filter, by_bbox);
    // EPSG:4326 is latitude first: the same box, axes swapped, selects the same plots.
    let lat_first = selected(
        &app,
        "plots",
        "S_INTERSECTS(geometry, BBOX(42.360,25.640,42.380,25.660))",
        &format!(
            "&filter-crs={}",
            common::urlencode("http://www.opengis.net/def/crs/EPSG/0/4326")
        ),
    )
    .await;
    assert_eq!(lat_first, by_filter);
    let box_7801 = "4692000,511900,4693500,513000";
    let by_bbox = ids_of(
        &all(
            &app,
            "plots",
            &format!("&bbox={box_7801}&bbox-crs={}", common::urlencode(EPSG_7801)),
        )
        .await,
    );
    let by_filter = selected(
        &app,
        "plots",
        &format!("S_INTERSECTS(geometry, BBOX({box_7801}))"),
        &cadastral,
    )
    .await;
    assert_eq!(by_filter, by_bbox);
    assert!(!by_bbox.is_empty() && by_bbox.len() < n);
    // S_DISJOINT is the complement of S_INTERSECTS.
    let disjoint = selected(
        &app,
        "plots",
        &format!("S_DISJOINT(geometry, BBOX({stage2}))"),
        "",
    )
    .await;
    let all_ids = ids_of(&lonlat);
    let inside = selected(
        &app,
        "plots",
        &format!("S_INTERSECTS(geometry, BBOX({stage2}))"),
        "",
    )
    .await;
    assert_eq!(disjoint, all_ids.difference(&inside).cloned().collect());
}

#[tokio::test]
async fn a_filter_with_bbox_and_paging_visits_each_match_once() {
    let app = spawn_app().await;
    let plots = all(&app, "plots", "").await;
    let bbox = "25.640,42.360,25.660,42.380";
    let in_box = ids_of(&all(&app, "plots", &format!("&bbox={bbox}")).await);
    let filter = "status <> 'sold' AND area_m2 > 5000";
    let want: BTreeSet<String> = expected(&plots, |p| {
        text(p, "status").is_some_and(|s| s != "sold")
            && num(p, "area_m2").is_some_and(|a| a > 5000.0)
    })
    .intersection(&in_box)
    .cloned()
    .collect();
    assert!(want.len() > 2, "too few matches to page: {want:?}");
    let mut url = app.url(&format!(
        "/collections/plots/items?filter={}&bbox={bbox}&limit=2",
        common::urlencode(filter)
    ));
    let mut seen = Vec::new();
    loop {
        let page: Value = app
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["numberMatched"], want.len(), "{url}");
        seen.extend(ids_of(page["features"].as_array().unwrap()));
        let next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
        match next {
            Some(href) => {
                assert!(
                    href.contains("filter="),
                    "the next link lost the filter: {href}"
                );
                url = href;
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), want.len(), "{seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), want);
    // And with a property filter besides: both apply.
    let both = selected(&app, "plots", filter, &format!("&bbox={bbox}&stage=2")).await;
    let stage2: BTreeSet<String> = expected(&plots, |p| num(p, "stage") == Some(2.0));
    assert_eq!(both, want.intersection(&stage2).cloned().collect());
}

#[tokio::test]
async fn the_registers_fields_are_filtered_as_served() {
    let app = spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (_, etag) = item(&app, PLOT).await;
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "reserved", "price_eur_m2": 41.5}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let got = selected(
        &app,
        "plots",
        "price_eur_m2 = 41.5 AND status = 'reserved'",
        "",
    )
    .await;
    assert_eq!(got, BTreeSet::from([PLOT.to_string()]));
    let available = selected(&app, "plots", "status = 'available'", "").await;
    assert!(!available.contains(PLOT));
}

#[tokio::test]
async fn every_collection_takes_a_filter() {
    let app = spawn_app().await;
    let (_, collections) = app.get_json("/collections").await;
    for c in collections["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let features = all(&app, id, "").await;
        let (_, q) = app.get_json(&format!("/collections/{id}/queryables")).await;
        assert_eq!(
            q["properties"]["geometry"]["x-ogc-role"], "primary-geometry",
            "{id}"
        );
        // The first text queryable the first feature has.
        let first = &features[0]["properties"];
        let (name, value) = q["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, s)| s["type"] == "string")
            .find_map(|(name, _)| Some((name.clone(), first[name].as_str()?.to_string())))
            .unwrap_or_else(|| panic!("{id}: no text queryable"));
        let filter = format!("{name} = '{}'", value.replace('\'', "''"));
        let want = expected(&features, |p| p[&name] == value.as_str());
        assert_eq!(
            selected(&app, id, &filter, "").await,
            want,
            "{id}: {filter}"
        );
        // And a spatial filter around the first feature's first coordinate.
        let none = selected(&app, id, "S_INTERSECTS(geometry, POINT(0 0))", "").await;
        assert!(none.is_empty(), "{id}");
    }
}

#[tokio::test]
async fn exports_take_the_filter_too() {
    let app = spawn_app().await;
    let plots = all(&app, "plots", "").await;
    let filter = "status IN ('sold', 'reserved') AND area_m2 < 15000";
    let want = expected(&plots, |p| {
        matches!(text(p, "status"), Some("sold" | "reserved"))
            && num(p, "area_m2").is_some_and(|a| a < 15000.0)
    });
    assert!(!want.is_empty() && want.len() < plots.len());
    let path = format!(
        "/collections/plots/items?f=csv&filter={}",
        common::urlencode(filter)
    );
    let resp = app.get(&path).await;
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let ids: BTreeSet<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(ids, want);
    // A wrong filter is refused there as well, never ignored.
    let resp = app
        .get("/collections/plots/items?f=csv&filter=colour%3D1")
        .await;
    assert_eq!(resp.status(), 400);
}

/// Asserts a 400 problem naming `parameter` whose detail contains `mentions`.
async fn assert_refused(app: &TestApp, query: &str, parameter: &str, mentions: &str) {
    let path = format!("/collections/plots/items?{query}");
    let resp = app.get(&path).await;
    let status = resp.status();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let short: String = path.chars().take(200).collect();
    assert_eq!(status, 400, "{short}: {body}");
    assert_eq!(ct, "application/problem+json", "{short}");
    assert_eq!(body["parameter"], parameter, "{short}: {body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(mentions),
        "{short}: {detail:?} does not mention {mentions:?}"
    );
}

#[tokio::test]
async fn hostile_and_wrong_filters_are_400_naming_what_is_wrong() {
    let app = spawn_app().await;
    let f = |text: &str| format!("filter={}", common::urlencode(text));
    let cases: Vec<(String, &str, &str)> = vec![
        (f("colour = 'red'"), "filter", "colour"),
        (f("area_m2 = 'x'"), "filter", "area_m2 = 'x'"),
        (f("status > 5"), "filter", "status > 5"),
        (f("has_power < true"), "filter", "has_power"),
        (f("foo(area_m2) = 1"), "filter", "foo"),
        (f("area_m2 +"), "filter", "CQL2 text"),
        (f("status = 'sold"), "filter", "CQL2 text"),
        (f(""), "filter", "empty"),
        (f("area_m2 + 1 > 5"), "filter", "arithmetic"),
        (f("status"), "filter", "status"),
        (f("geometry = 5"), "filter", "geometry"),
        (
            f("S_INTERSECTS(status, POINT(25.6 42.3))"),
            "filter",
            "status",
        ),
        (
            f("S_INTERSECTS(geometry, POINT(250 42))"),
            "filter",
            "outside",
        ),
        (
            f("S_INTERSECTS(geometry, BBOX(25.7, 42.3, 25.6, 42.4))"),
            "filter",
            "lower corner",
        ),
        (
            f("T_BEFORE(area_m2, TIMESTAMP('2020-01-01T00:00:00Z'))"),
            "filter",
            "temporal",
        ),
        (f("CASEI(status) = 'sold'"), "filter", "case-"),
        (f("status LIKE 'a\\'"), "filter", "LIKE"),
        (f("area_m2 > 1e400"), "filter", "finite"),
        (f("status = NULL"), "filter", "IS NULL"),
        (f("status IN ('sold', 2)"), "filter", "compares"),
        (f("area_m2 BETWEEN 'a' AND 'b'"), "filter", "BETWEEN"),
        (
            f("{\"op\": \"=\", \"args\": [{\"property\": \"colour\"}, 1]}")
                + "&filter-lang=cql2-json",
            "filter",
            "colour",
        ),
        (
            f("{\"op\": \"frobnicate\"") + "&filter-lang=cql2-json",
            "filter",
            "JSON",
        ),
        (f("stage = 2") + "&filter-lang=cql2-json", "filter", "JSON"),
        (
            f("stage = 2") + "&filter-lang=cql-text",
            "filter-lang",
            "cql-text",
        ),
        (
            f("stage = 2") + "&filter-crs=EPSG:2100",
            "filter-crs",
            "2100",
        ),
        (
            f("stage = 2") + "&filter-crs=%2Bproj%3Dmerc",
            "filter-crs",
            "PROJ",
        ),
        (
            "filter-lang=cql2-text".to_string(),
            "filter-lang",
            "without a filter",
        ),
        (
            "filter-crs=EPSG:7801".to_string(),
            "filter-crs",
            "without a filter",
        ),
        (f("stage = 1") + "&" + &f("stage = 2"), "filter", "2 times"),
        // Deep nesting, every way the grammar nests (within the 4 KiB a filter may be;
        // longer filters and the term limit are unit tests of the filter).
        (
            f(&format!(
                "{}stage = 2{}",
                "(".repeat(1300),
                ")".repeat(1300)
            )),
            "filter",
            "deeper",
        ),
        (
            f(&format!("{}stage = 2", "NOT ".repeat(1000))),
            "filter",
            "deeper",
        ),
        (
            f(&format!("stage{}", " = 1".repeat(800))),
            "filter",
            "filter",
        ),
        (f(&format!("{}1", "- ".repeat(2000))), "filter", "filter"),
        (
            f(&format!("stage IN ({})", vec!["0"; 1100].join(","))),
            "filter",
            "1000",
        ),
        (
            f(&format!(
                "{}{}{}",
                "{\"op\":\"not\",\"args\":[".repeat(60),
                "true",
                "]}".repeat(60)
            )) + "&filter-lang=cql2-json",
            "filter",
            "deeper",
        ),
        (
            f(&format!("{}{}{}", "[".repeat(200), "1", "]".repeat(200))) + "&filter-lang=cql2-json",
            "filter",
            "JSON",
        ),
        // Huge literals.
        (
            f(&format!("status = '{}'", "x".repeat(2_000))),
            "filter",
            "longer than",
        ),
        (
            f(&format!("area_m2 > 1{}", "0".repeat(4000))),
            "filter",
            "finite",
        ),
    ];
    for (query, parameter, mentions) in &cases {
        assert_refused(&app, query, parameter, mentions).await;
    }
    // The service is still answering.
    assert_eq!(
        app.get("/collections/plots/items?filter=stage%3D2")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn conformance_declares_the_filter_classes() {
    let app = spawn_app().await;
    let (_, body) = app.get_json("/conformance").await;
    let classes = body["conformsTo"].to_string();
    for c in [
        "ogcapi-features-3/1.0/conf/filter",
        "ogcapi-features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/basic-cql2",
        "cql2/1.0/conf/advanced-comparison-operators",
        "cql2/1.0/conf/basic-spatial-functions",
        "cql2/1.0/conf/basic-spatial-functions-plus",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
    ] {
        assert!(classes.contains(c), "missing {c}");
    }
}
