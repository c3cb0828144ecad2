//! OGC API – Features over HTTP: landing page and content negotiation, conformance, the
//! OpenAPI document, collections, paging, bbox, property filters, and the 400/404 answers.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::{bundled_geodata, spawn_app, TestApp};
use serde_json::Value;

/// The plots' source properties, read straight from the bundled file (independent of the
/// service's reading code).
fn source_plots() -> Vec<Value> {
    let text = std::fs::read_to_string(bundled_geodata().join("plots.geojson")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

async fn get_with_accept(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

fn rel<'a>(links: &'a Value, rel: &str) -> Option<&'a Value> {
    links.as_array()?.iter().find(|l| l["rel"] == rel)
}

/// Asserts a 400 problem body naming `parameter`.
async fn assert_bad(app: &TestApp, path: &str, parameter: &str) {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 400, "{path}");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/problem+json", "{path}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 400, "{path}");
    assert_eq!(body["parameter"], parameter, "{path}: {body}");
    assert!(
        body["detail"].as_str().unwrap().contains(parameter),
        "{body}"
    );
}

#[tokio::test]
async fn landing_page_links_and_negotiation() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/").await;
    assert_eq!(status, 200);
    let links = &body["links"];
    for r in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(rel(links, r).is_some(), "no {r} link");
    }
    assert_eq!(rel(links, "service-desc").unwrap()["href"], app.url("/api"));
    assert_eq!(rel(links, "data").unwrap()["href"], app.url("/collections"));
    assert_eq!(
        rel(links, "conformance").unwrap()["href"],
        app.url("/conformance")
    );

    // `*/*` and no Accept get JSON; a browser is sent to the map viewer, which links the rest.
    let resp = get_with_accept(&app, "/", "*/*").await;
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let resp = get_with_accept(&app, "/", browser).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(resp.url().path(), "/map");
    let html = resp.text().await.unwrap();
    assert!(html.contains("/map/assets/app.js"), "not the viewer");
    for path in ["/api?f=html", "/collections", "/tiles.json", "/style.json"] {
        assert!(
            html.contains(&format!("href=\"{path}\"")),
            "no link to {path}"
        );
    }
    // The viewer's own URL state survives the trip from `/`.
    let resp = get_with_accept(&app, "/?plot=27214.33.1&lang=en", browser).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.url().as_str(), app.url("/map?plot=27214.33.1&lang=en"));
    // ?f= overrides Accept both ways.
    let resp = get_with_accept(&app, "/?f=json", browser).await;
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let resp = get_with_accept(&app, "/?f=html", "application/json").await;
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_bad(&app, "/?f=xml", "f").await;
    assert_bad(&app, "/?f=json&lang=bg", "lang").await;
}

#[tokio::test]
async fn conformance_declares_core_geojson_oas30_and_crs() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/conformance").await;
    assert_eq!(status, 200);
    let classes: Vec<&str> = body["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ] {
        assert!(classes.contains(&c), "missing {c}");
    }
}

/// Every `$ref` in the document points at something that exists.
fn check_refs(doc: &Value, node: &Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let pointer = r.strip_prefix('#').expect("local ref");
                assert!(doc.pointer(pointer).is_some(), "dangling {r}");
            }
            map.values().for_each(|v| check_refs(doc, v));
        }
        Value::Array(list) => list.iter().for_each(|v| check_refs(doc, v)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let app = spawn_app().await;
    let resp = app.get("/api").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/vnd.oai.openapi+json"));
    let doc: Value = resp.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0."));
    assert_eq!(doc["servers"][0]["url"], app.base);
    check_refs(&doc, &doc);
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/", "get"),
        ("/api", "get"),
        ("/conformance", "get"),
        ("/collections", "get"),
        ("/collections/{collectionId}", "get"),
        ("/collections/{collectionId}/queryables", "get"),
        ("/collections/{collectionId}/items", "get"),
        ("/collections/{collectionId}/items/{featureId}", "get"),
        ("/plots/at", "get"),
        ("/plots/search", "get"),
        ("/health", "get"),
        ("/tiles/{z}/{x}/{y}.mvt", "get"),
        ("/tiles/{z}/{x}/{y}.pbf", "get"),
        ("/tiles.json", "get"),
        ("/style.json", "get"),
        ("/plots/{plotId}/distances", "get"),
        ("/distances", "get"),
        ("/plots/distances", "get"),
        ("/plots/distances.csv", "get"),
        ("/measure", "post"),
        ("/map", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undescribed"
        );
    }
    // The path parameters of every templated path are declared.
    for (path, item) in paths {
        for op in item.as_object().unwrap().values() {
            let declared: BTreeSet<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| match p.get("$ref") {
                            Some(r) => doc.pointer(&r.as_str().unwrap()[1..]).unwrap().clone(),
                            None => p.clone(),
                        })
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let templated: BTreeSet<String> = path
                .split('{')
                .skip(1)
                .map(|s| s.split('}').next().unwrap().to_string())
                .collect();
            assert_eq!(declared, templated, "{path}");
        }
    }
    // The feature endpoints it describes answer (the others belong to other modules).
    for path in [
        "/",
        "/api",
        "/conformance",
        "/collections",
        "/collections/plots",
        "/collections/plots/queryables",
        "/collections/plots/items",
        "/collections/plots/items/27214.33.1",
        "/plots/search?q=27214",
        "/api?f=html",
    ] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn collections_list_every_layer_with_extent_and_crs() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/collections").await;
    assert_eq!(status, 200);
    let ids: BTreeSet<&str> = body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["plots", "stages", "roads", "rail", "poi", "utilities"])
    );
    for c in body["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let crs: Vec<&str> = c["crs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for want in [
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
            "http://www.opengis.net/def/crs/EPSG/0/7801",
            "http://www.opengis.net/def/crs/EPSG/0/3857",
        ] {
            assert!(crs.contains(&want), "{id}: {want} not listed");
        }
        assert_eq!(
            c["storageCrs"],
            "http://www.opengis.net/def/crs/EPSG/0/7801"
        );
        let bbox = c["extent"]["spatial"]["bbox"][0].as_array().unwrap();
        let b: Vec<f64> = bbox.iter().map(|v| v.as_f64().unwrap()).collect();
        // The zone lies around Stara Zagora, 25.5–25.9 E, 42.2–42.5 N.
        assert!(
            b[0] > 25.3 && b[2] < 26.0 && b[1] > 42.0 && b[3] < 42.6 && b[0] < b[2],
            "{id} {b:?}"
        );
        assert_eq!(
            rel(&c["links"], "items").unwrap()["href"],
            app.url(&format!("/collections/{id}/items"))
        );
        let (status, one) = app.get_json(&format!("/collections/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(&one, c);
    }
}

/// Follows `next` links from `first`, returning every feature id seen and each page's size.
async fn walk(app: &TestApp, first: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut url = app.url(first);
    let mut matched = None;
    for _ in 0..1000 {
        let resp = app.client.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(resp.headers()["content-type"], "application/geo+json");
        let page: Value = resp.json().await.unwrap();
        let features = page["features"].as_array().unwrap();
        assert_eq!(
            page["numberReturned"].as_u64().unwrap() as usize,
            features.len()
        );
        let m = page["numberMatched"].as_u64().unwrap() as usize;
        assert_eq!(
            *matched.get_or_insert(m),
            m,
            "numberMatched changed while paging"
        );
        assert_eq!(rel(&page["links"], "self").unwrap()["href"], url.as_str());
        for f in features {
            ids.push(f["id"].as_str().unwrap().to_string());
            assert!(rel(&f["links"], "self").is_some());
        }
        match rel(&page["links"], "next") {
            Some(next) => url = next["href"].as_str().unwrap().to_string(),
            None => return (ids, m),
        }
    }
    panic!("paging never ended");
}

#[tokio::test]
async fn paging_visits_every_feature_exactly_once() {
    let app = spawn_app().await;
    let (_, health) = app.get_json("/health").await;
    for (layer, count) in health["layers"].as_object().unwrap() {
        let count = count.as_u64().unwrap() as usize;
        for limit in [1, 4, 7, 10_000] {
            let (ids, matched) =
                walk(&app, &format!("/collections/{layer}/items?limit={limit}")).await;
            let unique: BTreeSet<&String> = ids.iter().collect();
            assert_eq!(ids.len(), count, "{layer} limit {limit}");
            assert_eq!(
                unique.len(),
                count,
                "{layer} limit {limit}: a feature came twice"
            );
            assert_eq!(matched, count);
        }
    }
    // Every plot id is a cadastral identifier from the file, and each is served on its own.
    let (ids, _) = walk(&app, "/collections/plots/items?limit=5").await;
    let source: BTreeSet<String> = source_plots()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), source);
    for id in &ids {
        let resp = app.get(&format!("/collections/plots/items/{id}")).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-crs"],
            "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
        );
        let f: Value = resp.json().await.unwrap();
        assert_eq!(f["id"], id.as_str());
        assert_eq!(f["properties"]["cadastral_id"], id.as_str());
    }
    // prev walks back to the first page.
    let (_, page) = app
        .get_json("/collections/plots/items?limit=5&offset=10")
        .await;
    let prev = rel(&page["links"], "prev").unwrap()["href"]
        .as_str()
        .unwrap();
    assert!(prev.ends_with("offset=5"), "{prev}");
}

#[tokio::test]
async fn limit_defaults_to_10_and_caps_at_10000() {
    let app = spawn_app().await;
    let (_, page) = app.get_json("/collections/plots/items").await;
    assert_eq!(page["numberReturned"], 10);
    assert_eq!(page["numberMatched"], 18);
    let (status, page) = app.get_json("/collections/plots/items?limit=50000").await;
    assert_eq!(status, 200);
    assert_eq!(page["numberReturned"], 18);
    let (_, page) = app.get_json("/collections/plots/items?offset=100").await;
    assert_eq!(page["numberReturned"], 0);
}

#[tokio::test]
async fn property_filters_compare_by_type() {
    let app = spawn_app().await;
    let plots = source_plots();
    let expect = |pred: &dyn Fn(&Value) -> bool| -> BTreeSet<String> {
        plots
            .iter()
            .filter(|f| pred(&f["properties"]))
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let cases: Vec<(&str, BTreeSet<String>)> = vec![
        (
            "status=available&stage=2",
            expect(&|p| p["status"] == "available" && p["stage"] == 2),
        ),
        ("stage=1", expect(&|p| p["stage"] == 1)),
        ("has_power=true", expect(&|p| p["has_power"] == true)),
        (
            "has_power=false&status=pre-contracted",
            expect(&|p| p["has_power"] == false && p["status"] == "pre-contracted"),
        ),
        (
            "upi=%D0%A3%D0%9F%D0%98%20II-33.1,%2033.7,%20%D0%BA%D0%B2.%202",
            expect(&|p| p["upi"] == "УПИ II-33.1, 33.7, кв. 2"),
        ),
        ("status=demolished", BTreeSet::new()),
    ];
    for (query, want) in cases {
        let (ids, _) = walk(&app, &format!("/collections/plots/items?{query}&limit=3")).await;
        assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), want, "{query}");
    }
    assert!(expect(&|p| p["status"] == "available" && p["stage"] == 2).len() >= 2);
    assert_bad(&app, "/collections/plots/items?stage=two", "stage").await;
    assert_bad(&app, "/collections/plots/items?has_power=yes", "has_power").await;
    assert_bad(&app, "/collections/plots/items?colour=red", "colour").await;
    assert_bad(&app, "/collections/roads/items?status=sold", "status").await;
}

#[tokio::test]
async fn queryables_list_filterable_properties_and_each_works() {
    let app = spawn_app().await;
    let resp = app.get("/collections/plots/queryables").await;
    assert_eq!(resp.status(), 200);
    let q: Value = resp.json().await.unwrap();
    let props = q["properties"].as_object().unwrap();
    assert_eq!(props["stage"]["type"], "integer");
    assert_eq!(props["status"]["type"], "string");
    assert_eq!(props["has_power"]["type"], "boolean");
    assert_eq!(props["declared_area_m2"]["type"], "integer");
    assert_eq!(props["cadastral_id"]["type"], "string");
    let (_, first) = app.get_json("/collections/plots/items/27214.33.1").await;
    for (name, schema) in props {
        let value = &first["properties"][name];
        if value.is_null() {
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let query = format!(
            "/collections/plots/items?{}={}&limit=100",
            name,
            common::urlencode(&text)
        );
        let (status, page) = app.get_json(&query).await;
        assert_eq!(status, 200, "{query} ({schema})");
        assert!(
            page["features"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "27214.33.1"),
            "{query}"
        );
    }
    for c in ["stages", "roads", "rail", "poi"] {
        assert_eq!(
            app.get(&format!("/collections/{c}/queryables"))
                .await
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn bad_parameters_are_400_naming_them() {
    let app = spawn_app().await;
    let items = "/collections/plots/items";
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("limit=-5", "limit"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=25.7,42.3,25.6,42.4", "bbox"),
        ("bbox=25.6,42.3,25.7,95", "bbox"),
        ("bbox-crs=EPSG:7801", "bbox-crs"),
        ("bbox=1,2,3,4&bbox-crs=EPSG:99999999", "bbox-crs"),
        ("crs=EPSG:99999999", "crs"),
        ("crs=WGS84%20please", "crs"),
        ("crs=EPSG:4978", "crs"),
        ("crs=%2Bproj%3Dlonglat", "crs"),
        ("f=xml", "f"),
        ("f=html", "f"),
        ("limit=1&limit=2", "limit"),
        ("datetime=2024-01-01T00:00:00Z", "datetime"),
        ("foo=bar", "foo"),
    ] {
        assert_bad(&app, &format!("{items}?{query}"), parameter).await;
    }
    assert_bad(
        &app,
        "/collections/plots/items/27214.33.1?crs=EPSG:0",
        "crs",
    )
    .await;
    assert_bad(&app, "/collections/plots/items/27214.33.1?limit=1", "limit").await;
    assert_bad(&app, "/collections?foo=1", "foo").await;
    assert_bad(&app, "/conformance?f=html", "f").await;
}

#[tokio::test]
async fn unknown_collections_and_features_are_404() {
    let app = spawn_app().await;
    for path in [
        "/collections/buildings",
        "/collections/buildings/items",
        "/collections/buildings/queryables",
        "/collections/plots/items/27214.33.999",
        "/collections/roads/items/27214.33.1",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], 404);
    }
}

#[tokio::test]
async fn bbox_in_crs84_selects_by_geometry_at_full_precision() {
    let app = spawn_app().await;
    let plots = source_plots();
    let stage2: BTreeSet<String> = plots
        .iter()
        .filter(|f| f["properties"]["stage"] == 2)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    // docs/data.md: Stage 2 lies in 42.3658–42.3743 N, 25.6446–25.6536 E; Stage 1 is 7 km away.
    let (ids, _) = walk(
        &app,
        "/collections/plots/items?bbox=25.640,42.360,25.660,42.380&limit=100",
    )
    .await;
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), stage2);
    // Far from the zone: nothing.
    let (_, page) = app
        .get_json("/collections/plots/items?bbox=23.3,42.6,23.4,42.7")
        .await;
    assert_eq!(page["numberMatched"], 0);

    // The westernmost vertex of 27214.30.17: a box ending a hair (1e-12°) west of it misses
    // the plot, one ending as far east of it reaches it.
    let (_, plot) = app.get_json("/collections/plots/items/27214.30.17").await;
    let ring = plot["geometry"]["coordinates"][0].as_array().unwrap();
    let west = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .fold((f64::MAX, 0.0), |a, b| if b.0 < a.0 { b } else { a });
    let (lon, lat) = west;
    let query = |east: f64| {
        format!(
            "/collections/plots/items?bbox={},{},{},{}&limit=100",
            lon - 0.01,
            lat - 1e-6,
            east,
            lat + 1e-6
        )
    };
    let (_, miss) = app.get_json(&query(lon - 1e-12)).await;
    let (_, hit) = app.get_json(&query(lon + 1e-12)).await;
    let has = |page: &Value| {
        page["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "27214.30.17")
    };
    assert!(!has(&miss), "a box west of the vertex reached the plot");
    assert!(has(&hit), "a box through the vertex missed the plot");
}

#[tokio::test]
async fn every_collection_answers_in_geojson_with_ids() {
    let app = spawn_app().await;
    let mut seen = BTreeMap::new();
    for c in ["plots", "stages", "roads", "rail", "poi"] {
        let (_, page) = app
            .get_json(&format!("/collections/{c}/items?limit=10000"))
            .await;
        for f in page["features"].as_array().unwrap() {
            assert_eq!(f["type"], "Feature");
            assert!(f["geometry"]["coordinates"].is_array());
            seen.insert((c, f["id"].as_str().unwrap().to_string()), ());
        }
    }
    assert!(seen.contains_key(&("stages", "stage-1".to_string())));
    assert!(seen.contains_key(&("roads", "a1-main-1".to_string())));
}

/// Regression (OGC API – Features conformance, the `crs` list's first entry
/// and /req/core/fc-bbox-definition): a collection's `crs` list began with EPSG:7801 instead of
/// the default CRS84, and the OpenAPI `bbox` parameter allowed only 4 numbers.
#[tokio::test]
async fn crs_lists_begin_with_crs84_and_bbox_takes_4_or_6_numbers() {
    let app = spawn_app().await;
    let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    let (_, all) = app.get_json("/collections").await;
    for c in all["collections"].as_array().unwrap() {
        assert_eq!(c["crs"][0], crs84, "{}", c["id"]);
        let (_, one) = app
            .get_json(&format!("/collections/{}", c["id"].as_str().unwrap()))
            .await;
        assert_eq!(one["crs"][0], crs84, "{}", c["id"]);
    }
    let (_, doc) = app.get_json("/api").await;
    let schema = &doc["components"]["parameters"]["bbox"]["schema"];
    assert_eq!(schema["minItems"], 4, "{schema}");
    assert_eq!(schema["maxItems"], 6, "{schema}");
    // A 6-number box (heights ignored: the features have none) selects what its 4-number
    // footprint does; a vertical range upside down is a 400 naming bbox.
    let four = "/collections/plots/items?limit=100&bbox=25.60,42.30,25.70,42.45";
    let six = "/collections/plots/items?limit=100&bbox=25.60,42.30,-100,25.70,42.45,3000";
    let (s4, b4) = app.get_json(four).await;
    let (s6, b6) = app.get_json(six).await;
    assert_eq!(s4, 200);
    assert_eq!(s6, 200);
    assert!(b4["numberMatched"].as_u64().unwrap() > 0, "{b4}");
    assert_eq!(b4["numberMatched"], b6["numberMatched"]);
    assert_bad(
        &app,
        "/collections/plots/items?bbox=25.60,42.30,100,25.70,42.45,-100",
        "bbox",
    )
    .await;
    assert_bad(&app, "/collections/plots/items?bbox=1,2,3,4,5", "bbox").await;
}

/// Regressions found by Schemathesis against /api: `stage=0.5` on a whole-number property
/// was answered (empty) instead of refused; the document let `crs` be any URI while only
/// the listed CRSs are served, gave `limit` a maximum although larger values are served as
/// the maximum (as OGC API – Features requires), and left out the 204 of an empty tile and
/// the 422 of `POST /measure`.
#[tokio::test]
async fn the_openapi_document_says_what_the_service_does() {
    let app = spawn_app().await;
    assert_bad(&app, "/collections/plots/items?stage=0.5", "stage").await;
    let (status, page) = app.get_json("/collections/plots/items?stage=2.0").await;
    assert_eq!(status, 200);
    assert!(page["numberMatched"].as_u64().unwrap() > 0);

    let (_, doc) = app.get_json("/api").await;
    let (_, plots) = app.get_json("/collections/plots").await;
    for name in ["crs", "bbox-crs"] {
        let listed = &doc["components"]["parameters"][name]["schema"]["enum"];
        assert_eq!(listed, &plots["crs"], "{name}");
    }
    let limit = &doc["components"]["parameters"]["limit"]["schema"];
    assert!(limit.get("maximum").is_none(), "{limit}");
    let (status, page) = app.get_json("/collections/plots/items?limit=10001").await;
    assert_eq!(status, 200);
    assert_eq!(page["numberReturned"], page["numberMatched"]);
    let tile = &doc["paths"]["/tiles/{z}/{x}/{y}.mvt"]["get"]["responses"];
    assert!(tile.get("204").is_some(), "{tile}");
    assert_eq!(app.get("/tiles/1/0/0.mvt").await.status(), 204);
    let measure = &doc["paths"]["/measure"]["post"]["responses"];
    assert!(measure.get("422").is_some(), "{measure}");
}

/// The OpenAPI document is derived data: built once per data version before the snapshot is
/// served (not per request), naming every collection served (the manifest's `utilities`
/// too), with only its server URL following each request's public base.
#[tokio::test]
async fn the_openapi_document_is_derived_once_per_data_version_for_every_collection() {
    use zagore::http::openapi::ApiDocument;
    let app = spawn_app().await;
    assert!(
        app.state.zone().has::<ApiDocument>(),
        "not derived before the snapshot was served"
    );
    let (_, doc) = app.get_json("/api").await;
    let (_, all) = app.get_json("/collections").await;
    let ids: Vec<&Value> = all["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(ids.iter().any(|id| *id == "utilities"), "{ids:?}");
    let listed = doc["components"]["parameters"]["collectionId"]["schema"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(listed.iter().collect::<Vec<_>>(), ids);
    for id in ids {
        let path = format!("/collections/{}/items", id.as_str().unwrap());
        assert!(doc["paths"].get(&path).is_some(), "{path} undescribed");
    }
    // Another public base: the same document but for its server.
    let proxied: Value = app
        .client
        .get(app.url("/api"))
        .header("host", "zone.example:8443")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(proxied["servers"][0]["url"], "http://zone.example:8443");
    let mut same = proxied.clone();
    same["servers"] = doc["servers"].clone();
    assert_eq!(same, doc);
}
