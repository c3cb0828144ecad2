//! The tile endpoints over HTTP: `/tiles/{z}/{x}/{y}.mvt|.pbf` (ETag, 304, gzip, 204 for
//! an empty tile), `/tiles.json`, `/style.json` and `/fonts/{fontstack}/{range}.pbf`, and the
//! absolute base URL they link with.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::cache::EncodedTile;
use super::coord::TileCoord;
use super::{encode, fonts, style, tilejson};
use crate::app::AppState;
use crate::http::{ApiError, ApiPath};

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";
/// Tiles may be reused for 5 minutes, then revalidated with their ETag (cheap: a 304).
const TILE_CACHE_CONTROL: &str = "public, max-age=300";

pub async fn tile(
    State(state): State<AppState>,
    ApiPath((z, x, y)): ApiPath<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let config = state.config();
    let tile = TileCoord::parse(&z, &x, &y, config.max_zoom)
        .map_err(|e| ApiError::bad_parameter(e.parameter(), e))?;
    let data = state.data();
    let version = data.dataset.version.clone();
    let buffer = config.tile_buffer;
    // The tile is a function of the data version, the buffer and the address: the ETag can
    // be answered before anything is encoded.
    let etag = format!("\"{version}-b{buffer}-{}-{}-{}\"", tile.z, tile.x, tile.y);
    let mut common = HeaderMap::new();
    common.insert(header::ETAG, header_value(&etag)?);
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(TILE_CACHE_CONTROL),
    );
    common.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if etag_matches(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let worker = state.clone();
    let encoded = state
        .tiles()
        .get_or_compute(&version, tile, || async move {
            tokio::task::spawn_blocking(move || {
                let prepared = worker.tiles().prepared(&data);
                let raw = encode::encode_tile(&data, &prepared, tile, buffer)
                    .map_err(ApiError::internal)?;
                let gzip = if raw.is_empty() {
                    Vec::new()
                } else {
                    gzip(&raw)?
                };
                Ok::<_, ApiError>(EncodedTile { raw, gzip })
            })
            .await
            .map_err(ApiError::internal)?
        })
        .await?;
    if encoded.raw.is_empty() {
        return Ok((StatusCode::NO_CONTENT, common).into_response());
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(MVT_CONTENT_TYPE),
    );
    if accepts_gzip(&headers) {
        common.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        Ok((common, encoded.gzip.clone()).into_response())
    } else {
        Ok((common, encoded.raw.clone()).into_response())
    }
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

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(ApiError::internal)
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
            let coding = parts.next().unwrap_or("").to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding == "gzip" || coding == "*") && !refused
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
    Ok(Json(tilejson::tile_json(
        &data,
        &base,
        state.config().max_zoom,
    )))
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
