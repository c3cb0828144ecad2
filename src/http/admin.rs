//! Admin endpoints (`/admin/…`): enabled only when an admin token is configured, and then
//! only for requests carrying it as a bearer token (compared in constant time).

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use subtle::ConstantTimeEq;

use super::{ApiError, AppState};
use crate::zone::ReloadError;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/reload", post(reload_now))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

/// 404 when admin is disabled, 401 without the right bearer token.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.config().admin_token.as_deref() else {
        return ApiError::not_found("admin endpoints are disabled: no admin token is configured")
            .into_response();
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Constant time over the bytes; a length difference is not secret enough to matter.
    let ok = presented.len() == expected.len()
        && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()));
    if !ok {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "admin endpoints need `Authorization: Bearer <admin token>`",
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"zagore admin\""),
        );
        return response;
    }
    next.run(request).await
}

/// `POST /admin/reload`: reloads the data folder now; 200 with the outcome, or 422 with the
/// problems of the refused data (the old data stays served).
async fn reload_now(State(state): State<AppState>) -> Result<Response, ApiError> {
    match state.reload().await {
        Ok(outcome) => Ok(Json(outcome).into_response()),
        Err(ReloadError::Data(e)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the new data was refused; the last good version is still served: {e}"),
        )),
        Err(e @ ReloadError::TimedOut(_)) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.to_string(),
        )),
        Err(e @ ReloadError::Task(_)) => Err(ApiError::internal(e)),
    }
}
