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
        .and_then(bearer_token)
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

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110 § 11.1), the token is not.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches(' '))
}

/// `POST /admin/reload`: reloads the data folder now; 200 with the outcome, or 422 with the
/// problems of the refused data (the old data stays served). It takes no parameters.
async fn reload_now(
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

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_is_not_changed() {
        assert_eq!(bearer_token("Bearer AbC"), Some("AbC"));
        assert_eq!(bearer_token("bearer AbC"), Some("AbC"));
        assert_eq!(bearer_token("BEARER  AbC"), Some("AbC"));
        assert_eq!(bearer_token("Basic AbC"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
