//! The tile endpoints: `/tiles/{z}/{x}/{y}.mvt|.pbf` (ETag, 304, gzip, 204 for an empty
//! tile), `/tiles.json`, `/style.json` and `/fonts/{fontstack}/{range}.pbf`. Any
//! [`TileSource`] is served alike: the cache (single flight per tile) and the encoding
//! permits are here, the tiles themselves come from the source.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::base_url::PublicBase;
use super::openapi::ReadErrors;
use super::{blocking, ApiError, ApiPath, AppState};
use crate::tiles::{fonts, style, EncodedTile, LiveTiles, TileCoord, TileSource, MVT_CONTENT_TYPE};

/// Tiles may be reused for 5 minutes, then revalidated with their ETag (cheap: a 304).
const TILE_CACHE_CONTROL: &str = "public, max-age=300";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tiles/{z}/{x}/{y}", get(tile))
        .route("/tiles.json", get(tile_json))
        .route("/style.json", get(style_json))
        .route("/fonts/{fontstack}/{range}", get(glyphs))
}

/// The source the service serves tiles from: the current snapshot, encoded live.
pub(super) fn source(state: &AppState) -> LiveTiles {
    let config = state.config();
    LiveTiles::new(state.zone(), config.tile_buffer, config.max_zoom)
}

/// A Mapbox Vector Tile of the zone's layers (`plots` carries the plot cards)
#[utoipa::path(get, path = "/tiles/{z}/{x}/{y}.mvt", operation_id = "getTile_mvt",
    params(
        ("z" = u32, Path, description = "Zoom level", minimum = 0),
        ("x" = u32, Path, description = "Column", minimum = 0),
        ("y" = u32, Path, description = "Row", minimum = 0)),
    responses(
        (status = 200, description = "The tile (empty when nothing lies in it)",
            content_type = "application/vnd.mapbox-vector-tile", body = [u8],
            headers(("ETag" = String, description = "The tile's version: send it as If-None-Match to revalidate"))),
        (status = 204, description = "Nothing of the zone lies in this tile"),
        (status = 304, description = "Not modified: If-None-Match names the tile's ETag"),
        ReadErrors))]
async fn tile(
    State(state): State<AppState>,
    ApiPath((z, x, y)): ApiPath<(String, String, String)>,
    // The request itself rather than a `HeaderMap` extractor, which would copy the headers.
    request: Request,
) -> Result<Response, ApiError> {
    let source = source(&state);
    let tile = TileCoord::parse(&z, &x, &y, source.max_zoom())
        .map_err(|e| ApiError::bad_parameter(e.parameter(), e))?;
    serve_tile(&state, source, tile, request.headers()).await
}

/// A tile of `source` with its ETag (a 304 when the client has it), gzipped when the client
/// takes gzip, a 204 when empty: every tile endpoint answers through here.
pub(super) async fn serve_tile<S: TileSource + Clone>(
    state: &AppState,
    source: S,
    tile: TileCoord,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    // The ETag is known before anything is encoded.
    let etag = source.etag(tile);
    if etag_matches(headers, &etag) {
        return tile_response(StatusCode::NOT_MODIFIED, etag, Body::empty(), None);
    }
    let revision = source.revision(tile);
    let encoded = match state.tiles().get(source.version(), tile, revision) {
        Some(hit) => hit,
        // Boxed: the miss path's future is large, and this keeps the hit path's small
        // (glibc's malloc does extra work for every block of 1 KiB or more).
        None => Box::pin(make_or_wait(state, source, tile, revision)).await?,
    };
    if encoded.raw.is_empty() {
        return tile_response(StatusCode::NO_CONTENT, etag, Body::empty(), None);
    }
    // Cloning `Bytes` shares the cached tile: nothing is copied per request.
    if accepts_gzip(headers) {
        let body = Body::from(encoded.gzip.clone());
        tile_response(StatusCode::OK, etag, body, Some(GZIP))
    } else {
        tile_response(StatusCode::OK, etag, Body::from(encoded.raw.clone()), None)
    }
}

/// A Mapbox Vector Tile of the zone's layers (`plots` carries the plot cards)
#[utoipa::path(get, path = "/tiles/{z}/{x}/{y}.pbf", operation_id = "getTile_pbf",
    params(
        ("z" = u32, Path, description = "Zoom level", minimum = 0),
        ("x" = u32, Path, description = "Column", minimum = 0),
        ("y" = u32, Path, description = "Row", minimum = 0)),
    responses(
        (status = 200, description = "The tile (empty when nothing lies in it)",
            content_type = "application/vnd.mapbox-vector-tile", body = [u8],
            headers(("ETag" = String, description = "The tile's version: send it as If-None-Match to revalidate"))),
        (status = 204, description = "Nothing of the zone lies in this tile"),
        (status = 304, description = "Not modified: If-None-Match names the tile's ETag"),
        ReadErrors))]
// Only a description: [`tile`] serves `/tiles/{z}/{x}/{y}` with either extension.
#[allow(dead_code)]
pub(super) fn tile_pbf() {}

/// The permits to make tiles: one per core the process may run on.
fn encoders() -> &'static tokio::sync::Semaphore {
    static ENCODERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    ENCODERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// The tile from the cache, or made by the source on a blocking thread (once for all the
/// requests that ask for it meanwhile).
async fn make_or_wait<S: TileSource + Clone>(
    state: &AppState,
    source: S,
    tile: TileCoord,
    revision: u64,
) -> Result<Arc<EncodedTile>, ApiError> {
    let version = source.version().to_string();
    let compute = || async move {
        // As many tiles are made at once as there are cores; the others wait their turn in
        // order. Sixty-four encodings time-sliced on one core finish no sooner on
        // average, and each of them later than in turn.
        let _turn = encoders().acquire().await.map_err(ApiError::internal)?;
        blocking(move || source.tile(tile).map_err(ApiError::internal)).await
    };
    state
        .tiles()
        .get_or_compute(&version, tile, revision, compute)
        .await
}

const GZIP: HeaderValue = HeaderValue::from_static("gzip");

/// A tile answer with its caching headers (and a content type when there is a body).
fn tile_response(
    status: StatusCode,
    etag: String,
    body: Body,
    encoding: Option<HeaderValue>,
) -> Result<Response, ApiError> {
    // The ETag was formatted from digits and the version; `from_maybe_shared` takes the
    // String's buffer as it is rather than copying it.
    let etag = HeaderValue::from_maybe_shared(Bytes::from(etag)).map_err(ApiError::internal)?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    // Room for these and what the outer layers add (length, CORS, request id: 9 in all) in
    // one allocation rather than a regrowth.
    *response.headers_mut() = HeaderMap::with_capacity(9);
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(TILE_CACHE_CONTROL),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if status == StatusCode::OK {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(MVT_CONTENT_TYPE),
        );
    }
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, encoding);
    }
    Ok(response)
}

/// Whether `If-None-Match` names this ETag (weak or strong) or is `*`.
fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// Whether `Accept-Encoding` allows gzip (listed, or `*`, without `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// TileJSON 3.0 of the vector tiles
#[utoipa::path(get, path = "/tiles.json", operation_id = "getTileJson",
    responses(
        (status = 200, description = "The TileJSON", content_type = "application/json", body = Object),
        ReadErrors))]
async fn tile_json(State(state): State<AppState>, base: PublicBase) -> Result<Response, ApiError> {
    let source = source(&state);
    let url = base.url.clone();
    // TileJSON's field lists are derived once per snapshot (warmed when it is built); should
    // they not be ready, deriving them blocks, so not on an async worker.
    let body = blocking(move || Ok(source.tilejson(&url))).await?;
    Ok((base, Json(body)).into_response())
}

/// The MapLibre style of the zone
// It opens on the plots served (their extent in this snapshot; data without plots opens on
// the bundled zone's), with every layer the manifest adds.
#[utoipa::path(get, path = "/style.json", operation_id = "getStyle",
    responses(
        (status = 200, description = "The style", content_type = "application/json", body = Object),
        ReadErrors))]
async fn style_json(State(state): State<AppState>, base: PublicBase) -> Response {
    let body = style::zone_style(&state.zone(), &base.url);
    (base, Json(body)).into_response()
}

/// Glyphs (SDF protobuf) for the style's labels: Noto Sans Regular / Bold
#[utoipa::path(get, path = "/fonts/{fontstack}/{range}.pbf", operation_id = "getGlyphs",
    params(
        ("fontstack" = String, Path, description = "Comma-separated font names"),
        ("range" = String, Path, description = "Unicode range, e.g. 0-255")),
    responses(
        (status = 200, description = "The glyphs", content_type = "application/x-protobuf", body = [u8]),
        ReadErrors))]
pub async fn glyphs(
    ApiPath((fontstack, range)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let pbf = fonts::glyph_range(&fontstack, &range).map_err(|e| match e {
        fonts::FontError::UnknownFontstack(_) => ApiError::not_found(e.to_string()),
        fonts::FontError::BadRange(_) => ApiError::bad_parameter("range", e),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-protobuf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        pbf,
    )
        .into_response())
}
