//! Vector tiles (MVT) of the zone: the layers and what each carries ([`layers`]), clipping,
//! simplification and winding in integer tile units ([`geometry`]), encoding ([`encode`]),
//! the tile cache ([`TileCache`]), TileJSON, the MapLibre style and its glyphs, and the
//! routes that serve them ([`routes`]). How it all fits is in `docs/tiles.md`.

mod cache;
pub mod coord;
pub mod encode;
pub mod fonts;
mod frame;
pub mod geometry;
mod handlers;
pub mod layers;
mod mvt_geometry;
pub mod style;
pub mod tilejson;

use axum::routing::get;
use axum::Router;

use crate::app::AppState;

pub use cache::{EncodedTile, TileCache, TileCacheStats};
pub use coord::{TileCoord, TileCoordError, EXTENT};
pub use handlers::MVT_CONTENT_TYPE;
pub use layers::{Prepared, TILE_LAYERS};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tiles/{z}/{x}/{y}", get(handlers::tile))
        .route("/tiles.json", get(handlers::tile_json))
        .route("/style.json", get(handlers::style_json))
        .route("/fonts/{fontstack}/{range}", get(handlers::glyphs))
}
