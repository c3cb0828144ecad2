//! `GET /metrics` (see [`super::metrics`]) and `GET /health`: whether the service is up, which data version it serves, how many
//! features each layer has, when the data was loaded, and the last refused or stuck reload.
//! Public and unauthenticated, so it names files relative to the data folder and never says
//! where that folder is (the log has the details).

use std::path::Path;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::error::ApiError;
use super::openapi::ReadErrors;
use super::state::AppState;
use super::state::RELOAD_TIME_LIMIT;
use crate::geodata::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
}

/// Prometheus/OpenMetrics metrics: requests, latency, tile cache, data version, reloads
#[utoipa::path(get, path = "/metrics", operation_id = "getMetrics",
    responses(
        (status = 200, description = "The metrics", content_type = "application/openmetrics-text", body = String),
        ReadErrors))]
pub(super) async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let body = state.metrics().render().map_err(ApiError::internal)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// The register's entries whose plot the data served does not have, per register version.
struct Orphans(Vec<crate::register::Orphan>);

impl crate::zone::Derived for Orphans {
    const READS_CARDS: bool = true;
    fn derive(zone: &crate::zone::Zone) -> Orphans {
        Orphans(crate::register::orphans(zone.register(), &zone.dataset))
    }
}

/// Service status, data version, feature counts per layer
#[utoipa::path(get, path = "/health", operation_id = "getHealth",
    responses(
        (status = 200, description = "The status", content_type = "application/json", body = Object),
        ReadErrors))]
pub(super) async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let zone = state.zone();
    let orphans = {
        let zone = std::sync::Arc::clone(&zone);
        super::blocking(move || Ok(zone.get::<Orphans>())).await?
    };
    let ds = &zone.dataset;
    let reloads = state.zone_cell().reloads();
    let failure = reloads.last_failure();
    let stuck_since = reloads
        .running_since()
        .filter(|since| OffsetDateTime::now_utc() - *since > RELOAD_TIME_LIMIT);
    // Still serving, but the data folder holds something that was refused or will not load.
    let status = if failure.is_some() || stuck_since.is_some() {
        "degraded"
    } else {
        "ok"
    };
    let data_dir = &state.config().data_dir;
    let last_reload_error = failure.map(|f| {
        json!({
            "at": f.at.format(&Rfc3339).unwrap_or_default(),
            "message": relative(&f.message, data_dir),
            "problems": f.problems.iter().map(|p| public_problem(p, data_dir)).collect::<Vec<_>>(),
        })
    });
    Ok(Json(json!({
        "status": status,
        "last_reload_error": last_reload_error,
        "reload_stuck_since": stuck_since.map(|s| s.format(&Rfc3339).unwrap_or_default()),
        "data_version": ds.version,
        "loaded_at": ds.loaded_at.format(&Rfc3339).unwrap_or_default(),
        "started_at": state.started_at().format(&Rfc3339).unwrap_or_default(),
        "layers": ds.counts(),
        "warnings": ds.warnings.len(),
        "version": env!("CARGO_PKG_VERSION"),
        "register": {
            "entries": zone.register().len(),
            "revision": zone.register().revision(),
            "orphans": orphans.0,
        },
    })))
}

/// A path as the data folder sees it: `plots.geojson`, not `/srv/zagore/geodata/plots.geojson`.
fn relative(text: &str, data_dir: &Path) -> String {
    let mut out = text.to_string();
    for dir in [
        data_dir.to_path_buf(),
        data_dir.canonicalize().unwrap_or_default(),
    ] {
        let dir = dir.display().to_string();
        if !dir.is_empty() {
            out = out.replace(&format!("{dir}/"), "").replace(&dir, ".");
        }
    }
    out
}

fn public_problem(problem: &Problem, data_dir: &Path) -> Problem {
    Problem {
        file: relative(&problem.file, data_dir),
        message: relative(&problem.message, data_dir),
        ..problem.clone()
    }
}
