//! The tile source seam, in the manner of Martin's sources: where tiles come from. A
//! [`TileSource`] knows its TileJSON and makes (or reads) one tile at a time; the HTTP edge
//! adds caching, ETags and content negotiation around any source alike.
//!
//! [`LiveTiles`] is today's source: the zone snapshot encoded on demand. An exported archive
//! (PMTiles, MBTiles) can be another, later.

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;

use super::cache::EncodedTile;
use super::compress::{gzip, CompressError};
use super::coord::TileCoord;
use super::encode::{encode_tile_of, EncodeError};
use super::layers::Prepared;
use super::tilejson;
use crate::geodata::LayerKind;
use crate::zone::Zone;

/// Why a source could not give a tile.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    Compress(#[from] CompressError),
}

/// Where tiles come from.
pub trait TileSource: Send + Sync + 'static {
    /// Names the tiles' content: changes whenever any tile may change (the cache's key).
    fn version(&self) -> &str;
    /// A tile's own revision within the version: changes when something the tile shows
    /// changes without a new version (a register edit); part of the cache's key.
    fn revision(&self, _tile: TileCoord) -> u64 {
        0
    }
    /// An entity tag for a tile, known before the tile is made (so a 304 costs nothing).
    fn etag(&self, tile: TileCoord) -> String;
    /// The highest zoom the source has tiles for.
    fn max_zoom(&self) -> u8;
    /// The TileJSON document, tile URLs under `base` (the public base URL).
    fn tilejson(&self, base: &str) -> Value;
    /// The tile, plain and gzipped; empty when nothing is there. Blocking (encoding or
    /// reading): call it off the async workers.
    fn tile(&self, tile: TileCoord) -> Result<EncodedTile, TileError>;
}

/// The zone's own tiles, encoded on demand from one snapshot: every tile layer, or only the
/// layers drawn from one collection ([`LiveTiles::of_collection`]).
#[derive(Debug, Clone)]
pub struct LiveTiles {
    zone: Arc<Zone>,
    /// Tile buffer in tile units (of a 4096 extent).
    buffer: u32,
    max_zoom: u8,
    /// The collection whose layers alone the tiles carry, and the version naming them (the
    /// data version and the collection, so the cache keeps them apart from whole tiles).
    only: Option<(LayerKind, String)>,
}

impl LiveTiles {
    pub fn new(zone: Arc<Zone>, buffer: u32, max_zoom: u8) -> LiveTiles {
        LiveTiles {
            zone,
            buffer,
            max_zoom,
            only: None,
        }
    }

    /// The same tiles with only the tile layers drawn from `kind` (OGC API – Tiles'
    /// `/collections/{id}/tiles`): for the plots, their polygons and their label points.
    pub fn of_collection(self, kind: LayerKind) -> LiveTiles {
        let version = format!("{}~{}", self.zone.version(), kind.name());
        LiveTiles {
            only: Some((kind, version)),
            ..self
        }
    }

    /// The collection these tiles are restricted to, if any.
    pub fn collection(&self) -> Option<LayerKind> {
        self.only.as_ref().map(|(kind, _)| *kind)
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }
}

impl TileSource for LiveTiles {
    fn version(&self) -> &str {
        match &self.only {
            Some((_, version)) => version,
            None => self.zone.version(),
        }
    }

    fn revision(&self, tile: TileCoord) -> u64 {
        // The plots in the tile and its buffer: the register edits that may show in it.
        self.zone
            .register_revision_within(&tile.buffered_lonlat(self.buffer))
    }

    fn etag(&self, tile: TileCoord) -> String {
        // A tile is a function of the data version, the buffer, its address and the
        // register edits of its plots.
        format!(
            "\"{}-b{}-{}-{}-{}-r{}\"",
            self.version(),
            self.buffer,
            tile.z,
            tile.x,
            tile.y,
            self.revision(tile)
        )
    }

    fn max_zoom(&self) -> u8 {
        self.max_zoom
    }

    fn tilejson(&self, base: &str) -> Value {
        tilejson::tile_json(&self.zone, base, self.max_zoom)
    }

    fn tile(&self, tile: TileCoord) -> Result<EncodedTile, TileError> {
        let prepared = self.zone.get::<Prepared>();
        let only = self.collection();
        let raw = encode_tile_of(&self.zone, &prepared, tile, self.buffer, only)?;
        let gzip = if raw.is_empty() {
            Vec::new()
        } else {
            gzip(&raw)?
        };
        Ok(EncodedTile {
            raw: Bytes::from(raw),
            gzip: Bytes::from(gzip),
        })
    }
}
