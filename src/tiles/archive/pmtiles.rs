//! The PMTiles v3 writer of [`super::export`], through the `pmtiles` crate: the tiles as the
//! server gzips them (stored precompressed, tile compression gzip), identical tiles stored
//! once, in Hilbert tile-id order (a clustered archive), the TileJSON as metadata.

use std::fs::File;
use std::path::Path;

use pmtiles::{Compression, PmTilesStreamWriter, PmTilesWriter, TileId, TileType};

use super::writer::{ArchiveWriter, ExportError, Metadata};
use crate::tiles::coord::TileCoord;

pub(super) struct Writer {
    inner: PmTilesStreamWriter<File>,
}

/// The PMTiles tile id of a tile (the archive's order).
pub(super) fn tile_id(tile: TileCoord) -> u64 {
    pmtiles::TileCoord::new(tile.z, tile.x, tile.y)
        .map(|c| TileId::from(c).value())
        .unwrap_or(u64::MAX)
}

impl Writer {
    pub(super) fn create(path: &Path, metadata: &Metadata) -> Result<Writer, ExportError> {
        let error = |message: String| ExportError::Write {
            path: path.display().to_string(),
            message,
        };
        let file = File::create(path).map_err(|e| error(e.to_string()))?;
        let [west, south, east, north] = metadata.bounds;
        let (lon, lat, zoom) = metadata.center;
        let inner = PmTilesWriter::new(TileType::Mvt)
            .precompressed(Compression::Gzip)
            .min_zoom(metadata.min_zoom)
            .max_zoom(metadata.max_zoom)
            .bounds(west, south, east, north)
            .center(lon, lat)
            .center_zoom(zoom)
            .metadata(metadata.tilejson.to_string())
            .create(file)
            .map_err(|e| error(e.to_string()))?;
        Ok(Writer { inner })
    }
}

impl ArchiveWriter for Writer {
    fn add(&mut self, tile: TileCoord, gzipped: &[u8]) -> Result<(), String> {
        let coord = pmtiles::TileCoord::new(tile.z, tile.x, tile.y).map_err(|e| e.to_string())?;
        self.inner
            .add_tile(coord, gzipped)
            .map_err(|e| e.to_string())
    }

    fn finish(self: Box<Self>, _metadata: &Metadata) -> Result<(), String> {
        self.inner.finalize().map_err(|e| e.to_string())
    }
}
