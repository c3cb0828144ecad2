//! Who is calling: `Authorization: Bearer TOKEN` checked against the register's accounts
//! (SHA-256 of the token, compared in constant time) and the configured `admin_token` (an
//! admin, compared in constant time). 401 without a valid token, 403 when the account's
//! role is not enough, 429 once an address has failed too often. Tokens never reach a log:
//! only the account's name does. A browser signed in through [`super::session`] is known by
//! its session cookie instead, and must send the session's CSRF token with every change.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, StatusCode};
use subtle::ConstantTimeEq;

pub use super::sessions::Caller;
use super::sessions::{session_id, CSRF_HEADER};
use super::{blocking, ApiError, AppState};
use crate::register::users::{matching_user, token_hash};
use crate::register::Role;

/// The client's address, as the server's connection loop recorded it.
pub fn client_address(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110 § 11.1), the token is not.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches(' '))
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, detail)
}

/// The caller, who must have at least `role`.
pub async fn require(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    method: &Method,
    role: Role,
) -> Result<Caller, ApiError> {
    let caller = authenticate(state, headers, address, method).await?;
    if caller.role < role {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this needs the {} role; {} is {}",
                role.name(),
                caller.name,
                caller.role.name()
            ),
        ));
    }
    Ok(caller)
}

/// The caller a bearer token names (an account of the register, or the admin token), or,
/// without one, the caller of the request's session cookie.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    method: &Method,
) -> Result<Caller, ApiError> {
    if !headers.contains_key(header::AUTHORIZATION) {
        if let Some(by_cookie) = from_cookie(state, headers, method).await {
            return by_cookie;
        }
    }
    if let Some(seconds) = state.auth_failures().blocked_for(address) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many failed sign-ins from this address: try again in {seconds} s"),
        ));
    }
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
    else {
        return Err(unauthorized(
            "this needs `Authorization: Bearer <token>` (see `zagore user add`) or a signed-in session",
        ));
    };
    if let Some(expected) = state.config().admin_token.as_deref() {
        // Constant time over the bytes; a length difference is not secret enough to matter.
        if token.len() == expected.len() && bool::from(token.as_bytes().ct_eq(expected.as_bytes()))
        {
            return Ok(Caller {
                name: "admin_token".to_string(),
                role: Role::Admin,
            });
        }
    }
    let register = state.register().clone();
    let found = blocking(move || {
        let users = register.lock().users().map_err(ApiError::internal)?;
        Ok(matching_user(&users, &token).map(|u| Caller {
            name: u.name.clone(),
            role: u.role,
        }))
    })
    .await?;
    match found {
        Some(caller) => Ok(caller),
        None => {
            state.auth_failures().record(address);
            tracing::info!(%address, "sign-in refused: unknown token");
            Err(unauthorized("the bearer token is not valid"))
        }
    }
}

/// The caller of a request signed in with a session cookie, if it is one: for a method
/// that changes something, only with the session's CSRF token (403 without it). The account
/// must still exist. Blocking only for that last check.
pub async fn from_cookie(
    state: &AppState,
    headers: &HeaderMap,
    method: &Method,
) -> Option<Result<Caller, ApiError>> {
    let id = session_id(headers)?;
    let Some(session) = state.sessions().get(&id) else {
        return Some(Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the session has ended: sign in again",
        )));
    };
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ok = sent.len() == session.csrf.len()
            && bool::from(sent.as_bytes().ct_eq(session.csrf.as_bytes()));
        if !ok {
            return Some(Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "a change from a signed-in page needs its X-CSRF-Token",
            )));
        }
    }
    Some(still_valid(state, session.caller, session.token_sha256).await)
}

/// `caller`, when the token it signed in with (`token_sha256`) is still the admin token or
/// an account's: a removed account's sessions end with it.
pub async fn still_valid(
    state: &AppState,
    caller: Caller,
    token_sha256: [u8; 32],
) -> Result<Caller, ApiError> {
    if let Some(admin) = state.config().admin_token.as_deref() {
        if bool::from(token_hash(admin).ct_eq(&token_sha256)) {
            return Ok(caller);
        }
    }
    let register = state.register().clone();
    let found = blocking(move || {
        let users = register.lock().users().map_err(ApiError::internal)?;
        Ok(users
            .iter()
            .any(|u| bool::from(u.token_sha256.ct_eq(&token_sha256))))
    })
    .await?;
    if found {
        Ok(caller)
    } else {
        Err(unauthorized(
            "the account was removed: the session has ended",
        ))
    }
}

/// Whether the service has any admin: the admin token, or an admin account. Blocking.
pub fn any_admin(state: &AppState) -> Result<bool, ApiError> {
    if state.config().admin_token.is_some() {
        return Ok(true);
    }
    let users = state
        .register()
        .lock()
        .users()
        .map_err(ApiError::internal)?;
    Ok(users.iter().any(|u| u.role == Role::Admin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_is_not_changed() {
        assert_eq!(bearer_token("Bearer AbC"), Some("AbC"));
        assert_eq!(bearer_token("bearer AbC"), Some("AbC"));
        assert_eq!(bearer_token("BEARER  AbC"), Some("AbC"));
        assert_eq!(bearer_token("Basic AbC"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
