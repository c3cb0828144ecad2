//! The viewer's HTTP side (`/map`, its assets, modules and vendored MapLibre, `/style.json`)
//! as a browser, a cache and a careless request see it: no redirect out of `/map/vendor`,
//! no file system path in a public answer, ETags and 304s, problem bodies for 404 and 405,
//! every module the page imports served, and a style that opens on the zone with ids that
//! do not clash with another site's.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{spawn_app, spawn_app_with, test_config, TestApp};
use reqwest::header::{ALLOW, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn assert_problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status, "{}", resp.url());
    assert!(
        resp.headers().get(LOCATION).is_none(),
        "{} redirects",
        resp.url()
    );
    let ct = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert_eq!(ct, "application/problem+json", "{}", resp.url());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

/// Sends `GET path` as it is (an HTTP client would resolve `.` and `..` first) and returns
/// the answer's head and body.
async fn raw_get(app: &TestApp, path: &str) -> (String, String) {
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_ascii_lowercase(), body.to_string())
}

#[tokio::test]
async fn dot_paths_under_map_vendor_are_404_problems_not_redirects_out_of_it() {
    let app = spawn_app().await;
    for path in [
        "/map/vendor/.",
        "/map/vendor/..",
        "/map/vendor/./",
        "/map/vendor/../app.js",
    ] {
        let (head, body) = raw_get(&app, path).await;
        assert!(head.starts_with("http/1.1 404"), "{path}: {head}");
        assert!(!head.contains("\r\nlocation:"), "{path} redirects: {head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{path}: {head}"
        );
        assert!(body.contains("\"status\":404"), "{path}: {body}");
    }
    let client = no_redirects();
    for path in [
        "/map/vendor/",
        "/map/vendor/%2e",
        "/map/vendor/.%2e/Cargo.toml",
        "/map/vendor/..%2f..%2fpackage.json",
        "/map/vendor/maplibre-gl.d.ts",
        "/map/vendor/nope.mjs",
        "/map/vendor/sub/maplibre-gl.mjs",
    ] {
        let resp = client.get(app.url(path)).send().await.unwrap();
        assert_problem(resp, 404).await;
    }
    // What is there is served, as a script.
    let resp = client
        .get(app.url("/map/vendor/maplibre-gl.mjs"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
}

#[tokio::test]
async fn a_missing_viewer_is_a_503_that_names_no_path() {
    let empty = tempfile::tempdir().unwrap();
    let app = spawn_app_with(zagore::Config {
        web_dir: empty.path().to_path_buf(),
        ..test_config()
    })
    .await;
    for path in [
        "/map",
        "/map/",
        "/map/assets/app.js",
        "/map/assets/modules/map.js",
        "/map/vendor/maplibre-gl.mjs",
    ] {
        let resp = app.get(path).await;
        let body = assert_problem(resp, 503).await;
        assert_eq!(body["detail"], "the map viewer is not installed", "{path}");
        let text = body.to_string();
        let dir = empty.path().display().to_string();
        assert!(!text.contains(&dir), "{path}: {text}");
        assert!(!text.contains("No such file"), "{path}: {text}");
        assert!(!text.contains("web/"), "{path}: {text}");
    }
}

#[tokio::test]
async fn viewer_files_have_strong_etags_and_answer_if_none_match_with_304() {
    let app = spawn_app().await;
    for path in [
        "/map",
        "/map/assets/app.js",
        "/map/assets/app.css",
        "/map/assets/modules/map.js",
        "/map/vendor/maplibre-gl.mjs",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let etag = resp.headers()[ETAG].to_str().unwrap().to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: {etag}"
        );
        let body = resp.bytes().await.unwrap();
        // The same bytes, the same tag.
        let again = app.get(path).await;
        assert_eq!(again.headers()[ETAG], etag.as_str(), "{path}");
        assert_eq!(again.bytes().await.unwrap(), body);

        for sent in [etag.clone(), format!("W/{etag}"), format!("\"x\", {etag}")] {
            let resp = app
                .client
                .get(app.url(path))
                .header(IF_NONE_MATCH, &sent)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 304, "{path} with If-None-Match: {sent}");
            assert_eq!(resp.headers()[ETAG], etag.as_str());
            assert!(resp.bytes().await.unwrap().is_empty());
        }
        let resp = app
            .client
            .get(app.url(path))
            .header(IF_NONE_MATCH, "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.bytes().await.unwrap(), body);
    }
}

#[tokio::test]
async fn unknown_viewer_paths_and_methods_are_problem_json() {
    let app = spawn_app().await;
    let client = no_redirects();
    for path in [
        "/map/assets/nope.js",
        "/map/assets/package.json",
        "/map/assets/index.html",
        "/map/assets/modules/nope.js",
        "/map/assets/modules/..%2fapp.js",
        "/map/assets/modules/",
        "/map/assets/node_modules/maplibre-gl/package.json",
        "/map/nope",
    ] {
        let resp = client.get(app.url(path)).send().await.unwrap();
        assert_problem(resp, 404).await;
    }
    for path in [
        "/map",
        "/map/assets/app.js",
        "/map/assets/modules/map.js",
        "/map/vendor/maplibre-gl.mjs",
        "/map/config.json",
    ] {
        let resp = client.post(app.url(path)).send().await.unwrap();
        assert!(resp.headers().contains_key(ALLOW), "{path}");
        assert_problem(resp, 405).await;
    }
}

/// The paths a script imports (`from "…"` and `import("…")`), resolved against its URL.
fn imports(script: &str, url_dir: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in script.split("from \"").skip(1) {
        let target = piece.split('"').next().unwrap();
        found.push(resolve(url_dir, target));
    }
    found
}

fn resolve(dir: &str, target: &str) -> String {
    if target.starts_with('/') {
        return target.to_string();
    }
    let mut parts: Vec<&str> = dir.trim_end_matches('/').split('/').collect();
    for segment in target.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

async fn assert_served_script(app: &TestApp, path: &str) -> String {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "{path} is imported but not served");
    let ct = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/javascript"), "{path}: {ct}");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn every_module_of_the_viewer_is_served_and_nothing_else_of_web() {
    let app = spawn_app().await;
    // Every file of web/modules/ is on the allow-list.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/modules");
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".js") {
            assert_served_script(&app, &format!("/map/assets/modules/{name}")).await;
            on_disk.insert(name);
        }
    }
    assert!(on_disk.len() >= 5, "{on_disk:?}");
    // Everything the page imports, transitively, is served.
    let mut todo = vec!["/map/assets/app.js".to_string()];
    let mut seen = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) || path.starts_with("/map/vendor/") {
            continue;
        }
        let text = assert_served_script(&app, &path).await;
        let here = path.rsplit_once('/').unwrap().0;
        todo.extend(imports(&text, here));
    }
    assert!(seen.contains("/map/vendor/maplibre-gl.mjs"), "{seen:?}");
    // No data through innerHTML, in any of the viewer's scripts.
    for path in &seen {
        if !path.starts_with("/map/vendor/") {
            let text = app.get(path).await.text().await.unwrap();
            assert!(!text.contains("innerHTML"), "{path} uses innerHTML");
            assert!(!text.contains("insertAdjacentHTML"), "{path}");
        }
    }
}

#[tokio::test]
async fn the_style_opens_on_the_zone_and_its_layer_ids_are_prefixed() {
    let app = spawn_app().await;
    let (status, style) = app.get_json("/style.json").await;
    assert_eq!(status, 200);
    let (_, plots) = app.get_json("/collections/plots?f=json").await;
    let bbox: Vec<f64> = plots["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // The style's built-in extent is the served plots' one.
    for (ours, served) in zagore::tiles::style::ZONE_PLOTS_EXTENT.iter().zip(&bbox) {
        assert!((ours - served).abs() < 2e-3, "{ours} vs {served}");
    }
    let lon = style["center"][0].as_f64().expect("center");
    let lat = style["center"][1].as_f64().expect("center");
    assert!(lon > bbox[0] && lon < bbox[2], "{lon}");
    assert!(lat > bbox[1] && lat < bbox[3], "{lat}");
    let zoom = style["zoom"].as_f64().expect("zoom");
    // The plots are in the tiles from z12: a map made from the style alone draws them.
    assert!((12.0..=15.0).contains(&zoom), "{zoom}");
    for layer in style["layers"].as_array().unwrap() {
        let id = layer["id"].as_str().unwrap();
        assert!(id.starts_with("zagore-"), "{id}");
    }
}

#[tokio::test]
async fn the_viewer_config_has_no_base_map_unless_one_is_set_and_the_cadastre_link_pattern() {
    let app = spawn_app().await;
    let (status, config) = app.get_json("/map/config.json").await;
    assert_eq!(status, 200);
    assert_eq!(config["base_map"], Value::Null);
    assert_eq!(
        config["cadastre_url"],
        "https://kais.cadastre.bg/bg/Map?cadnum={id}"
    );
    let csp = app.get("/map").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("connect-src 'self';"), "{csp}");

    let vector = spawn_app_with(zagore::Config {
        base_map_style: Some("https://styles.example.org/base.json".into()),
        base_map_attribution: Some("© Example".into()),
        cadastre_url: None,
        ..test_config()
    })
    .await;
    let (_, config) = vector.get_json("/map/config.json").await;
    assert_eq!(
        config["base_map"],
        serde_json::json!({"style": "https://styles.example.org/base.json", "attribution": "© Example"})
    );
    assert_eq!(config["cadastre_url"], Value::Null);
    let csp = vector.get("/map").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("connect-src 'self' https://styles.example.org;"),
        "{csp}"
    );
}
