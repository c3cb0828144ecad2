//! The tile endpoints over HTTP: `/tiles/{z}/{x}/{y}.mvt|.pbf` (ETag, 304, gzip, 204 for
//! an empty tile), `/tiles.json`, `/style.json` and `/fonts/{fontstack}/{range}.pbf`, and the
//! absolute base URL they link with.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::cache::EncodedTile;
use super::coord::TileCoord;
use super::{encode, fonts, style, tilejson};
use crate::app::{AppState, Data};
use crate::http::{ApiError, ApiPath};

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";
/// Tiles may be reused for 5 minutes, then revalidated with their ETag (cheap: a 304).
const TILE_CACHE_CONTROL: &str = "public, max-age=300";

pub async fn tile(
    State(state): State<AppState>,
    ApiPath((z, x, y)): ApiPath<(String, String, String)>,
    // The request itself rather than a `HeaderMap` extractor, which would copy the headers.
    request: Request,
) -> Result<Response, ApiError> {
    let headers = request.headers();
    let config = state.config();
    let tile = TileCoord::parse(&z, &x, &y, config.max_zoom)
        .map_err(|e| ApiError::bad_parameter(e.parameter(), e))?;
    let data = state.data();
    let version = data.dataset.version.as_str();
    let buffer = config.tile_buffer;
    // The tile is a function of the data version, the buffer and the address: the ETag can
    // be answered before anything is encoded.
    let mut etag = String::with_capacity(version.len() + 40);
    write!(
        etag,
        "\"{version}-b{buffer}-{}-{}-{}\"",
        tile.z, tile.x, tile.y
    )
    .map_err(ApiError::internal)?;
    if etag_matches(headers, &etag) {
        return tile_response(StatusCode::NOT_MODIFIED, etag, Body::empty(), None);
    }
    let encoded = match state.tiles().get(version, tile) {
        Some(hit) => hit,
        // Boxed: the miss path's future is large, and this keeps the hit path's small
        // (glibc's malloc does extra work for every block of 1 KiB or more).
        None => Box::pin(encode_or_wait(&state, &data, tile)).await?,
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

/// From this zoom a tile holds few features (a fraction of a millisecond to encode), less
/// than handing it to a blocking thread and back costs: it is encoded on the async worker.
const INLINE_ZOOM: u8 = 16;

/// The permits to encode tiles: one per core the process may run on.
fn encoders() -> &'static tokio::sync::Semaphore {
    static ENCODERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    ENCODERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// The tile from the cache, or encoded on a worker thread (once for all the requests that
/// ask for it meanwhile).
async fn encode_or_wait(
    state: &AppState,
    data: &Arc<Data>,
    tile: TileCoord,
) -> Result<Arc<EncodedTile>, ApiError> {
    let buffer = state.config().tile_buffer;
    let compute = || {
        let (worker, data) = (state.clone(), Arc::clone(data));
        async move {
            // As many tiles encode at once as there are cores; the others wait their turn
            // in order. Sixty-four encodings time-sliced on one core finish no sooner
            // on average, and each of them later than in turn.
            let _turn = encoders().acquire().await.map_err(ApiError::internal)?;
            let encode = move || {
                let prepared = worker.tiles().prepared(&data);
                let raw = encode::encode_tile(&data, &prepared, tile, buffer)
                    .map_err(ApiError::internal)?;
                let gzip = if raw.is_empty() {
                    Vec::new()
                } else {
                    gzip(&raw)?
                };
                Ok::<_, ApiError>(EncodedTile {
                    raw: Bytes::from(raw),
                    gzip: Bytes::from(gzip),
                })
            };
            if tile.z >= INLINE_ZOOM {
                encode()
            } else {
                tokio::task::spawn_blocking(encode)
                    .await
                    .map_err(ApiError::internal)?
            }
        }
    };
    state
        .tiles()
        .get_or_compute(&data.dataset.version, tile, compute)
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

/// Gzip at the fastest level, with one deflate state per blocking worker thread, reset per
/// tile. Measured on the 1M-plot tiles: level 1 compresses a large tile 4–5× faster than
/// the default level 6 for output 2–8 % larger, and reusing the state (rather than setting
/// up some 300 KB of it per tile) makes small tiles 2–3× cheaper.
fn gzip(raw: &[u8]) -> Result<Vec<u8>, ApiError> {
    use flate2::{Compress, Compression, Crc, FlushCompress, Status};
    use std::cell::RefCell;
    thread_local! {
        static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    }
    // RFC 1952 member header: deflate, no flags, no mtime, unknown OS.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut out = Vec::with_capacity(raw.len() / 2 + 1024);
    out.extend_from_slice(&HEADER);
    DEFLATE.with_borrow_mut(|deflate| {
        deflate.reset();
        loop {
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(1024));
            }
            let (before_in, before_out) = (deflate.total_in(), deflate.total_out());
            let input = raw.get(before_in as usize..).unwrap_or_default();
            let status = deflate
                .compress_vec(input, &mut out, FlushCompress::Finish)
                .map_err(ApiError::internal)?;
            if status == Status::StreamEnd {
                return Ok(());
            }
            if (deflate.total_in(), deflate.total_out()) == (before_in, before_out) {
                return Err(ApiError::internal("gzip made no progress"));
            }
        }
    })?;
    let mut crc = Crc::new();
    crc.update(raw);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE: the input length modulo 2^32.
    out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    Ok(out)
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

/// The absolute URL the service is reached at: `public_url` when configured, else
/// `X-Forwarded-Proto` (or http) and the request's `Host`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = &state.config().public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .ok_or_else(|| {
            ApiError::bad_parameter(
                "Host",
                "a valid Host header is needed to build absolute URLs (or set public_url)",
            )
        })?;
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".to_string());
    Ok(format!("{proto}://{host}"))
}

pub async fn tile_json(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let base = base_url(&state, &headers)?;
    let data = state.data();
    // The first request per data version builds the tiles' prepared facts and reads every
    // feature's fields: seconds for a province, so not on an async worker.
    let body = tokio::task::spawn_blocking(move || {
        let prepared = state.tiles().prepared(&data);
        tilejson::tile_json(&data, &prepared, &base, state.config().max_zoom)
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(body))
}

pub async fn style_json(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let base = base_url(&state, &headers)?;
    Ok(Json(style::style(&base)))
}

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
