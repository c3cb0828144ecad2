//! Vector tiles (MVT): clipping, simplification and encoding of the zone's layers, the tile
//! cache, TileJSON and the MapLibre style.

use axum::Router;

use crate::app::AppState;

/// In-memory cache of encoded tiles under a byte budget (filled in by the tiles issue).
#[derive(Debug, Default)]
pub struct TileCache {
    budget_bytes: usize,
}

impl TileCache {
    pub fn new(budget_bytes: usize) -> TileCache {
        TileCache { budget_bytes }
    }

    pub fn budget_bytes(&self) -> usize {
        self.budget_bytes
    }

    /// Drops every cached tile (the data changed).
    pub fn clear(&self) {}

    /// Counters for `/metrics`.
    pub fn stats(&self) -> TileCacheStats {
        TileCacheStats::default()
    }
}

/// What the tile cache has done, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TileCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub bytes: u64,
    pub entries: u64,
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
