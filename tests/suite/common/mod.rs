//! Shared test helpers: start the real application on port 0 and talk HTTP to it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use zagore::http::AppState;
use zagore::{Application, Config};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The app's own register (a fresh one per app unless the config named one).
    pub register_dir: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// A query value percent-encoded as a form would send it: everything but RFC 3986's
/// unreserved characters.
pub fn urlencode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(s, RESERVED).to_string()
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

/// Starts the service with this configuration, listening on a free port of 127.0.0.1: the
/// same `Application::build` and `run` as `zagore serve`.
pub async fn spawn_app_with(mut config: Config) -> TestApp {
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    // Never the bundled folder's `register.sqlite`: each app starts from its own import.
    let register_dir = match config.register {
        Some(_) => None,
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            config.register = Some(dir.path().join("register.sqlite"));
            Some(std::sync::Arc::new(dir))
        }
    };
    let app = tokio::task::spawn_blocking(move || Application::build(config))
        .await
        .expect("Application::build panicked")
        .expect("the app failed to start");
    let addr = app.local_addr().expect("local addr");
    let state = app.state().clone();
    tokio::spawn(async move {
        let _ = app.run().await;
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        state,
        register_dir,
    }
}

/// Fails the test, saying what it is for and how to install it, when `tool` is not on the
/// PATH: a test that needs a real client never skips silently.
pub fn need_tool(tool: &str, purpose: &str, install: &str) {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v '{tool}'"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{tool}` is needed {purpose}; install it with: {install}"
    );
}
