//! Behind a TLS proxy, every absolute link of every endpoint names the same public base
//! (issue 13: TileJSON said https while the OGC links said http).

use crate::common;

use common::{spawn_app_with, test_config, TestApp};
use serde_json::Value;

const PUBLIC: &str = "https://maps.example.bg";

/// Every string in the document that looks like an absolute URL.
fn absolute_urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
            out.push(s.clone())
        }
        Value::Array(items) => items.iter().for_each(|v| absolute_urls(v, out)),
        Value::Object(map) => map.values().for_each(|v| absolute_urls(v, out)),
        _ => {}
    }
}

/// Links to other sites that a document may carry: OGC specification and CRS identifiers,
/// and the licences and sources of the data.
fn is_external(url: &str) -> bool {
    !url.contains("maps.example.bg") && !url.contains("127.0.0.1") && !url.contains("localhost")
}

async fn proxied(app: &TestApp, path: &str) -> Value {
    let resp = app
        .client
        .get(app.url(path))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "maps.example.bg")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn behind_a_tls_proxy_every_absolute_link_of_every_endpoint_agrees() {
    let app = spawn_app_with(zagore::Config {
        trust_forwarded_headers: true,
        ..test_config()
    })
    .await;
    let (_, page) = app.get_json("/collections/plots/items?limit=1").await;
    let id = page["features"][0]["id"].as_str().unwrap().to_string();
    let paths = [
        "/".to_string(),
        "/conformance".to_string(),
        "/collections".to_string(),
        "/collections/plots".to_string(),
        "/collections/plots/queryables".to_string(),
        "/collections/plots/items?limit=2".to_string(),
        format!("/collections/plots/items/{id}"),
        "/collections/roads/items?limit=2&offset=2".to_string(),
        "/plots/search?q=27214".to_string(),
        "/tiles.json".to_string(),
        "/style.json".to_string(),
        "/map/config.json".to_string(),
        "/tileMatrixSets".to_string(),
        "/tileMatrixSets/WebMercatorQuad".to_string(),
        "/tiles".to_string(),
        "/tiles/WebMercatorQuad".to_string(),
        "/collections/plots/tiles".to_string(),
        "/collections/plots/tiles/WebMercatorQuad".to_string(),
    ];
    let mut checked = 0;
    for path in &paths {
        let body = proxied(&app, path).await;
        let mut urls = Vec::new();
        absolute_urls(&body, &mut urls);
        for url in urls.iter().filter(|u| !is_external(u)) {
            assert!(
                url.starts_with(&format!("{PUBLIC}/")),
                "{path} links to {url}, not under {PUBLIC}"
            );
            checked += 1;
        }
    }
    // Links the client cannot see otherwise: the tiles' template and the style's sources.
    assert!(checked > 30, "only {checked} links checked");
    let tilejson = proxied(&app, "/tiles.json").await;
    assert!(tilejson["tiles"][0]
        .as_str()
        .unwrap()
        .starts_with(&format!("{PUBLIC}/tiles/")));
}

#[tokio::test]
async fn without_trust_the_forwarded_headers_change_no_link() {
    let app = spawn_app_with(test_config()).await;
    for path in ["/collections", "/tiles.json", "/style.json"] {
        let body = proxied(&app, path).await;
        let mut urls = Vec::new();
        absolute_urls(&body, &mut urls);
        assert!(
            urls.iter().all(|u| !u.contains("maps.example.bg")),
            "{path}: {urls:?}"
        );
    }
}

#[tokio::test]
async fn a_host_that_is_not_host_and_port_is_refused_by_every_endpoint_that_builds_links() {
    let app = spawn_app_with(test_config()).await;
    for host in [
        "javascript:alert(1)",
        "127.0.0.1:18081@evil",
        "a b",
        "x/y",
        "h:99999",
    ] {
        for path in [
            "/",
            "/collections",
            "/collections/plots/items?limit=1",
            "/tiles.json",
            "/style.json",
            "/tiles",
            "/collections/plots/tiles/WebMercatorQuad",
        ] {
            let resp = app
                .client
                .get(app.url(path))
                .header("host", host)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 400, "Host {host:?} on {path}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["parameter"], "Host", "Host {host:?} on {path}: {body}");
        }
    }
}

#[tokio::test]
async fn answers_built_from_the_host_say_so_in_vary() {
    let app = spawn_app_with(test_config()).await;
    for path in [
        "/collections",
        "/tiles.json",
        "/style.json",
        "/tiles/WebMercatorQuad",
    ] {
        let resp = app.get(path).await;
        let vary = resp.headers()["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(vary.contains("host"), "{path}: Vary {vary}");
    }
}

#[tokio::test]
async fn health_shows_no_server_paths() {
    let app = spawn_app_with(test_config()).await;
    let text = app.get("/health").await.text().await.unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(!text.contains(root), "{text}");
    assert!(!text.contains("data_dir"), "{text}");
}
