//! The HTTP edge: the router that joins every module's routes, the shared middleware
//! (request ids, tracing, CORS, limits, metrics) and the server loop with graceful shutdown.

mod admin;
pub mod error;
mod guard;
mod health;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::{AppState, StartError};

pub use error::{ApiError, ApiPath, ApiQuery};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service's router.
pub fn router(state: AppState) -> Router {
    let config = state.config();
    let web_dir = config.web_dir.clone();
    let guard = guard::Guard::new(config);
    let body_limit = config.max_body_bytes;
    let cors = CorsLayer::new()
        .allow_origin(Any)
        // POST for /measure, so other sites' maps can measure too (no credentials involved).
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::HEAD,
            axum::http::Method::POST,
        ])
        .allow_headers(Any)
        .expose_headers(Any);
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id, method = %request.method(), uri = %request.uri())
    });
    Router::new()
        .merge(health::routes())
        .route("/metrics", get(crate::metrics::metrics))
        .merge(admin::routes(state.clone()))
        .merge(crate::tiles::routes())
        .merge(crate::features::routes())
        .merge(crate::measure::routes())
        .merge(crate::web::routes(web_dir))
        .fallback(error::not_found_fallback)
        .layer(from_fn_with_state(guard, guard::limit))
        .layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Binds the listener (port 0 picks a free port).
pub async fn bind(addr: std::net::SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: addr.to_string(),
            source,
        })
}

/// Serves until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(listener: TcpListener, state: AppState) -> Result<(), StartError> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::Serve)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
