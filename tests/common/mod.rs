//! Shared test helpers: start the real application on port 0 and talk HTTP to it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use zagore::{AppState, Config};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    _reloader: zagore::reload::Reloader,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    pub async fn get_json(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let resp = self.get(path).await;
        let status = resp.status();
        let body = resp.json().await.expect("body is not JSON");
        (status, body)
    }
}

/// The repository's bundled geodata folder.
pub fn bundled_geodata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata")
}

/// The configuration the tests run with: the bundled data and viewer, no file watching.
pub fn test_config() -> Config {
    Config {
        data_dir: bundled_geodata(),
        web_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("web"),
        watch: false,
        ..Config::default()
    }
}

/// Starts the service on the bundled geodata.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_config()).await
}

/// Starts the service with this configuration, listening on a free port of 127.0.0.1.
pub async fn spawn_app_with(mut config: Config) -> TestApp {
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let state = tokio::task::spawn_blocking(move || zagore::build_state(config))
        .await
        .expect("build_state panicked")
        .expect("the app failed to start");
    let listener = zagore::http::bind(state.config().listen)
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let served = state.clone();
    let reloader = zagore::reload::start(&state);
    tokio::spawn(async move {
        let _ = zagore::http::serve(listener, served).await;
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        state,
        _reloader: reloader,
    }
}
