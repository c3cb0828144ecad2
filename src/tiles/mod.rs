//! Vector tiles (MVT) of the zone: the layers and what each carries ([`layers`]), clipping,
//! simplification and winding in integer tile units ([`geometry`]), encoding ([`encode`]),
//! the tile source seam ([`source`]), the tile cache ([`TileCache`]), TileJSON, the MapLibre
//! style and its glyphs, and the OGC API – Tiles documents ([`ogc`]). How it all fits is in `docs/tiles.md`; the endpoints are in
//! `crate::http::tiles`.

pub mod archive;
mod cache;
pub mod compress;
pub mod coord;
pub mod encode;
pub mod fonts;
mod frame;
pub mod geometry;
pub mod layers;
mod mvt_geometry;
pub mod ogc;
pub mod source;
pub mod style;
pub mod tilejson;

pub use cache::{EncodedTile, TileCache, TileCacheStats};
pub use coord::{TileCoord, TileCoordError, EXTENT};
pub use layers::{Prepared, TILE_LAYERS};
pub use source::{LiveTiles, TileError, TileSource};
pub use tilejson::{PlotValues, TileFields};

/// The media type of a vector tile.
pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";
