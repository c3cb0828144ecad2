//! The tile endpoints' HTTP behaviour: content type, gzip, ETag and 304, caching headers,
//! CORS, 204 for empty tiles, 400 problems for bad addresses, TileJSON, the style, the
//! glyphs, and the cache being dropped when the data changes.

use crate::common;
use crate::tiles_support;

use std::io::Read;

use geo::InteriorPoint;
use reqwest::header;
use zagore::geodata::{Dataset, LayerKind};
use zagore::Config;

use common::TestApp;

/// A z15 tile over the first plot.
fn plot_tile(app: &TestApp) -> String {
    plot_tile_at(app, 15)
}

fn plot_tile_at(app: &TestApp, z: u8) -> String {
    let data = app.state.zone();
    let plot = &data.dataset.layer(LayerKind::Plots).unwrap().features[0];
    let p = plot.lonlat.interior_point().unwrap();
    let (ux, uy) = tiles_support::lonlat_to_units(z, p.x(), p.y());
    format!(
        "/tiles/{z}/{}/{}.mvt",
        (ux / 4096.0) as u32,
        (uy / 4096.0) as u32
    )
}

#[tokio::test]
async fn a_tile_has_its_type_etag_caching_and_cors_headers() {
    let app = common::spawn_app().await;
    let path = plot_tile(&app);
    let resp = app
        .client
        .get(app.url(&path))
        .header(header::ORIGIN, "https://viewer.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.mapbox-vector-tile"
    );
    assert!(h[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(
        h.get(header::CONTENT_ENCODING).is_none(),
        "not gzipped unless asked"
    );
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let body = resp.bytes().await.unwrap();
    assert!(tiles_support::decode(&body).contains_key("plots"));

    // The same tile asked again with its ETag: 304 and no body.
    let again = app
        .client
        .get(app.url(&path))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // A different tile has a different ETag; a stale one gets the tile.
    let other = app.get("/tiles/14/9340/6074.mvt").await;
    assert_ne!(
        other
            .headers()
            .get(header::ETAG)
            .map(|v| v.to_str().unwrap()),
        Some(etag.as_str())
    );
    let stale = app
        .client
        .get(app.url(&path))
        .header(header::IF_NONE_MATCH, "\"not-this-one\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
}

#[tokio::test]
async fn a_tile_is_gzipped_when_the_client_accepts_it() {
    let app = common::spawn_app().await;
    let path = plot_tile(&app);
    let plain = app.get(&path).await.bytes().await.unwrap();
    let resp = app
        .client
        .get(app.url(&path))
        .header(header::ACCEPT_ENCODING, "br;q=1.0, gzip;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(resp.headers()[header::VARY], "Accept-Encoding");
    let gz = resp.bytes().await.unwrap();
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.to_vec());

    let refused = app
        .client
        .get(app.url(&path))
        .header(header::ACCEPT_ENCODING, "gzip;q=0")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn an_empty_tile_is_204_and_pbf_is_served_too() {
    let app = common::spawn_app().await;
    let resp = app.get("/tiles/14/8192/8192.mvt").await;
    assert_eq!(resp.status(), 204);
    assert!(resp.headers().get(header::ETAG).is_some());
    assert!(resp.bytes().await.unwrap().is_empty());
    let path = plot_tile(&app).replace(".mvt", ".pbf");
    assert_eq!(app.get(&path).await.status(), 200);
}

#[tokio::test]
async fn bad_tile_addresses_are_400_problems_naming_the_parameter() {
    let app = common::spawn_app_with(Config {
        data_dir: common::bundled_geodata(),
        max_zoom: 16,
        ..Config::default()
    })
    .await;
    for (path, parameter) in [
        ("/tiles/abc/0/0.mvt", "z"),
        ("/tiles/-1/0/0.mvt", "z"),
        ("/tiles/17/0/0.mvt", "z"),
        ("/tiles/99999999999999999999999/0/0.mvt", "z"),
        ("/tiles/2/4/0.mvt", "x"),
        ("/tiles/2/1.5/0.mvt", "x"),
        ("/tiles/2/0/4.mvt", "y"),
        ("/tiles/2/0/y.mvt", "y"),
        ("/tiles/2/0/0.png", "y"),
        ("/tiles/2/0/0", "y"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 400, "{path}");
        assert_eq!(
            resp.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
        assert_eq!(body["status"], 400);
    }
    assert_eq!(app.get("/tiles/16/0/0.mvt").await.status(), 204);
}

#[tokio::test]
async fn tilejson_links_absolutely_and_lists_every_layer_and_field() {
    let app = common::spawn_app().await;
    let (status, tj) = app.get_json("/tiles.json").await;
    assert_eq!(status, 200);
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        format!("http://{}/tiles/{{z}}/{{x}}/{{y}}.mvt", app.addr)
    );
    assert_eq!(tj["minzoom"], 0);
    assert_eq!(tj["maxzoom"], 22);
    // The zone's plots lie inside the bounds, and the centre is at the zone.
    let b: Vec<f64> = tj["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let c: Vec<f64> = tj["center"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        b[0] < 25.64 && b[2] > 25.69 && b[1] < 42.36 && b[3] > 42.44,
        "{b:?}"
    );
    assert!(
        (25.64..25.69).contains(&c[0]) && (42.36..42.44).contains(&c[1]),
        "{c:?}"
    );
    let layers = tj["vector_layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for id in ["plots", "stages", "roads", "rail", "poi", "plot_labels"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let fields = |id: &str| layers.iter().find(|l| l["id"] == id).unwrap()["fields"].clone();
    let plots = fields("plots");
    assert_eq!(plots["cadastral_id"], "String");
    assert_eq!(plots["max_intensity"], "Number");
    assert_eq!(plots["has_power"], "Boolean");
    assert_eq!(plots["area_m2"], "Number");
    let roads = fields("roads");
    for f in ["class", "ref", "name"] {
        assert_eq!(roads[f], "String", "roads.{f}");
    }
    assert_eq!(fields("plot_labels")["cadastral_id"], "String");

    // Forwarded headers count only when the deployment says it is behind a proxy that sets
    // them (trust_forwarded_headers): without, a client cannot choose the scheme of links.
    let resp = app
        .client
        .get(app.url("/tiles.json"))
        .header(header::HOST, "maps.zagore.example")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let tj: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        tj["tiles"][0],
        "http://maps.zagore.example/tiles/{z}/{x}/{y}.mvt"
    );
    // Behind a TLS proxy that is trusted: the forwarded scheme and the Host asked for.
    let app = common::spawn_app_with(Config {
        trust_forwarded_headers: true,
        ..common::test_config()
    })
    .await;
    let resp = app
        .client
        .get(app.url("/tiles.json"))
        .header(header::HOST, "maps.zagore.example")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let tj: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        tj["tiles"][0],
        "https://maps.zagore.example/tiles/{z}/{x}/{y}.mvt"
    );
}

#[tokio::test]
async fn public_url_wins_over_the_host_header() {
    let app = common::spawn_app_with(Config {
        data_dir: common::bundled_geodata(),
        public_url: Some("https://gis.example.bg/zagore/".into()),
        ..Config::default()
    })
    .await;
    let (_, tj) = app.get_json("/tiles.json").await;
    assert_eq!(
        tj["tiles"][0],
        "https://gis.example.bg/zagore/tiles/{z}/{x}/{y}.mvt"
    );
    let (_, style) = app.get_json("/style.json").await;
    assert_eq!(
        style["sources"]["zagore"]["url"],
        "https://gis.example.bg/zagore/tiles.json"
    );
}

#[tokio::test]
async fn style_json_draws_every_layer_with_served_glyphs() {
    let app = common::spawn_app().await;
    let (status, style) = app.get_json("/style.json").await;
    assert_eq!(status, 200);
    assert_eq!(style["version"], 8);
    let base = format!("http://{}", app.addr);
    assert_eq!(
        style["sources"]["zagore"]["url"],
        format!("{base}/tiles.json")
    );
    assert_eq!(
        style["glyphs"],
        format!("{base}/fonts/{{fontstack}}/{{range}}.pbf")
    );
    let layers = style["layers"].as_array().unwrap();
    assert_eq!(
        layers[0]["type"], "background",
        "readable without a base map"
    );
    let source_layers: std::collections::BTreeSet<&str> = layers
        .iter()
        .filter_map(|l| l["source-layer"].as_str())
        .collect();
    for id in ["plots", "stages", "roads", "rail", "poi", "plot_labels"] {
        assert!(source_layers.contains(id), "{id} is not drawn");
    }
    // The plots are coloured by every status.
    let fill = layers
        .iter()
        .find(|l| l["id"] == "zagore-plots-fill")
        .unwrap()
        .to_string();
    for status in ["available", "reserved", "pre-contracted", "sold"] {
        assert!(fill.contains(status), "{status} has no colour");
    }
    // Every font a layer asks for is served, with the Cyrillic range the УПИ labels need.
    let text = serde_json::to_string(&style).unwrap();
    for font in ["Noto Sans Regular", "Noto Sans Bold"] {
        assert!(text.contains(font));
        let path = format!("/fonts/{}/1024-1279.pbf", font.replace(' ', "%20"));
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()[header::CONTENT_TYPE],
            "application/x-protobuf"
        );
        assert!(
            resp.bytes().await.unwrap().len() > 1000,
            "{path}: no glyphs"
        );
    }
    if let Ok(out) = std::env::var("ZAGORE_STYLE_OUT") {
        // For scripts/validate-style.sh (gl-style-validate), which `make test` runs after.
        std::fs::write(out, serde_json::to_string_pretty(&style).unwrap()).unwrap();
    }
}

#[tokio::test]
async fn glyph_requests_are_checked() {
    let app = common::spawn_app().await;
    let resp = app.get("/fonts/Comic%20Sans/0-255.pbf").await;
    assert_eq!(resp.status(), 404);
    let resp = app.get("/fonts/Noto%20Sans%20Regular/0-300.pbf").await;
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["parameter"], "range");
    // A range the font has no glyphs in is an empty, valid answer (MapLibre asks for it).
    let resp = app
        .get("/fonts/Noto%20Sans%20Regular/19968-20223.pbf")
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn the_cache_fills_once_per_tile_and_a_rebuilt_snapshot_serves_the_same_bytes() {
    let app = common::spawn_app().await;
    let path = plot_tile(&app);
    let first = app.get(&path).await.bytes().await.unwrap();
    assert_eq!(app.state.tiles().len(), 1);
    // Many clients at once for one more tile: one entry, the same bytes for all.
    let other = plot_tile_at(&app, 16);
    let answers = futures_join(&app, &other, 8).await;
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.state.tiles().len(), 2);
    assert!(app.state.tiles().bytes() <= app.state.tiles().budget_bytes());

    let dir = common::bundled_geodata();
    let dataset = tokio::task::spawn_blocking(move || Dataset::load(&dir).unwrap())
        .await
        .unwrap();
    let cell = app.state.zone_cell().clone();
    tokio::task::spawn_blocking(move || cell.replace(zagore::zone::Zone::build(dataset)))
        .await
        .unwrap();
    let again = app.get(&path).await.bytes().await.unwrap();
    assert_eq!(again, first, "the same data gives the same tile");
}

async fn futures_join(app: &TestApp, path: &str, n: usize) -> Vec<Vec<u8>> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (client, url) = (app.client.clone(), app.url(path));
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
