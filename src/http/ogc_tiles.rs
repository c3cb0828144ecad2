//! The OGC API – Tiles 1.0 endpoints: `/tileMatrixSets[/{id}]`, the dataset's tilesets
//! (`/tiles`, `/tiles/{tileMatrixSetId}` and its tiles) and each collection's
//! (`/collections/{collectionId}/tiles…`, tiles holding only that collection's layers). The
//! documents are `tiles::ogc`'s; the tiles are served by `http::tiles` like every other
//! tile, with the same cache, ETags and 304s.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::base_url::PublicBase;
use super::openapi::{
    integer, one_of, params_type, path_param, query, CollectionId, FJson, ReadErrors,
};
use super::tiles::{serve_tile, source};
use super::{blocking, ApiError, ApiPath, AppState, QueryPairs};
use crate::features::params::Params;
use crate::features::{find_layer, ogc::only_format};
use crate::tiles::ogc::{self, Tileset, WEB_MERCATOR_QUAD};
use crate::tiles::{TileCoord, TileSource};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tileMatrixSets", get(tile_matrix_sets))
        .route("/tileMatrixSets/{tms}", get(tile_matrix_set))
        .route("/tiles", get(dataset_tilesets))
        .route("/tiles/{tms}", get(dataset_tileset))
        .route("/tiles/{tms}/{matrix}/{row}/{col}", get(dataset_tile))
        .route("/collections/{collection}/tiles", get(collection_tilesets))
        .route(
            "/collections/{collection}/tiles/{tms}",
            get(collection_tileset),
        )
        .route(
            "/collections/{collection}/tiles/{tms}/{matrix}/{row}/{col}",
            get(collection_tile),
        )
}

fn accept(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

/// A metadata document: JSON only (`f=json` or none), no other parameter.
fn json_document(
    base: PublicBase,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
    body: impl FnOnce(&str) -> Value,
) -> Result<Response, ApiError> {
    only_format(pairs, accept(headers), false)?;
    let body = body(base.as_str());
    Ok((base, Json(body)).into_response())
}

/// The only tile matrix set served; any other is a 404 that names the one there is.
fn known_matrix_set(tms: &str) -> Result<(), ApiError> {
    if tms == WEB_MERCATOR_QUAD {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "no tile matrix set `{tms}`; the tiles are served in {WEB_MERCATOR_QUAD} only"
    )))
}

fn collection_tileset_of(state: &AppState, collection: &str) -> Result<Tileset, ApiError> {
    let zone = state.zone();
    let layer = find_layer(&zone, collection)?;
    Ok(Tileset::Collection(layer.kind))
}

/// The tile matrix sets the tiles are served in (WebMercatorQuad)
#[utoipa::path(get, path = "/tileMatrixSets", operation_id = "getTileMatrixSetsList", params(FJson),
    responses((status = 200, description = "The tile matrix sets", content_type = "application/json", body = Object), ReadErrors))]
async fn tile_matrix_sets(
    base: PublicBase,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    json_document(base, &headers, pairs, ogc::tile_matrix_sets)
}

/// A tile matrix set's definition (OGC Two Dimensional Tile Matrix Set 2.0)
#[utoipa::path(get, path = "/tileMatrixSets/{tileMatrixSetId}", operation_id = "getTileMatrixSet",
    params(TileMatrixSetId, FJson),
    responses((status = 200, description = "The tile matrix set", content_type = "application/json", body = Object), ReadErrors))]
async fn tile_matrix_set(
    base: PublicBase,
    headers: HeaderMap,
    ApiPath(tms): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    known_matrix_set(&tms)?;
    json_document(base, &headers, pairs, ogc::web_mercator_quad)
}

/// The dataset's vector tilesets (every layer in each tile)
#[utoipa::path(get, path = "/tiles", operation_id = "getDatasetVectorTilesetsList", params(FJson),
    responses((status = 200, description = "The tilesets", content_type = "application/json", body = Object), ReadErrors))]
async fn dataset_tilesets(
    base: PublicBase,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    json_document(base, &headers, pairs, |b| {
        ogc::tilesets(b, Tileset::Dataset)
    })
}

/// A collection's vector tilesets (only its layer in each tile)
#[utoipa::path(get, path = "/collections/{collectionId}/tiles", operation_id = "getCollectionVectorTilesetsList",
    params(CollectionId, FJson),
    responses((status = 200, description = "The tilesets", content_type = "application/json", body = Object), ReadErrors))]
async fn collection_tilesets(
    State(state): State<AppState>,
    base: PublicBase,
    headers: HeaderMap,
    ApiPath(collection): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let set = collection_tileset_of(&state, &collection)?;
    json_document(base, &headers, pairs, |b| ogc::tilesets(b, set))
}

/// The dataset's tileset in a tile matrix set: its limits, layers and fields
#[utoipa::path(get, path = "/tiles/{tileMatrixSetId}", operation_id = "describeDatasetVectorTileset",
    params(TileMatrixSetId, FJson),
    responses((status = 200, description = "The tileset", content_type = "application/json", body = Object), ReadErrors))]
async fn dataset_tileset(
    State(state): State<AppState>,
    base: PublicBase,
    headers: HeaderMap,
    ApiPath(tms): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    known_matrix_set(&tms)?;
    tileset(state, base, &headers, pairs, Tileset::Dataset).await
}

/// A collection's tileset in a tile matrix set: its limits, layer and fields
#[utoipa::path(get, path = "/collections/{collectionId}/tiles/{tileMatrixSetId}", operation_id = "describeCollectionVectorTileset",
    params(CollectionId, TileMatrixSetId, FJson),
    responses((status = 200, description = "The tileset", content_type = "application/json", body = Object), ReadErrors))]
async fn collection_tileset(
    State(state): State<AppState>,
    base: PublicBase,
    headers: HeaderMap,
    ApiPath((collection, tms)): ApiPath<(String, String)>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let set = collection_tileset_of(&state, &collection)?;
    known_matrix_set(&tms)?;
    tileset(state, base, &headers, pairs, set).await
}

/// A tileset's metadata: its layers' fields are derived once per data version, which blocks
/// the first time, so it is written off the async workers.
async fn tileset(
    state: AppState,
    base: PublicBase,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
    set: Tileset,
) -> Result<Response, ApiError> {
    only_format(pairs, accept(headers), false)?;
    let zone = state.zone();
    let max_zoom = state.config().max_zoom;
    let url = base.url.clone();
    let body = blocking(move || Ok(ogc::tileset(&zone, &url, set, max_zoom))).await?;
    Ok((base, Json(body)).into_response())
}

/// A vector tile of the dataset (every layer) by tile matrix, row and column; 404 outside the tileset's limits
#[utoipa::path(get, path = "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", operation_id = "getDatasetVectorTile",
    params(TileMatrixSetId, TileAddress, TileFormat),
    responses((status = 200, description = "The tile", content_type = "application/vnd.mapbox-vector-tile", body = [u8],
            headers(("ETag" = String, description = "The tile's version: send it as If-None-Match to revalidate"))),
        (status = 204, description = "Nothing of the tileset lies in this tile"),
        (status = 304, description = "Not modified: If-None-Match names the tile's ETag"),
        ReadErrors))]
async fn dataset_tile(
    State(state): State<AppState>,
    ApiPath((tms, matrix, row, col)): ApiPath<(String, String, String, String)>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    ogc_tile(
        &state,
        Tileset::Dataset,
        [&tms, &matrix, &row, &col],
        pairs,
        request.headers(),
    )
    .await
}

/// A vector tile of one collection (only its layer) by tile matrix, row and column; 404 outside the tileset's limits
#[utoipa::path(get, path = "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
    operation_id = "getCollectionVectorTile",
    params(CollectionId, TileMatrixSetId, TileAddress, TileFormat),
    responses((status = 200, description = "The tile", content_type = "application/vnd.mapbox-vector-tile", body = [u8],
            headers(("ETag" = String, description = "The tile's version: send it as If-None-Match to revalidate"))),
        (status = 204, description = "Nothing of the tileset lies in this tile"),
        (status = 304, description = "Not modified: If-None-Match names the tile's ETag"),
        ReadErrors))]
async fn collection_tile(
    State(state): State<AppState>,
    ApiPath((collection, tms, matrix, row, col)): ApiPath<(String, String, String, String, String)>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    let set = collection_tileset_of(&state, &collection)?;
    ogc_tile(
        &state,
        set,
        [&tms, &matrix, &row, &col],
        pairs,
        request.headers(),
    )
    .await
}

/// A tile by WebMercatorQuad's tile matrix, row and column: a 400 naming the part that is
/// not a tile address, a 404 outside the tileset's limits, else the tile (a 204 when empty).
async fn ogc_tile(
    state: &AppState,
    set: Tileset,
    [tms, matrix, row, col]: [&str; 4],
    pairs: Vec<(String, String)>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    known_matrix_set(tms)?;
    let mut params = Params::new(pairs);
    if let Some(f) = params.take("f")? {
        if f != "mvt" {
            return Err(ApiError::bad_parameter(
                "f",
                format!(
                    "{f:?} is not a format served here; tiles are Mapbox Vector Tiles: use mvt"
                ),
            ));
        }
    }
    params.finish(&["f"])?;
    let mut live = source(state);
    let tile = TileCoord::parse_matrix(matrix, row, col, live.max_zoom())
        .map_err(|e| ApiError::bad_parameter(e.parameter(), e))?;
    if !ogc::within_limits(live.zone(), set, live.max_zoom(), tile) {
        return Err(ApiError::not_found(format!(
            "tile {matrix}/{row}/{col} is outside this tileset's limits (its tileset metadata lists them)"
        )));
    }
    if let Tileset::Collection(kind) = set {
        live = live.of_collection(kind);
    }
    serve_tile(state, live, tile, headers).await
}

params_type! {
    /// `{tileMatrixSetId}`: the one served.
    TileMatrixSetId => vec![path_param(
        "tileMatrixSetId",
        "The tile matrix set (WebMercatorQuad, the only one served)",
        one_of([WEB_MERCATOR_QUAD]),
    )];
    /// `{tileMatrix}/{tileRow}/{tileCol}`.
    TileAddress => {
        let index = || integer().minimum(Some(0.0));
        vec![
            path_param("tileMatrix", "The tile matrix: the zoom level", index()),
            path_param("tileRow", "The row, from the top", index()),
            path_param("tileCol", "The column, from the left", index()),
        ]
    };
    /// `f` of a tile.
    TileFormat => vec![query(
        "f",
        "Representation: Mapbox Vector Tile, the only one",
        one_of(["mvt"]),
    )
    .build()];
}
