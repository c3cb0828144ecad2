//! The one resolver of the public base URL every absolute link starts with (TileJSON, the
//! style, OGC API links, the viewer's embed snippet): `public_url` when configured; else
//! `X-Forwarded-Proto` / `X-Forwarded-Host`, only when `trust_forwarded_headers` is on;
//! else `http://` and the request's `Host`. A Host (or forwarded host) that is not a plain
//! `host[:port]` is refused with 400, so no link ever carries `javascript:` or `user@evil`.
//!
//! Answers built from it depend on those headers: [`PublicBase`] is also a response part
//! that sets `Vary` accordingly.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponseParts, ResponseParts};

use super::{ApiError, AppState};

/// The absolute URL clients reach the service at, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase {
    pub url: String,
    /// The request headers the URL was taken from (for `Vary`).
    vary: Option<&'static str>,
}

impl PublicBase {
    /// Resolves the base URL of one request.
    pub fn resolve(
        public_url: Option<&str>,
        trust_forwarded: bool,
        headers: &HeaderMap,
    ) -> Result<PublicBase, ApiError> {
        if let Some(url) = public_url {
            return Ok(PublicBase {
                url: url.trim_end_matches('/').to_string(),
                vary: None,
            });
        }
        if trust_forwarded {
            let proto = forwarded_value(headers, "x-forwarded-proto")?;
            let host = forwarded_value(headers, "x-forwarded-host")?;
            if proto.is_some() || host.is_some() {
                let proto = match proto.map(|p| p.to_ascii_lowercase()) {
                    None => "http".to_string(),
                    Some(p) if p == "http" || p == "https" => p,
                    Some(p) => {
                        return Err(ApiError::bad_parameter(
                            "X-Forwarded-Proto",
                            format!("{p:?} is neither http nor https"),
                        ))
                    }
                };
                let host = match host {
                    Some(h) => checked_host("X-Forwarded-Host", h)?,
                    None => request_host(headers)?,
                };
                return Ok(PublicBase {
                    url: format!("{proto}://{host}"),
                    vary: Some("Host, X-Forwarded-Proto, X-Forwarded-Host"),
                });
            }
            return Ok(PublicBase {
                url: format!("http://{}", request_host(headers)?),
                vary: Some("Host, X-Forwarded-Proto, X-Forwarded-Host"),
            });
        }
        Ok(PublicBase {
            url: format!("http://{}", request_host(headers)?),
            vary: Some("Host"),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Display for PublicBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// The first value of a forwarded header (a proxy chain appends: the first is the client's).
fn forwarded_value<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ApiError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::bad_parameter(name, "is not visible ASCII"))?;
    Ok(text
        .split(',')
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty()))
}

fn request_host(headers: &HeaderMap) -> Result<&str, ApiError> {
    let host = headers
        .get(header::HOST)
        .ok_or_else(|| {
            ApiError::bad_parameter(
                "Host",
                "a Host header is needed to build absolute links (or set public_url)",
            )
        })?
        .to_str()
        .map_err(|_| ApiError::bad_parameter("Host", "is not visible ASCII"))?;
    checked_host("Host", host)
}

/// Accepts exactly `host[:port]`: a DNS name or IPv4 address (letters, digits, `-`, `.`) or
/// a bracketed IPv6 address, and an optional port of 1–65535.
pub fn checked_host<'a>(header: &str, host: &'a str) -> Result<&'a str, ApiError> {
    let bad = |why: &str| ApiError::bad_parameter(header, format!("{host:?} {why}"));
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| bad("opens an IPv6 bracket it does not close"))?;
        if inside.is_empty()
            || !inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(bad("is not a bracketed IPv6 address"));
        }
        match after {
            "" => (inside, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (inside, Some(port)),
                None => return Err(bad("has something after the IPv6 address")),
            },
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if !host.starts_with('[') {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
            return Err(bad("is not a plain host[:port]"));
        }
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err(bad("has a port that is not a number from 1 to 65535"));
        }
    }
    Ok(host)
}

impl FromRequestParts<AppState> for PublicBase {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let config = state.config();
        PublicBase::resolve(
            config.public_url.as_deref(),
            config.trust_forwarded_headers,
            &parts.headers,
        )
    }
}

impl IntoResponseParts for PublicBase {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Some(vary) = self.vary {
            res.headers_mut()
                .append(header::VARY, HeaderValue::from_static(vary));
        }
        Ok(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_host_that_is_not_host_and_port_is_refused() {
        for bad in [
            "javascript:alert(1)",
            "127.0.0.1:18081@evil",
            "evil/path",
            "a b",
            "host:0",
            "host:99999",
            "host:",
            "[::1",
            "[::1]x",
            "-bad.example",
            "",
        ] {
            assert!(checked_host("Host", bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "localhost",
            "127.0.0.1:8080",
            "zone.example.bg",
            "[::1]:8080",
            "[::1]",
            "a-b.c.",
        ] {
            assert_eq!(
                checked_host("Host", good).ok(),
                Some(good),
                "{good:?} refused"
            );
        }
    }

    #[test]
    fn forwarded_headers_count_only_when_trusted() {
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "zone.example.bg"),
        ]);
        assert_eq!(
            PublicBase::resolve(None, false, &h).unwrap().url,
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            PublicBase::resolve(None, true, &h).unwrap().url,
            "https://zone.example.bg"
        );
        assert_eq!(
            PublicBase::resolve(Some("https://maps.example.bg/"), true, &h)
                .unwrap()
                .url,
            "https://maps.example.bg"
        );
        let evil = headers(&[("host", "ok"), ("x-forwarded-host", "evil@x")]);
        assert!(PublicBase::resolve(None, true, &evil).is_err());
        let proto = headers(&[("host", "ok"), ("x-forwarded-proto", "javascript")]);
        assert!(PublicBase::resolve(None, true, &proto).is_err());
    }
}
