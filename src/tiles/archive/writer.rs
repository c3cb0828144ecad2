//! What the archive writers of [`super::export`] share: the [`ArchiveWriter`] each format
//! implements, the archive's [`Metadata`] and the [`ExportError`].

use serde_json::Value;

use crate::tiles::coord::TileCoord;
use crate::tiles::source::TileError;

/// The highest zoom an export may ask for: z18 over the zone is already ~10⁵ candidate
/// tiles; the map overzooms the last level.
pub const MAX_EXPORT_ZOOM: u8 = 20;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}: the archive's name must end in .pmtiles or .mbtiles")]
    Format(String),
    #[error("the zoom range {min}..={max} is empty or above z{MAX_EXPORT_ZOOM} (or the source's z{source_max})")]
    Zooms { min: u8, max: u8, source_max: u8 },
    #[error("the data has no extent to export (no features)")]
    NoExtent,
    #[error("tile {tile}: {source}")]
    Tile { tile: TileCoord, source: TileError },
    #[error("{path}: {message}")]
    Write { path: String, message: String },
}

/// One archive being written: tiles in the plan's order, then the metadata.
pub(super) trait ArchiveWriter {
    fn add(&mut self, tile: TileCoord, gzipped: &[u8]) -> Result<(), String>;
    fn finish(self: Box<Self>, metadata: &Metadata) -> Result<(), String>;
}

/// The archive's metadata, from the source's TileJSON and the plan.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub tilejson: Value,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// West, south, east, north.
    pub bounds: [f64; 4],
    /// Longitude, latitude, zoom.
    pub center: (f64, f64, u8),
}
