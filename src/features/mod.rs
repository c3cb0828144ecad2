//! Feature queries: OGC API – Features (landing page, conformance, collections, items) and
//! the plot look-ups maps use (by click point, by search).

use axum::Router;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
