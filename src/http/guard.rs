//! Limits every request passes: a cap on requests in flight (more are turned away at once
//! with 503 and `Retry-After`, rather than queued without bound), a time limit per request,
//! and a cap on the length of the request target (absurd query strings get 414).
//!
//! A plain tower layer rather than an axum `from_fn` middleware: it runs on every request,
//! and this way it calls the route directly (no clone of the inner service, no `Next`), at
//! the cost of one boxed future.

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tower::{Layer, Service};

use crate::config::Config;
use crate::http::ApiError;

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

#[derive(Clone)]
pub struct Guard {
    in_flight: Arc<Semaphore>,
    timeout: Duration,
}

impl Guard {
    pub fn new(config: &Config) -> Guard {
        Guard {
            in_flight: Arc::new(Semaphore::new(config.max_concurrent_requests)),
            timeout: Duration::from_secs(config.request_timeout_secs),
        }
    }
}

fn unavailable(detail: String) -> Response {
    let mut response = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, detail).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

impl<S> Layer<S> for Guard {
    type Service = Guarded<S>;

    fn layer(&self, inner: S) -> Guarded<S> {
        Guarded {
            guard: self.clone(),
            inner,
        }
    }
}

/// A service behind the [`Guard`].
#[derive(Clone)]
pub struct Guarded<S> {
    guard: Guard,
    inner: S,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for Guarded<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        let uri_len = request
            .uri()
            .path_and_query()
            .map_or(0, |pq| pq.as_str().len());
        // A method no route serves (TRACE, PUT, …) is the router's 405 whatever its target:
        // the answer that tells the client what is wrong, and it costs nothing.
        if uri_len > MAX_URI_BYTES && is_served(request.method()) {
            let refused = ApiError::new(
                StatusCode::URI_TOO_LONG,
                format!(
                    "the request target is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"
                ),
            );
            return Box::pin(ready(Ok(refused.into_response())));
        }
        let Ok(permit) = Arc::clone(&self.guard.in_flight).try_acquire_owned() else {
            return Box::pin(ready(Ok(unavailable(
                "the service is at its limit of requests in flight; retry shortly".to_string(),
            ))));
        };
        let limit = self.guard.timeout;
        let answer = self.inner.call(request);
        Box::pin(async move {
            // The permit is held until the answer is ready (or the time is up).
            let _permit = permit;
            match tokio::time::timeout(limit, answer).await {
                Ok(response) => response,
                Err(_) => Ok(unavailable(format!(
                    "the request took longer than {} s",
                    limit.as_secs()
                ))),
            }
        })
    }
}

/// Whether some route serves this method (CORS preflights are OPTIONS).
fn is_served(method: &axum::http::Method) -> bool {
    use axum::http::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .contains(method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn slow_app(max_in_flight: usize, timeout_secs: u64, work: Duration) -> Router {
        let config = Config {
            max_concurrent_requests: max_in_flight,
            request_timeout_secs: timeout_secs,
            ..Config::default()
        };
        Router::new()
            .route(
                "/work",
                get(move || async move {
                    tokio::time::sleep(work).await;
                    "done"
                }),
            )
            .layer(Guard::new(&config))
    }

    fn get_work() -> Request {
        Request::builder().uri("/work").body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn over_the_limit_is_503_with_retry_after_not_a_queue() {
        let app = slow_app(1, 10, Duration::from_millis(300));
        let first = tokio::spawn(app.clone().oneshot(get_work()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = app.clone().oneshot(get_work()).await.unwrap();
        assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(second.headers()[header::RETRY_AFTER], "1");
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
        // The permit is back once the first is answered.
        let third = app.oneshot(get_work()).await.unwrap();
        assert_eq!(third.status(), StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_over_the_time_limit_is_503() {
        let app = slow_app(4, 1, Duration::from_secs(5));
        let resp = app.oneshot(get_work()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
