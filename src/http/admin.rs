//! Admin endpoints (`/admin/…`): enabled only when an admin token is configured or the
//! register has an admin account, and then only for requests carrying an admin's bearer
//! token (see [`super::auth`]).

use super::openapi::{BadRequest, UriTooLong};
use super::{auth, blocking, ApiError, AppState};
use crate::register::Role;
use crate::zone::ReloadError;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/reload", post(reload_now))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

/// 404 when admin is disabled (no admin token and no admin account), 401 without a valid
/// bearer token, 403 for an editor's.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let enabled = {
        let state = state.clone();
        blocking(move || auth::any_admin(&state)).await
    };
    match enabled {
        Ok(true) => {}
        Ok(false) => {
            return ApiError::not_found(
                "admin endpoints are disabled: no admin token is configured and no admin account exists",
            )
            .into_response()
        }
        Err(e) => return e.into_response(),
    }
    let address = auth::client_address(request.extensions());
    let (headers, method) = (request.headers().clone(), request.method().clone());
    if let Err(e) = auth::require(&state, &headers, address, &method, Role::Admin).await {
        return e.into_response();
    }
    next.run(request).await
}

/// Reload the geodata folder now (needs the admin token or an admin account's token; disabled without either)
// 200 with the outcome, or 422 with the problems of the refused data (the old data stays
// served). It takes no parameters.
#[utoipa::path(post, path = "/admin/reload", operation_id = "reloadData",
    security(("adminToken" = []), ("registerToken" = [])),
    responses(
        (status = 200, description = "Replaced or unchanged", content_type = "application/json", body = Object),
        (status = 400, response = BadRequest),
        (status = 401, description = "Missing or wrong bearer token"),
        (status = 403, description = "The account is an editor, not an admin"),
        (status = 404, description = "Admin endpoints are disabled (no admin token, no admin account)"),
        (status = 429, description = "Too many failed sign-ins from this address"),
        (status = 422, description = "The new data was refused; the old data is still served"),
        (status = 503, description = "The reload ran over its time limit, or too many requests in flight (see Retry-After)"),
        (status = 414, response = UriTooLong)))]
pub(super) async fn reload_now(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    if let Some(query) = uri.query().filter(|q| !q.is_empty()) {
        let name = query.split('&').next().unwrap_or(query);
        let name: String = name
            .split('=')
            .next()
            .unwrap_or(name)
            .chars()
            .take(64)
            .collect();
        return Err(ApiError::bad_parameter(
            name,
            "unknown parameter: /admin/reload takes no parameters",
        ));
    }
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
