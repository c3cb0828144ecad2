//! Blocking work off the async workers.

use super::error::ApiError;

/// Runs blocking work (PROJ, pages of features, encoding, distances on request) on a
/// blocking thread, so the async workers stay free to answer everything else.
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}
