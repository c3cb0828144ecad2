//! Limits every request passes: a cap on requests in flight (more are turned away at once
//! with 503 and `Retry-After`, rather than queued without bound), a time limit per request,
//! and a cap on the length of the request target (absurd query strings get 414).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

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

pub async fn limit(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let uri_len = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the request target is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"),
        )
        .into_response();
    }
    let Ok(_permit) = guard.in_flight.clone().try_acquire_owned() else {
        return unavailable(
            "the service is at its limit of requests in flight; retry shortly".to_string(),
        );
    };
    match tokio::time::timeout(guard.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => unavailable(format!(
            "the request took longer than {} s",
            guard.timeout.as_secs()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::middleware::from_fn_with_state;
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
            .layer(from_fn_with_state(Guard::new(&config), limit))
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
