//! Feature queries: OGC API – Features (Part 1 Core with GeoJSON and OpenAPI 3.0, Part 2
//! CRS by reference, Part 3 queryables) over the zone's layers, and the plot look-ups web maps
//! use (what lies under a click, search by identifier).
//!
//! - [`ogc`] — the landing page, conformance, `/api`, collections and queryables;
//! - [`items`] — `/collections/{id}/items[/{fid}]`: bbox, filters, paging, output CRS;
//! - [`plots`] — `/plots/at` and `/plots/search`;
//! - [`params`], [`negotiate`] — query parameters and content negotiation shared by them;
//! - [`output`] — geometry in the requested CRS and axis order, and the plot card;
//! - [`write`] — feature pages serialized straight to JSON text (no `Value` tree);
//! - [`collections`] — collection metadata, queryables and filters;
//! - [`openapi`], [`html`] — the OpenAPI document of the whole service and the HTML pages.
//!
//! Handlers extract the request, then call a synchronous function that does the work: PROJ
//! transforms are not `Send`, so they are built and dropped there, never held across `.await`.

pub mod collections;
pub mod html;
pub mod items;
pub mod negotiate;
pub mod ogc;
pub mod openapi;
pub mod output;
pub mod params;
pub mod plots;
pub mod write;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use time::format_description::well_known::Rfc3339;

use crate::app::{AppState, Data};
use crate::geodata::{Layer, LayerKind};
use crate::http::{ApiError, ApiPath, ApiQuery};

/// The media type of GeoJSON answers.
pub const GEOJSON: &str = "application/geo+json";

/// The query string as decoded name/value pairs, in order.
type Query = ApiQuery<Vec<(String, String)>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(ogc::api))
        .route("/collections", get(ogc::collections))
        .route("/collections/{collection}", get(ogc::collection))
        .route("/collections/{collection}/queryables", get(ogc::queryables))
        .route("/collections/{collection}/items", get(items_handler))
        .route("/collections/{collection}/items/{fid}", get(item_handler))
        .route("/plots/at", get(plots_at_handler))
        .route("/plots/search", get(plots_search_handler))
}

async fn items_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(collection): ApiPath<String>,
    ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    items::items(&state, &headers, &collection, pairs)
}

async fn item_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((collection, fid)): ApiPath<(String, String)>,
    ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    items::item(&state, &headers, &collection, &fid, pairs)
}

async fn plots_at_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    plots::at(&state, &headers, pairs)
}

async fn plots_search_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    plots::search(&state, &headers, pairs)
}

/// The layer behind a collection id, or 404 naming the collections there are.
pub fn find_layer<'a>(data: &'a Data, collection: &str) -> Result<&'a Layer, ApiError> {
    LayerKind::from_name(collection)
        .and_then(|kind| data.dataset.layer(kind))
        .ok_or_else(|| {
            let names: Vec<&str> = data.dataset.layers.iter().map(|l| l.kind.name()).collect();
            ApiError::not_found(format!(
                "no collection `{collection}`; the collections are {}",
                names.join(", ")
            ))
        })
}

/// The current time for `timeStamp`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
