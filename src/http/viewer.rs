//! The web map viewer: the page at `/map` (and at `/` for browsers, see `features`), its
//! own scripts and styles from `web/`, MapLibre GL JS from the npm package installed in
//! `web/node_modules`, and `/map/config.json` with the deployment's options (the optional
//! base map).

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::services::ServeDir;

use super::{ApiError, AppState};

/// The viewer's own files; nothing else under `web/` is served.
const ASSETS: [(&str, &str); 4] = [
    ("app.js", "text/javascript; charset=utf-8"),
    ("favicon.svg", "image/svg+xml"),
    ("i18n.js", "text/javascript; charset=utf-8"),
    ("app.css", "text/css; charset=utf-8"),
];

/// Where npm puts MapLibre GL JS's browser build inside the web folder.
const MAPLIBRE_DIST: &str = "node_modules/maplibre-gl/dist";

pub fn routes(web_dir: PathBuf) -> Router<AppState> {
    let vendor = ServeDir::new(web_dir.join(MAPLIBRE_DIST));
    Router::new()
        .route("/map", get(page))
        .route("/map/", get(page))
        .route("/map/config.json", get(viewer_config))
        .route("/map/assets/{file}", get(asset))
        .nest_service("/map/vendor", vendor)
}

/// The viewer page.
pub async fn page(State(state): State<AppState>) -> Result<Response, ApiError> {
    let path = state.config().web_dir.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the map viewer is not installed ({}: {e}); run `make run` or `npm ci` in web/",
                path.display()
            ),
        )),
    }
}

async fn asset(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let Some((name, mime)) = ASSETS.iter().find(|(name, _)| *name == file) else {
        return Err(ApiError::not_found(format!("no viewer asset {file:?}")));
    };
    let path = state.config().web_dir.join(name);
    let body = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}

async fn viewer_config(State(state): State<AppState>) -> Json<serde_json::Value> {
    let config = state.config();
    let base_map = config.base_map_tiles.as_ref().map(|tiles| {
        json!({
            "tiles": [tiles],
            "attribution": config.base_map_attribution.clone().unwrap_or_default(),
        })
    });
    Json(json!({ "base_map": base_map }))
}
