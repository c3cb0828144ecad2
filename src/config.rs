//! Service configuration: defaults, overridden by a TOML file (`--config` or
//! `ZAGORE_CONFIG`), overridden by environment variables and command-line flags.
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! data = "/srv/zagore/geodata"
//! proj_data = "/usr/local/share/proj"
//! public_url = "https://maps.example.bg"
//! trust_forwarded_headers = false
//! frame_ancestors = "*"
//! max_zoom = 22
//! tile_buffer = 64
//! tile_cache_mb = 64
//! web_dir = "/srv/zagore/web"
//! base_map_tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
//! base_map_attribution = "© OpenStreetMap contributors"
//! # or a vector base map: a MapLibre style's URL
//! # base_map_style = "https://tiles.openfreemap.org/styles/positron"
//! cadastre_url = "https://kais.cadastre.bg/bg/Map?cadnum={id}"
//! admin_token = "a long random string"
//! register = "/var/lib/zagore/register.sqlite"
//! watch = true
//! request_timeout_secs = 10
//! header_read_timeout_secs = 10
//! body_read_timeout_secs = 5
//! max_concurrent_requests = 256
//! max_body_bytes = 1048576
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The cadastre agency's (АГКК) public map, КАИС, where anyone can look a plot up by its
/// identifier: where a card's "official record" link goes unless `cadastre_url` says
/// otherwise.
pub const DEFAULT_CADASTRE_URL: &str = "https://kais.cadastre.bg/bg/Map?cadnum={id}";

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: SocketAddr,
    /// The geodata folder (default ./geodata).
    pub data_dir: PathBuf,
    /// The folder holding PROJ's `proj.db`, when it is not where PROJ looks by itself.
    pub proj_data: Option<PathBuf>,
    /// The URL clients reach the service at, for absolute links (TileJSON, OGC API);
    /// default: taken from each request's Host header.
    pub public_url: Option<String>,
    /// Take the public scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host` when
    /// `public_url` is not set (default false: only behind a proxy that sets them itself).
    pub trust_forwarded_headers: bool,
    /// Who may frame the viewer: the CSP `frame-ancestors` sources (default `*`, anyone, as
    /// the viewer is made to be embedded; e.g. `'self' https://invest.example.bg`).
    pub frame_ancestors: String,
    /// Highest zoom level tiles are served for (default 22).
    pub max_zoom: u8,
    /// Tile buffer in tile units of a 4096 extent (default 64).
    pub tile_buffer: u32,
    /// Memory budget of the tile cache in MiB (default 64; 0 disables it).
    pub tile_cache_mb: usize,
    /// The web viewer's folder (default ./web), with MapLibre installed by npm in it.
    pub web_dir: PathBuf,
    /// An optional raster base map for the viewer, as an XYZ URL template
    /// (e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`); off by default, since the
    /// zone layer is readable on its own and many deployments have no internet.
    pub base_map_tiles: Option<String>,
    /// Or a vector base map: the URL of a MapLibre style, whose sources and layers (but not
    /// its labels, which need its own glyphs) the viewer draws under the zone.
    pub base_map_style: Option<String>,
    /// Attribution shown for the base map.
    pub base_map_attribution: Option<String>,
    /// The link from a plot's card to its official record: a URL pattern where `{id}` stands
    /// for the plot's cadastral identifier (URL-encoded); default [`DEFAULT_CADASTRE_URL`],
    /// the cadastre agency's public map; an empty string in the file turns the link off.
    pub cadastre_url: Option<String>,
    /// Bearer token for `/admin/…`; without one the admin endpoints are disabled.
    pub admin_token: Option<String>,
    /// The sales register: a SQLite file, or a `postgres://` URL shared by several servers
    /// (default `<data>/register.sqlite`).
    pub register: Option<PathBuf>,
    /// Reload when files in the data folder change (default true; SIGHUP and
    /// `POST /admin/reload` work either way).
    pub watch: bool,
    /// Longest time a request may take before it is answered 503 (default 10 s).
    pub request_timeout_secs: u64,
    /// Longest wait for a request's head (request line and headers) on a connection; a
    /// connection that does not send one in time is closed (default 10 s).
    pub header_read_timeout_secs: u64,
    /// Longest wait for a request's body; a body still arriving then is cut off with 408,
    /// before the request takes one of the in-flight slots (default 5 s).
    pub body_read_timeout_secs: u64,
    /// Requests handled at once; more are turned away with 503 and Retry-After (default 256).
    pub max_concurrent_requests: usize,
    /// Largest request body accepted, bytes (default 1 MiB; larger → 413).
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("geodata"),
            proj_data: None,
            public_url: None,
            trust_forwarded_headers: false,
            frame_ancestors: "*".to_string(),
            max_zoom: 22,
            tile_buffer: 64,
            tile_cache_mb: 64,
            web_dir: PathBuf::from("web"),
            base_map_tiles: None,
            base_map_style: None,
            base_map_attribution: None,
            cadastre_url: Some(DEFAULT_CADASTRE_URL.to_string()),
            admin_token: None,
            register: None,
            watch: true,
            request_timeout_secs: 10,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 5,
            max_concurrent_requests: 256,
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// The TOML file's shape: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub proj_data: Option<PathBuf>,
    pub public_url: Option<String>,
    pub trust_forwarded_headers: Option<bool>,
    pub frame_ancestors: Option<String>,
    pub max_zoom: Option<u8>,
    pub tile_buffer: Option<u32>,
    pub tile_cache_mb: Option<usize>,
    pub web_dir: Option<PathBuf>,
    pub base_map_tiles: Option<String>,
    pub base_map_style: Option<String>,
    pub base_map_attribution: Option<String>,
    pub cadastre_url: Option<String>,
    pub admin_token: Option<String>,
    pub register: Option<PathBuf>,
    pub watch: Option<bool>,
    pub request_timeout_secs: Option<u64>,
    pub header_read_timeout_secs: Option<u64>,
    pub body_read_timeout_secs: Option<u64>,
    pub max_concurrent_requests: Option<usize>,
    pub max_body_bytes: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error("max_zoom must be between 0 and 30, got {0}")]
    MaxZoom(u8),
    #[error("tile_buffer must be at most 2048 (half a tile), got {0}")]
    TileBuffer(u32),
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    #[error("admin_token must be at least 16 characters")]
    ShortToken,
    #[error("frame_ancestors must be CSP sources separated by spaces (e.g. `'self' https://example.bg` or `*`), got {0:?}")]
    FrameAncestors(String),
    #[error("{setting} must start with http:// or https://, got {url:?}")]
    Url { setting: &'static str, url: String },
}

impl FileConfig {
    pub fn read(path: &Path) -> Result<FileConfig, ConfigError> {
        let err = |message: String| ConfigError::File {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        toml::from_str(&text).map_err(|e| err(e.to_string()))
    }
}

impl Config {
    /// Applies a config file's values over these.
    pub fn with_file(mut self, file: FileConfig) -> Config {
        self.listen = file.listen.unwrap_or(self.listen);
        self.data_dir = file.data.unwrap_or(self.data_dir);
        self.proj_data = file.proj_data.or(self.proj_data);
        self.public_url = file.public_url.or(self.public_url);
        self.trust_forwarded_headers = file
            .trust_forwarded_headers
            .unwrap_or(self.trust_forwarded_headers);
        self.frame_ancestors = file.frame_ancestors.unwrap_or(self.frame_ancestors);
        self.max_zoom = file.max_zoom.unwrap_or(self.max_zoom);
        self.tile_buffer = file.tile_buffer.unwrap_or(self.tile_buffer);
        self.tile_cache_mb = file.tile_cache_mb.unwrap_or(self.tile_cache_mb);
        self.web_dir = file.web_dir.unwrap_or(self.web_dir);
        self.base_map_tiles = file.base_map_tiles.or(self.base_map_tiles);
        self.base_map_style = file.base_map_style.or(self.base_map_style);
        self.base_map_attribution = file.base_map_attribution.or(self.base_map_attribution);
        if let Some(url) = file.cadastre_url {
            self.cadastre_url = (!url.trim().is_empty()).then_some(url);
        }
        self.admin_token = file.admin_token.or(self.admin_token);
        self.register = file.register.or(self.register);
        self.watch = file.watch.unwrap_or(self.watch);
        self.request_timeout_secs = file
            .request_timeout_secs
            .unwrap_or(self.request_timeout_secs);
        self.header_read_timeout_secs = file
            .header_read_timeout_secs
            .unwrap_or(self.header_read_timeout_secs);
        self.body_read_timeout_secs = file
            .body_read_timeout_secs
            .unwrap_or(self.body_read_timeout_secs);
        self.max_concurrent_requests = file
            .max_concurrent_requests
            .unwrap_or(self.max_concurrent_requests);
        self.max_body_bytes = file.max_body_bytes.unwrap_or(self.max_body_bytes);
        self
    }

    /// Checks the values no type can check.
    pub fn validate(self) -> Result<Config, ConfigError> {
        if self.max_zoom > 30 {
            return Err(ConfigError::MaxZoom(self.max_zoom));
        }
        if self.tile_buffer > 2048 {
            return Err(ConfigError::TileBuffer(self.tile_buffer));
        }
        if self.request_timeout_secs == 0 {
            return Err(ConfigError::Zero("request_timeout_secs"));
        }
        if self.header_read_timeout_secs == 0 {
            return Err(ConfigError::Zero("header_read_timeout_secs"));
        }
        if self.body_read_timeout_secs == 0 {
            return Err(ConfigError::Zero("body_read_timeout_secs"));
        }
        if self.max_concurrent_requests == 0 {
            return Err(ConfigError::Zero("max_concurrent_requests"));
        }
        if self.admin_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::ShortToken);
        }
        let source_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"'*:/.-_".contains(&b))
        };
        if self.frame_ancestors.trim().is_empty()
            || !self.frame_ancestors.split_whitespace().all(source_ok)
        {
            return Err(ConfigError::FrameAncestors(self.frame_ancestors.clone()));
        }
        for (setting, url) in [
            ("public_url", &self.public_url),
            ("base_map_tiles", &self.base_map_tiles),
            ("base_map_style", &self.base_map_style),
            ("cadastre_url", &self.cadastre_url),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError::Url {
                        setting,
                        url: url.clone(),
                    });
                }
            }
        }
        Ok(self)
    }

    /// The viewer's folder: `web_dir` as configured when it exists; else, for a relative
    /// path, the same path beside the executable or two levels above it (a binary run from
    /// `target/release/` in a checkout), so `/map` works whatever the working directory.
    pub fn resolve_web_dir(&self) -> PathBuf {
        if self.web_dir.is_dir() || self.web_dir.is_absolute() {
            return self.web_dir.clone();
        }
        let beside_exe = std::env::current_exe().ok().and_then(|exe| {
            let dir = exe.parent()?.to_path_buf();
            [
                dir.join(&self.web_dir),
                dir.join("../share/zagore").join(&self.web_dir),
                dir.join("../..").join(&self.web_dir),
            ]
            .into_iter()
            .find(|candidate| candidate.join("index.html").is_file())
        });
        beside_exe.unwrap_or_else(|| self.web_dir.clone())
    }

    /// Where to look for `proj.db`: the configured folder, else `PROJ_DATA` (PROJ reads it
    /// itself), else `share/proj` beside or above the executable, else PROJ's own default
    /// (the database embedded in a static PROJ build, or the system PROJ's).
    pub fn resolve_proj_data(&self) -> Option<PathBuf> {
        if let Some(dir) = &self.proj_data {
            return Some(dir.clone());
        }
        if std::env::var_os("PROJ_DATA").is_some() || std::env::var_os("PROJ_LIB").is_some() {
            return None;
        }
        let exe = std::env::current_exe().ok()?;
        let exe_dir = exe.parent()?;
        [exe_dir.join("share/proj"), exe_dir.join("../share/proj")]
            .into_iter()
            .find(|dir| dir.join("proj.db").is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_override_defaults_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zagore.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ndata = \"/srv/geodata\"\nmax_zoom = 20\n",
        )
        .unwrap();
        let config = Config::default().with_file(FileConfig::read(&path).unwrap());
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.data_dir, PathBuf::from("/srv/geodata"));
        assert_eq!(config.max_zoom, 20);
        assert_eq!(config.tile_buffer, 64);

        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nlisten_port = 1\n").unwrap();
        let err = FileConfig::read(&path).unwrap_err().to_string();
        assert!(
            err.contains("listen_port") && err.contains("zagore.toml"),
            "{err}"
        );
    }

    #[test]
    fn the_cadastre_link_defaults_to_the_agency_map_and_an_empty_value_turns_it_off() {
        assert_eq!(
            Config::default().cadastre_url.as_deref(),
            Some(DEFAULT_CADASTRE_URL)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zagore.toml");
        std::fs::write(&path, "cadastre_url = \"\"\n").unwrap();
        let off = Config::default().with_file(FileConfig::read(&path).unwrap());
        assert_eq!(off.validate().unwrap().cadastre_url, None);
        std::fs::write(&path, "cadastre_url = \"https://x.example/p/{id}\"\n").unwrap();
        let own = Config::default().with_file(FileConfig::read(&path).unwrap());
        assert_eq!(
            own.validate().unwrap().cadastre_url.as_deref(),
            Some("https://x.example/p/{id}")
        );
        std::fs::write(&path, "cadastre_url = \"javascript:alert({id})\"\n").unwrap();
        let bad = Config::default().with_file(FileConfig::read(&path).unwrap());
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("cadastre_url"));
    }

    #[test]
    fn a_vector_base_map_is_a_style_url() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zagore.toml");
        std::fs::write(&path, "base_map_style = \"https://s.example/style.json\"\n").unwrap();
        let config = Config::default().with_file(FileConfig::read(&path).unwrap());
        assert_eq!(
            config.validate().unwrap().base_map_style.as_deref(),
            Some("https://s.example/style.json")
        );
        std::fs::write(&path, "base_map_style = \"style.json\"\n").unwrap();
        let config = Config::default().with_file(FileConfig::read(&path).unwrap());
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("base_map_style"), "{err}");
    }

    #[test]
    fn validation_names_the_setting() {
        let bad = Config {
            max_zoom: 40,
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("max_zoom"));
    }
}
