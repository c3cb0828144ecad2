//! Browser sign-in: `POST /session` with an account's token gives a short-lived session
//! cookie (`HttpOnly`, `SameSite=Strict`, `Secure` behind https) and a CSRF token the page
//! sends back as `X-CSRF-Token` on every change; `GET /session` says who is signed in,
//! `DELETE /session` signs out. Sessions live in memory (a restart signs everyone out) and
//! are keyed by the SHA-256 of their random id; each remembers the SHA-256 of the token it
//! was opened with, so removing the account ends its sessions too. `GET /register/version`
//! is what a page polls to see that the register changed.

use std::time::Instant;

use super::auth;
use super::base_url::PublicBase;
use super::openapi::{boolean, integer, object, one_of, schema_type, string, GuardErrors};
use super::sessions::{session_id, Session, COOKIE, MAX_SESSIONS, SESSION_TTL};
use super::{ApiError, AppState};
use crate::register::users::{new_token, token_hash};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", get(current).post(sign_in).delete(sign_out))
        .route("/register/version", get(version))
}

fn session_json(session: &Session) -> Value {
    json!({
        "signed_in": true,
        "name": session.caller.name,
        "role": session.caller.role.name(),
        "csrf": session.csrf,
        "expires_in": session.expires.saturating_duration_since(Instant::now()).as_secs(),
    })
}

/// Sign in with an account's token: a session cookie (HttpOnly, SameSite=Strict, 30 min) and a CSRF token
#[utoipa::path(post, path = "/session", operation_id = "signIn",
    request_body(content = inline(SignIn), content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", content_type = "application/json", body = inline(SessionState)),
        (status = 400, description = "The body is not {\"token\": …}", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 401, description = "The token is not valid", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 413, description = "The body is too large", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 429, description = "Too many failed sign-ins from this address", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        GuardErrors))]
pub(super) async fn sign_in(
    State(state): State<AppState>,
    base: PublicBase,
    request: Request,
) -> Result<Response, ApiError> {
    let address = auth::client_address(request.extensions());
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("the body: {e}")))?;
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_string))
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "the body is {\"token\": \"…\"}"))?;
    let mut headers = HeaderMap::new();
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, "the token is not valid"))?;
    headers.insert(header::AUTHORIZATION, bearer);
    let caller = auth::authenticate(&state, &headers, address, &Method::POST).await?;
    let (id, csrf) = match (new_token(), new_token()) {
        (Ok(id), Ok(csrf)) => (id, csrf),
        (Err(e), _) | (_, Err(e)) => return Err(ApiError::internal(e)),
    };
    let session = Session {
        caller,
        token_sha256: token_hash(&token),
        csrf,
        expires: Instant::now() + SESSION_TTL,
    };
    let body = session_json(&session);
    {
        let mut map = state.sessions().lock();
        if map.len() >= MAX_SESSIONS {
            let now = Instant::now();
            map.retain(|_, s| s.expires > now);
        }
        map.insert(token_hash(&id), session);
    }
    let secure = if base.url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_TTL.as_secs()
    );
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Who is signed in (by the session cookie); signed_in false when nobody is
// A 200 either way: a page asks this on every load.
#[utoipa::path(get, path = "/session", operation_id = "getSession",
    responses(
        (status = 200, description = "Signed in", content_type = "application/json", body = inline(SessionState)),
        GuardErrors))]
pub(super) async fn current(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = session_id(&headers)
        .and_then(|id| state.sessions().get(&id))
        .map_or_else(|| json!({"signed_in": false}), |s| session_json(&s));
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Sign out (with X-CSRF-Token)
#[utoipa::path(delete, path = "/session", operation_id = "signOut",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 403, description = "No or a wrong X-CSRF-Token", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        GuardErrors))]
pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    match auth::from_cookie(&state, &headers, &Method::DELETE).await {
        Some(Ok(_))
        | Some(Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            ..
        })) => {}
        Some(Err(e)) => return Err(e),
        None => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "not signed in")),
    }
    if let Some(id) = session_id(&headers) {
        state.sessions().lock().remove(&token_hash(&id));
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("zagore_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

/// The data version and the register's revision: what a page polls to see changes
// Cheap; never cached.
#[utoipa::path(get, path = "/register/version", operation_id = "getRegisterVersion",
    responses(
        (status = 200, description = "The versions", content_type = "application/json", body = inline(Versions)),
        GuardErrors))]
pub(super) async fn version(State(state): State<AppState>) -> Response {
    let zone = state.zone();
    let mut response = Json(json!({
        "data_version": zone.version(),
        "register_revision": zone.register().revision(),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

schema_type! {
    /// The body of a sign-in.
    SignIn => object().required("token").property("token", string())
}

schema_type! {
    /// Who is signed in.
    SessionState => object()
        .required("signed_in")
        .property("signed_in", boolean())
        .property("name", string())
        .property("role", one_of(["editor", "admin"]))
        .property(
            "csrf",
            string().description(Some("Send as X-CSRF-Token with every change")),
        )
        .property("expires_in", integer().description(Some("Seconds")))
}

schema_type! {
    /// The versions a page polls.
    Versions => object()
        .property("data_version", string())
        .property("register_revision", integer())
}
