//! The HTTP edge: the router that joins every module's routes, the shared middleware
//! (CORS, compression, tracing) and the server loop with graceful shutdown.

pub mod error;
mod health;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::app::{AppState, StartError};

pub use error::{ApiError, ApiPath, ApiQuery};

/// The whole service's router.
pub fn router(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([axum::http::Method::GET, axum::http::Method::HEAD])
        .allow_headers(Any)
        .expose_headers(Any);
    Router::new()
        .merge(health::routes())
        .merge(crate::tiles::routes())
        .merge(crate::features::routes())
        .merge(crate::measure::routes())
        .fallback(error::not_found_fallback)
        .layer(cors)
        .layer(TraceLayer::new_for_http())
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
