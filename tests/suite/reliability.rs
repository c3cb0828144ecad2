//! Reliability over HTTP: the live service reloads good data, refuses bad data while it
//! keeps serving the last good version, guards its admin endpoint, reports metrics, limits
//! absurd requests, and drains requests in flight on SIGTERM.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{spawn_app_with, test_config, TestApp};
use serde_json::Value;

const TOKEN: &str = "test-admin-token-0123456789";

/// A writable copy of the bundled geodata.
fn copy_of_geodata() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// The app serving a writable copy of the bundled geodata and watching it for changes.
async fn watching_a_copy() -> (tempfile::TempDir, TestApp) {
    let dir = copy_of_geodata();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        watch: true,
        ..test_config()
    })
    .await;
    (dir, app)
}

async fn health(app: &TestApp) -> Value {
    app.get_json("/health").await.1
}

/// Polls /health until `check` holds (the watcher reacts within about half a second).
async fn wait_for(app: &TestApp, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = health(app).await;
        if check(&h) {
            return h;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {h:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Removes the last plot of plots.geojson (the file has one feature per line).
fn drop_last_plot(dir: &Path) {
    let path = dir.join("plots.geojson");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let last = lines
        .iter()
        .rposition(|l| l.starts_with("{\"type\": \"Feature\""))
        .unwrap();
    lines.remove(last);
    let prev = lines[last - 1].trim_end_matches(',').to_string();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[last - 1] = prev;
    // Write the new version beside the old and rename it in, as a careful deploy would.
    let tmp = dir.join(".plots.geojson.tmp");
    std::fs::write(&tmp, out.join("\n") + "\n").unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[tokio::test]
async fn a_corrupt_file_keeps_the_old_data_and_a_valid_change_is_picked_up() {
    let (dir, app) = watching_a_copy().await;
    let before = health(&app).await;
    assert_eq!(before["status"], "ok");
    assert_eq!(before["layers"]["plots"], 18);
    let good_version = before["data_version"].as_str().unwrap().to_string();

    // A half-written plots file: cut in the middle of a feature.
    let plots = std::fs::read(dir.path().join("plots.geojson")).unwrap();
    std::fs::write(dir.path().join("plots.geojson"), &plots[..plots.len() / 2]).unwrap();
    let degraded = wait_for(&app, "the refused reload", |h| h["status"] == "degraded").await;
    assert_eq!(
        degraded["data_version"],
        good_version.as_str(),
        "bad data replaced good data"
    );
    assert_eq!(degraded["layers"]["plots"], 18);
    let message = degraded["last_reload_error"]["message"].as_str().unwrap();
    assert!(
        message.contains("plots.geojson") && message.contains("not JSON"),
        "{message}"
    );
    // Still answering from the old version.
    let (status, _) = app.get_json("/health").await;
    assert_eq!(status, 200);

    // The complete file comes back, minus one plot: a valid change.
    std::fs::write(dir.path().join("plots.geojson"), &plots).unwrap();
    drop_last_plot(dir.path());
    let after = wait_for(&app, "the new version", |h| h["layers"]["plots"] == 17).await;
    assert_eq!(after["status"], "ok");
    assert_ne!(after["data_version"], good_version.as_str());
    assert!(after["last_reload_error"].is_null());
}

/// The `zagore_reloads_total` counter from /metrics.
async fn reloads_run(app: &TestApp) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("zagore_reloads_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no zagore_reloads_total in {text}"))
}

#[tokio::test]
async fn reading_the_data_folder_does_not_reload_it_but_writing_does() {
    let (dir, app) = watching_a_copy().await;
    // Something else reads every file (a backup, `zagore check`, a second server): before
    // the fix each read set off a reload, whose own reading set off the next, for ever.
    for _ in 0..3 {
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let _ = std::fs::read(entry.unwrap().path()).unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(reloads_run(&app).await, 0, "reads must not reload");

    // Writing a file (here the same bytes again) is a change: one reload, then quiet.
    let plots = dir.path().join("plots.geojson");
    std::fs::write(&plots, std::fs::read(&plots).unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while reloads_run(&app).await == 0 {
        assert!(Instant::now() < deadline, "the write was not picked up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        reloads_run(&app).await,
        1,
        "a reload must not set off another"
    );
}

async fn reload_with_token(app: &TestApp) -> reqwest::Response {
    app.client
        .post(app.url("/admin/reload"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn admin_reload_needs_the_token() {
    let dir = copy_of_geodata();
    let disabled = spawn_app_with(test_config()).await;
    let resp = disabled
        .client
        .post(disabled.url("/admin/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "admin must be off without a token");

    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        admin_token: Some(TOKEN.to_string()),
        ..test_config()
    })
    .await;
    let url = app.url("/admin/reload");
    let resp = app.client.post(&url).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    let resp = app
        .client
        .post(&url)
        .bearer_auth("test-admin-token-0123456788")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let resp = reload_with_token(&app).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["outcome"], "unchanged");

    drop_last_plot(dir.path());
    let body: Value = reload_with_token(&app).await.json().await.unwrap();
    assert_eq!(body["outcome"], "replaced", "{body}");
    assert_eq!(health(&app).await["layers"]["plots"], 17);

    // Bad data through the admin endpoint: 422 with the problem, old data kept.
    std::fs::write(
        dir.path().join("plots.geojson"),
        "{\"type\": \"FeatureCollection\"",
    )
    .unwrap();
    let resp = reload_with_token(&app).await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("plots.geojson"),
        "{body}"
    );
    assert_eq!(health(&app).await["layers"]["plots"], 17);
}

/// Regression: a data file that was a FIFO hung a reload for ever (and `/admin/reload`
/// answered 503 from then on); a symbolic link out of the data folder was followed.
#[tokio::test]
async fn a_fifo_or_a_link_out_of_the_data_folder_is_refused_at_once() {
    let dir = copy_of_geodata();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        admin_token: Some(TOKEN.to_string()),
        ..test_config()
    })
    .await;
    let poi = dir.path().join("poi.geojson");
    let original = std::fs::read(&poi).unwrap();
    let reload_quickly = || async {
        tokio::time::timeout(Duration::from_secs(10), reload_with_token(&app))
            .await
            .expect("the reload hung")
    };

    std::fs::remove_file(&poi).unwrap();
    let made = Command::new("mkfifo").arg(&poi).status().unwrap();
    assert!(made.success(), "mkfifo");
    let resp = reload_quickly().await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("poi.geojson") && detail.contains("regular file"),
        "{body}"
    );
    let h = health(&app).await;
    assert_eq!(h["status"], "degraded", "{h:#}");
    assert_eq!(
        h["layers"]["poi"],
        serde_json::json!(original_poi_count(&original))
    );

    // A link to a file outside the folder, even one with the right content.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("poi.geojson"), &original).unwrap();
    std::fs::remove_file(&poi).unwrap();
    std::os::unix::fs::symlink(outside.path().join("poi.geojson"), &poi).unwrap();
    let resp = reload_quickly().await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("outside the data folder"),
        "{body}"
    );

    // The real file back: the service reloads again (the stuck reader did not stay behind).
    std::fs::remove_file(&poi).unwrap();
    std::fs::write(&poi, &original).unwrap();
    let resp = reload_quickly().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(health(&app).await["status"], "ok");
}

fn original_poi_count(bytes: &[u8]) -> usize {
    let v: Value = serde_json::from_slice(bytes).unwrap();
    v["features"].as_array().unwrap().len()
}

#[tokio::test]
async fn metrics_count_requests_and_describe_the_data() {
    let app = spawn_app_with(test_config()).await;
    for _ in 0..3 {
        app.get("/health").await;
    }
    app.get("/nothing/here").await;
    // The same tile twice: encoded once, then served from the cache.
    for _ in 0..2 {
        assert_eq!(app.get("/tiles/14/9359/6059.mvt").await.status(), 200);
    }
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let version = app.state.zone().dataset.version.clone();
    for needle in [
        r#"zagore_http_requests_total{route="/health",method="GET",status="200"} 3"#.to_string(),
        r#"zagore_http_requests_total{route="unmatched",method="GET",status="404"} 1"#.to_string(),
        r#"zagore_http_request_duration_seconds_bucket{le="#.to_string(),
        format!(r#"zagore_data_version{{version="{version}"}} 1"#),
        "zagore_data_loaded_timestamp_seconds ".to_string(),
        "zagore_reload_failures_total 0".to_string(),
        "zagore_tile_cache_hits_total 1".to_string(),
        "zagore_tile_cache_misses_total 1".to_string(),
        "zagore_tile_cache_entries 1".to_string(),
        r#"zagore_features{layer="plots"} 18"#.to_string(),
    ] {
        assert!(text.contains(&needle), "{needle} missing from:\n{text}");
    }
}

/// Regression: Schemathesis's TRACE with a filter at its documented length got the edge's
/// 414 where the method, which no route serves, is the client's mistake: 405.
#[tokio::test]
async fn a_method_no_route_serves_is_a_405_however_long_its_target() {
    let app = spawn_app_with(test_config()).await;
    let long = format!("/collections/plots/items?filter={}", "0".repeat(10_000));
    for method in ["TRACE", "PUT"] {
        let resp = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(&long),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method}");
    }
    // The methods it does serve still meet the limit first, before any work.
    let resp = app.get(&long).await;
    assert_eq!(resp.status(), 414);
}

#[tokio::test]
async fn absurd_requests_get_4xx_problems() {
    let app = spawn_app_with(test_config()).await;
    let long = format!("/health?x={}", "a".repeat(10_000));
    let resp = app.get(&long).await;
    assert_eq!(resp.status(), 414);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app.get("/map/assets/..%2F..%2FCargo.toml").await;
    assert!(
        resp.status() == 404 || resp.status() == 400,
        "{}",
        resp.status()
    );
    let resp = app.get("/map/vendor/..%2F..%2F..%2FCargo.toml").await;
    assert!(
        resp.status() == 404 || resp.status() == 400,
        "{}",
        resp.status()
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app_with(test_config()).await;
    let a = app.get("/health").await;
    let b = app.get("/health").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id(&a).len(), 36);
    assert_ne!(id(&a), id(&b));
}

/// Starts the real binary, returns it and its base URL.
fn start_binary(data: &Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("RUST_LOG", "zagore=info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(rest) = line.split("serving the zone on ").nth(1) {
            break rest.trim_end_matches('/').to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

#[tokio::test]
async fn sigterm_drains_requests_in_flight() {
    let (child, base) = start_binary(&common::bundled_geodata());
    let client = reqwest::Client::new();
    // A burst of requests, and SIGTERM once the first answers are back, while the rest are
    // being answered.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = client.clone();
        let done = done.clone();
        let url = format!("{base}/metrics?n={i}");
        tasks.push(tokio::spawn(async move {
            let resp = client.get(url).send().await;
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let resp = resp?;
            let status = resp.status();
            // Read the whole body: a response cut off by the shutdown fails here.
            let body = resp.text().await?;
            Ok::<_, reqwest::Error>((status, body))
        }));
    }
    while done.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut answered = 0;
    for task in tasks {
        // Every request the server took before the signal is answered in full; connections
        // still in the listen queue when it stopped accepting are closed unanswered (the
        // client may retry them), but no response is ever cut off half-way or turned into a 5xx.
        match task.await.unwrap() {
            Ok((status, body)) => {
                assert_eq!(status, 200);
                assert!(body.contains("# EOF"), "truncated metrics body");
                answered += 1;
            }
            Err(e) => assert!(!e.is_body() && !e.is_decode(), "response cut off: {e}"),
        }
    }
    assert!(answered > 0, "no request was answered before shutdown");
    let mut child = child;
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit}");
}
