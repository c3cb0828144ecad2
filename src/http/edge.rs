//! What every request and answer passes at the outer edge, before routing: the request body
//! read whole under a size and a time limit (so a slow or oversized body never holds one of
//! the in-flight slots), the security headers every answer carries, and a JSON problem body
//! for an error answer that has none (axum's own 404 and 405).
//!
//! Plain tower layers rather than axum `from_fn` middleware: they run on every request and
//! call the inner service directly, with no clone of it per request.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service, ServiceExt};

use super::ApiError;
use crate::config::Config;

/// The Content-Security-Policy of the HTML pages (the viewer and the API page). Scripts and
/// styles come from the service itself; MapLibre needs `blob:` workers and `data:`/`blob:`
/// images; a configured base map (raster tiles or a vector style) adds its origin to
/// `img-src` and `connect-src`.
fn content_security_policy(config: &Config) -> String {
    let mut origins: Vec<String> = [&config.base_map_tiles, &config.base_map_style]
        .into_iter()
        .filter_map(|url| url.as_deref().and_then(origin_of))
        .collect();
    origins.dedup();
    let base_map: String = origins.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{base_map}; worker-src 'self' blob:; child-src 'self' blob:; \
         connect-src 'self'{base_map}; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors {}",
        config.frame_ancestors
    )
}

/// `https://tile.example.org` of `https://tile.example.org/{z}/{x}/{y}.png`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]{}".contains(&b));
    host_ok.then(|| format!("{scheme}://{host}"))
}

/// The edge's settings, shared by every connection.
#[derive(Clone)]
pub struct Edge {
    settings: Arc<EdgeSettings>,
}

struct EdgeSettings {
    max_body_bytes: usize,
    body_read_timeout: Duration,
    csp: HeaderValue,
}

impl Edge {
    pub fn new(config: &Config) -> Edge {
        let csp = HeaderValue::from_str(&content_security_policy(config))
            // The config's frame_ancestors is validated to plain CSP source characters.
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        Edge {
            settings: Arc::new(EdgeSettings {
                max_body_bytes: config.max_body_bytes,
                body_read_timeout: Duration::from_secs(config.body_read_timeout_secs),
                csp,
            }),
        }
    }
}

impl<S> Layer<S> for Edge {
    type Service = EdgeService<S>;

    fn layer(&self, inner: S) -> EdgeService<S> {
        EdgeService {
            edge: self.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct EdgeService<S> {
    edge: Edge,
    inner: S,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for EdgeService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        let settings = Arc::clone(&self.edge.settings);
        if request.body().size_hint().exact() == Some(0) {
            // No body (every GET): straight through, no extra task or copy.
            let answer = self.inner.call(request);
            return Box::pin(async move { Ok(finish(answer.await?, &settings)) });
        }
        // The body is read here, before the route (and its in-flight slot) is reached; the
        // inner service is called later, so take a ready clone (tower's rule for this).
        let inner = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, inner);
        Box::pin(async move {
            let request = match read_body(request, &settings).await {
                Ok(request) => request,
                Err(refused) => return Ok(finish(refused.into_response(), &settings)),
            };
            let response = inner.oneshot(request).await?;
            Ok(finish(response, &settings))
        })
    }
}

/// Reads the request's body whole, within the size and time limits: a declared
/// Content-Length over the limit is 413 at once, a body that grows past it is 413 when it
/// does, and a body still arriving after the read timeout is 408.
async fn read_body(request: Request, settings: &EdgeSettings) -> Result<Request, ApiError> {
    let limit = settings.max_body_bytes;
    if let Some(declared) = declared_length(request.headers()) {
        if declared > limit as u64 {
            return Err(too_large(limit));
        }
    }
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(settings.body_read_timeout, read).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s",
                settings.body_read_timeout.as_secs()
            ),
        )),
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large(limit)),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the request body could not be read (the connection broke off or the chunked encoding is malformed)",
        )),
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

/// The headers every answer carries, and a problem body for an error answer without one.
fn finish(mut response: Response, settings: &EdgeSettings) -> Response {
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE)
        && response.body().size_hint().exact() == Some(0)
    {
        response = with_problem_body(response);
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, settings.csp.clone());
    }
    response
}

/// axum's own 404 (no route) and 405 (route without that method) have empty bodies; they
/// get the same JSON problem as every other error, keeping their headers (`Allow`).
fn with_problem_body(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let detail = match parts.status {
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            format!("this resource does not accept that method; it accepts: {allowed}")
        }
        StatusCode::NOT_FOUND => "no such resource".to_string(),
        status => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut problem = ApiError::new(parts.status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_map_origin_joins_the_policy_and_nothing_else_of_its_url() {
        let config = Config {
            base_map_tiles: Some("https://tile.example.org/{z}/{x}/{y}.png".into()),
            ..Config::default()
        };
        let csp = content_security_policy(&config);
        assert!(csp.contains("img-src 'self' data: blob: https://tile.example.org;"));
        assert!(csp.contains("connect-src 'self' https://tile.example.org;"));
        assert!(csp.ends_with("frame-ancestors *"));
        assert_eq!(origin_of("https://a b/"), None);
        let vector = Config {
            base_map_style: Some("https://styles.example.org/liberty.json".into()),
            ..Config::default()
        };
        let csp = content_security_policy(&vector);
        assert!(csp.contains("connect-src 'self' https://styles.example.org;"));
        // Neither: no other origin.
        let csp = content_security_policy(&Config::default());
        assert!(csp.contains("connect-src 'self';"), "{csp}");
    }
}
