//! The HTTP edge against a hostile or careless client (issue 12): slow and oversized bodies,
//! connections that never finish their request, missing security headers, empty error
//! bodies, case-sensitive bearer schemes, non-canonical tile addresses. Each test is named
//! after what broke.

use crate::common;

use std::time::{Duration, Instant};

use common::{spawn_app_with, test_config, TestApp};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "edge-test-admin-token-0123456789";

async fn app_with_short_timeouts(max_in_flight: usize) -> TestApp {
    spawn_app_with(zagore::Config {
        max_concurrent_requests: max_in_flight,
        body_read_timeout_secs: 1,
        header_read_timeout_secs: 1,
        admin_token: Some(TOKEN.to_string()),
        ..test_config()
    })
    .await
}

/// Sends raw bytes on a new connection and reads what comes back until the server closes it
/// or `wait` is over.
async fn raw_exchange(app: &TestApp, request: &[u8], wait: Duration) -> (String, bool) {
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    socket.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match tokio::time::timeout(wait, socket.read(&mut buf)).await {
            Err(_) => break false,
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
        }
    };
    (String::from_utf8_lossy(&answer).into_owned(), closed)
}

#[tokio::test]
async fn a_content_length_over_the_body_limit_is_413_at_once_not_503_after_the_time_limit() {
    let app = app_with_short_timeouts(8).await;
    let started = Instant::now();
    let request = b"POST /measure HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{";
    let (answer, _) = raw_exchange(&app, request, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_chunked_body_that_grows_past_the_limit_is_413() {
    let app = spawn_app_with(zagore::Config {
        max_body_bytes: 1000,
        ..test_config()
    })
    .await;
    let mut request =
        b"POST /measure HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = vec![b' '; 600];
    for _ in 0..3 {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    let (answer, _) = raw_exchange(&app, &request, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn trickling_bodies_do_not_take_the_in_flight_slots_and_are_cut_off_with_408() {
    let app = app_with_short_timeouts(4).await;
    // Far more trickling bodies than there are slots.
    let mut sockets = Vec::new();
    for _ in 0..40 {
        let mut socket = TcpStream::connect(app.addr).await.unwrap();
        socket
            .write_all(b"POST /measure HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            .await
            .unwrap();
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // While they trickle, the service answers.
    for _ in 0..3 {
        let resp = app.get("/health").await;
        assert_eq!(resp.status(), 200, "the slow bodies hold the slots");
    }
    // And each of them is cut off with 408 after the body-read timeout.
    let mut socket = sockets.pop().unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "the slow body was never cut off");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_request_head_is_closed() {
    let app = app_with_short_timeouts(8).await;
    let started = Instant::now();
    let (_, closed) = raw_exchange(
        &app,
        b"GET /health HTTP/1.1\r\nHost: loc",
        Duration::from_secs(5),
    )
    .await;
    assert!(
        closed,
        "the half-sent request head kept its connection open"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn html_pages_send_a_content_security_policy_and_every_answer_nosniff() {
    let app = spawn_app_with(zagore::Config {
        frame_ancestors: "'self' https://invest.example.bg".to_string(),
        ..test_config()
    })
    .await;
    for path in ["/api?f=html", "/map"] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert!(
            csp.ends_with("frame-ancestors 'self' https://invest.example.bg"),
            "{path}: {csp}"
        );
    }
    for path in ["/", "/collections", "/tiles.json", "/health", "/nowhere"] {
        let resp = app.get(path).await;
        assert_eq!(
            resp.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
        assert!(resp.headers().contains_key("referrer-policy"), "{path}");
    }
}

#[tokio::test]
async fn the_viewer_may_be_framed_by_anyone_by_default() {
    let app = spawn_app_with(test_config()).await;
    let resp = app.get("/map").await;
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.ends_with("frame-ancestors *"), "{csp}");
}

#[tokio::test]
async fn method_not_allowed_and_not_found_answers_have_problem_bodies() {
    let app = app_with_short_timeouts(8).await;
    let checks = [
        (reqwest::Method::GET, "/measure", 405),
        (reqwest::Method::DELETE, "/health", 405),
        (reqwest::Method::GET, "/admin/reload", 405),
        (reqwest::Method::GET, "/no/such/thing", 404),
    ];
    for (method, path, status) in checks {
        let resp = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{method} {path}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        if status == 405 {
            assert!(resp.headers().contains_key("allow"), "{method} {path}");
        }
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], status, "{method} {path}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = app_with_short_timeouts(8).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = app
            .client
            .post(app.url("/admin/reload"))
            .header("authorization", format!("{scheme} {TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{scheme}");
    }
    let resp = app
        .client
        .post(app.url("/admin/reload"))
        .header("authorization", format!("Bearer {}", TOKEN.to_uppercase()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "the token itself is case-sensitive");
}

#[tokio::test]
async fn unknown_parameters_on_admin_reload_are_refused() {
    let app = app_with_short_timeouts(8).await;
    let resp = app
        .client
        .post(app.url("/admin/reload?force=1"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["parameter"], "force", "{body}");
}

#[tokio::test]
async fn tile_addresses_with_leading_zeros_are_refused() {
    let app = spawn_app_with(test_config()).await;
    let (status, body) = app.get_json("/tiles/14/09359/6057.mvt").await;
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "x", "{body}");
    let (status, body) = app.get_json("/tiles/14/9359/006057.mvt").await;
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "y", "{body}");
    let resp = app.get("/tiles/14/9359/6057.mvt").await;
    assert!(resp.status() == 200 || resp.status() == 204);
}

#[tokio::test]
async fn glyphs_are_served_and_a_missing_range_is_a_valid_empty_one() {
    let app = spawn_app_with(test_config()).await;
    let resp = app.get("/fonts/Noto%20Sans%20Regular/0-255.pbf").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-protobuf");
    let on_disk = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("web/fonts/Noto Sans Regular/0-255.pbf"),
    )
    .unwrap();
    assert_eq!(resp.bytes().await.unwrap().as_ref(), on_disk.as_slice());
    let resp = app.get("/fonts/Noto%20Sans%20Bold/19968-20223.pbf").await;
    assert_eq!(resp.status(), 200);
}

#[test]
fn the_viewer_is_found_when_the_binary_is_started_from_another_folder() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    let elsewhere = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(common::bundled_geodata())
        .current_dir(elsewhere.path())
        .env("RUST_LOG", "zagore=info")
        .env_remove("ZAGORE_CONFIG")
        // Not the bundled folder's default `register.sqlite`: the browser tests copy that
        // folder, and a register left in it would override their plots' statuses.
        .env("ZAGORE_REGISTER", elsewhere.path().join("register.sqlite"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(rest) = line.split("serving the zone on http://").nth(1) {
            break rest.trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let mut socket = std::net::TcpStream::connect(&addr).unwrap();
    socket
        .write_all(b"GET /map HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(300)]
    );
}

/// Regression: query values were decoded lossily (axum's `Query` through serde), so bytes
/// that are not UTF-8 became replacement characters and were searched for; and a rejection
/// was mapped by picking the parameter out of serde's message. Now the pairs are decoded
/// strictly, and a bad one is a 400 naming it.
#[tokio::test]
async fn a_query_value_that_is_not_utf8_is_a_400_naming_it() {
    let app = spawn_app_with(test_config()).await;
    for (path, parameter) in [
        ("/plots/search?q=%FF%FE", "q"),
        ("/collections/plots/items?limit=1&crs=%C3", "crs"),
        ("/distances?lon=25.6&lat=%E2%82", "lat"),
        ("/collections?%FF=1", "query"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 400, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }
    // `+` is a space and escapes decode, as in any HTML form.
    let (status, body) = app.get_json("/plots/search?q=%D0%A3%D0%9F%D0%98+II").await;
    assert_eq!(status, 200);
    assert!(body["numberMatched"].as_u64().unwrap() >= 3, "{body}");
}
