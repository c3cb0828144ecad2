//! [`AppState`]: what every handler shares — the configuration, the zone being served (its
//! swappable cell), the tile cache, the metrics. Cloning is cheap (one `Arc`).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::config::Config;
use crate::register;
use crate::tiles::TileCache;
use crate::zone::{ReloadError, Reloaded, Zone, ZoneCell};

use super::metrics::Metrics;

struct Inner {
    config: Config,
    zone: Arc<ZoneCell>,
    tiles: Arc<TileCache>,
    metrics: Arc<Metrics>,
    register: register::Shared,
    auth: super::ratelimit::Failures,
    sessions: super::sessions::Sessions,
    started_at: OffsetDateTime,
}

/// Shared state of the running service.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// The longest a reload may take before `/health` calls it stuck and the caller gets an
/// answer (it goes on in the background).
pub const RELOAD_TIME_LIMIT: Duration = Duration::from_secs(300);

impl AppState {
    pub fn new(config: Config, zone: Arc<ZoneCell>, register: register::Shared) -> AppState {
        let tiles = Arc::new(TileCache::new(config.tile_cache_mb * 1024 * 1024));
        let metrics = Arc::new(Metrics::new(Arc::clone(&zone), Arc::clone(&tiles)));
        AppState {
            inner: Arc::new(Inner {
                config,
                zone,
                tiles,
                metrics,
                register,
                auth: super::ratelimit::Failures::default(),
                sessions: super::sessions::Sessions::default(),
                started_at: OffsetDateTime::now_utc(),
            }),
        }
    }

    /// The configuration the service started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The snapshot served now; a request holds on to one from start to end.
    pub fn zone(&self) -> Arc<Zone> {
        self.inner.zone.current()
    }

    /// The swappable cell holding the served snapshot.
    pub fn zone_cell(&self) -> &Arc<ZoneCell> {
        &self.inner.zone
    }

    pub fn tiles(&self) -> &TileCache {
        &self.inner.tiles
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The metrics, shared (for the middleware that records every request).
    pub fn metrics_handle(&self) -> Arc<Metrics> {
        Arc::clone(&self.inner.metrics)
    }

    /// The register's store (blocking calls: off the async workers).
    pub fn register(&self) -> &register::Shared {
        &self.inner.register
    }

    /// Failed sign-ins per address.
    pub fn auth_failures(&self) -> &super::ratelimit::Failures {
        &self.inner.auth
    }

    /// The browsers signed in.
    pub fn sessions(&self) -> &super::sessions::Sessions {
        &self.inner.sessions
    }

    pub fn started_at(&self) -> OffsetDateTime {
        self.inner.started_at
    }

    /// Reloads the data folder (off the async workers, within [`RELOAD_TIME_LIMIT`]).
    /// Also reads the register again, for changes made outside the server (`zagore register
    /// import`).
    pub async fn reload(&self) -> Result<Reloaded, ReloadError> {
        let outcome = crate::zone::reload_async(
            Arc::clone(&self.inner.zone),
            self.config().data_dir.clone(),
            RELOAD_TIME_LIMIT,
        )
        .await;
        let (cell, register) = (Arc::clone(&self.inner.zone), self.inner.register.clone());
        let refreshed =
            tokio::task::spawn_blocking(move || cell.refresh_register(&register, false)).await;
        if let Ok(Err(e)) = refreshed {
            tracing::error!("the register could not be read again: {e}");
        }
        outcome
    }
}
