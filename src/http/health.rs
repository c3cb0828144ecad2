//! `GET /health`: whether the service is up, which data version it serves, how many
//! features each layer has, when the data was loaded, and the last refused reload.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    let data = state.data();
    let ds = &data.dataset;
    let reload_failure = state.reload_log().last_failure();
    // Still serving, but the data folder holds something that was refused.
    let status = if reload_failure.is_some() {
        "degraded"
    } else {
        "ok"
    };
    Json(json!({
        "status": status,
        "last_reload_error": reload_failure,
        "data_version": ds.version,
        "data_dir": ds.dir.display().to_string(),
        "loaded_at": ds.loaded_at.format(&Rfc3339).unwrap_or_default(),
        "started_at": state.started_at().format(&Rfc3339).unwrap_or_default(),
        "layers": ds.counts(),
        "warnings": ds.warnings.len(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
