//! The web map viewer: the page at `/map` (and at `/` for browsers, see `features`), its
//! own scripts and styles from `web/`, MapLibre GL JS from the npm package installed in
//! `web/node_modules`, and `/map/config.json` with the deployment's options (the optional
//! base map, the pattern of the card's link to the cadastre agency's map).
//!
//! Only named files are served: the viewer's own from fixed allow-lists, MapLibre's by a
//! plain file name in its `dist` folder (no folders, no dot files, no `..`). Every file
//! answer carries a strong ETag (a hash of its bytes, kept per file while its size and
//! modification time stay the same) and answers `If-None-Match` with 304. A viewer that is
//! not installed is a 503 that says so and nothing more; the path is in the log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::openapi::ReadErrors;
use super::{ApiError, AppState};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// The viewer's own files at `/map/assets/…`; nothing else under `web/` is served.
const ASSETS: [(&str, &str); 4] = [
    ("app.js", JS),
    ("favicon.svg", "image/svg+xml"),
    ("i18n.js", JS),
    ("app.css", CSS),
];

/// The viewer's ES modules at `/map/assets/modules/…` (files of `web/modules/`).
const MODULES: [&str; 25] = [
    "api.js",
    "card.js",
    "colours.js",
    "compare.js",
    "dom.js",
    "downloads.js",
    "edit.js",
    "embed.js",
    "filters.js",
    "labels.js",
    "legend.js",
    "list.js",
    "live.js",
    "locale.js",
    "map.js",
    "measure.js",
    "plots.js",
    "search.js",
    "selection.js",
    "session.js",
    "staff.js",
    "staff_text.js",
    "state.js",
    "url.js",
    "values.js",
];

/// Where npm puts MapLibre GL JS's browser build inside the web folder.
const MAPLIBRE_DIST: &str = "node_modules/maplibre-gl/dist";

/// What the public is told when a viewer file cannot be read (the log has the path).
const NOT_INSTALLED: &str = "the map viewer is not installed";

pub fn routes(web_dir: PathBuf) -> Router<AppState> {
    let files = Arc::new(ViewerFiles {
        web_dir,
        etags: Mutex::new(HashMap::new()),
    });
    let page = {
        let files = Arc::clone(&files);
        move |headers: HeaderMap| {
            let files = Arc::clone(&files);
            async move {
                let path = files.web_dir.join("index.html");
                files.serve(&path, HTML, &headers).await
            }
        }
    };
    let asset = {
        let files = Arc::clone(&files);
        move |UrlPath(file): UrlPath<String>, headers: HeaderMap| {
            let files = Arc::clone(&files);
            async move {
                let Some((name, mime)) = ASSETS.iter().find(|(name, _)| *name == file) else {
                    return Err(ApiError::not_found(format!("no viewer asset {file:?}")));
                };
                files.serve(&files.web_dir.join(name), mime, &headers).await
            }
        }
    };
    let module = {
        let files = Arc::clone(&files);
        move |UrlPath(file): UrlPath<String>, headers: HeaderMap| {
            let files = Arc::clone(&files);
            async move {
                let Some(name) = MODULES.iter().find(|name| **name == file) else {
                    return Err(ApiError::not_found(format!("no viewer module {file:?}")));
                };
                let path = files.web_dir.join("modules").join(name);
                files.serve(&path, JS, &headers).await
            }
        }
    };
    let vendor = move |UrlPath(file): UrlPath<String>, headers: HeaderMap| {
        let files = Arc::clone(&files);
        async move {
            let Some(mime) = vendor_mime(&file) else {
                return Err(ApiError::not_found(format!("no vendor file {file:?}")));
            };
            let dist = files.web_dir.join(MAPLIBRE_DIST);
            if !dist.is_dir() {
                tracing::error!(path = %dist.display(), "MapLibre GL JS is not installed (run `npm ci` in web/)");
                return Err(not_installed());
            }
            let path = dist.join(&file);
            if !path.is_file() {
                return Err(ApiError::not_found(format!("no vendor file {file:?}")));
            }
            files.serve(&path, mime, &headers).await
        }
    };
    Router::new()
        .route("/map", get(page.clone()))
        .route("/map/", get(page))
        .route("/map/config.json", get(viewer_config))
        .route("/map/assets/{file}", get(asset))
        .route("/map/assets/modules/{file}", get(module))
        .route("/map/vendor/{file}", get(vendor))
}

/// The content type of a file of MapLibre's `dist` folder that may be served: a plain
/// name (letters, digits, `-`, `_`, `.`; not starting with a dot) of a script, style sheet
/// or source map. `None` for anything else.
fn vendor_mime(file: &str) -> Option<&'static str> {
    let plain = !file.is_empty()
        && !file.starts_with('.')
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !plain {
        return None;
    }
    match file.rsplit_once('.')?.1 {
        "mjs" | "js" => Some(JS),
        "css" => Some(CSS),
        "map" => Some("application/json"),
        _ => None,
    }
}

fn not_installed() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, NOT_INSTALLED)
}

/// What says a file has not changed since it was hashed: its size and modification time.
type Stamp = (u64, Option<SystemTime>);

/// The viewer's folder and the ETags of the files served from it.
struct ViewerFiles {
    web_dir: PathBuf,
    /// Per file: its stamp when hashed, and the ETag.
    etags: Mutex<HashMap<PathBuf, (Stamp, HeaderValue)>>,
}

impl ViewerFiles {
    /// The file with its ETag, or 304 when `If-None-Match` already names it.
    async fn serve(
        &self,
        path: &Path,
        mime: &'static str,
        headers: &HeaderMap,
    ) -> Result<Response, ApiError> {
        let unreadable = |e: std::io::Error| {
            tracing::error!(path = %path.display(), error = %e, "a viewer file cannot be read");
            not_installed()
        };
        let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
        let stamp = (meta.len(), meta.modified().ok());
        if let Some(etag) = self.known_etag(path, stamp) {
            if etag_matches(headers, &etag) {
                return Ok(not_modified(etag));
            }
        }
        let body = tokio::fs::read(path).await.map_err(unreadable)?;
        let etag = strong_etag(&body);
        self.remember(path, stamp, etag.clone());
        if etag_matches(headers, &etag) {
            return Ok(not_modified(etag));
        }
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (header::ETAG, etag),
            ],
            body,
        )
            .into_response())
    }

    fn known_etag(&self, path: &Path, stamp: Stamp) -> Option<HeaderValue> {
        let etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        let (known, etag) = etags.get(path)?;
        // Without a modification time, a file of the same size may still have changed.
        (stamp.1.is_some() && *known == stamp).then(|| etag.clone())
    }

    fn remember(&self, path: &Path, stamp: Stamp, etag: HeaderValue) {
        let mut etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        etags.insert(path.to_path_buf(), (stamp, etag));
    }
}

fn not_modified(etag: HeaderValue) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
    )
        .into_response()
}

/// A strong ETag from the bytes: their length and 64-bit FNV-1a hash.
fn strong_etag(bytes: &[u8]) -> HeaderValue {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let tag = format!("\"{:x}-{hash:016x}\"", bytes.len());
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks) or is `*`.
fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// The web map viewer
#[utoipa::path(get, path = "/map", operation_id = "getMap",
    responses(
        (status = 200, description = "The viewer", content_type = "text/html", body = String),
        ReadErrors))]
// Only a description: `routes` serves the page from the web folder (and at `/map/`).
#[allow(dead_code)]
pub(super) fn map_page() {}

/// The viewer's deployment options (the optional base map)
#[utoipa::path(get, path = "/map/config.json", operation_id = "getViewerConfig",
    responses(
        (status = 200, description = "The options", content_type = "application/json", body = Object),
        ReadErrors))]
pub(super) async fn viewer_config(State(state): State<AppState>) -> Json<serde_json::Value> {
    let config = state.config();
    let attribution = config.base_map_attribution.clone().unwrap_or_default();
    // Raster tiles win when both are set (the config documents one or the other).
    let base_map = match (&config.base_map_tiles, &config.base_map_style) {
        (Some(tiles), _) => Some(json!({ "tiles": [tiles], "attribution": attribution })),
        (None, Some(style)) => Some(json!({ "style": style, "attribution": attribution })),
        (None, None) => None,
    };
    Json(json!({ "base_map": base_map, "cadastre_url": config.cadastre_url }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_script_style_and_map_names_are_vendor_files() {
        assert_eq!(vendor_mime("maplibre-gl.mjs"), Some(JS));
        assert_eq!(vendor_mime("maplibre-gl.css"), Some(CSS));
        for bad in [
            ".",
            "..",
            ".hidden.js",
            "a/b.js",
            "a\\b.js",
            "x.d.ts",
            "",
            "x%2e.js",
        ] {
            assert_eq!(vendor_mime(bad), None, "{bad}");
        }
    }
}
