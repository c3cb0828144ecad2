//! The exports of the items endpoints (`?f=csv|kml|kmz|xlsx|gpkg`, see
//! `crate::features::export`): written off the async workers, sent as an attachment named
//! after the collection (and the feature).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::{blocking, ApiError, AppState};
use crate::features::export::{self, Download};
use crate::features::negotiate::ExportFormat;

fn attachment(download: Download) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", download.filename);
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(download.media_type),
        )],
        download.bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /collections/{collection}/items?f=…`.
pub async fn items(
    state: &AppState,
    collection: String,
    pairs: Vec<(String, String)>,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let zone = state.zone();
    let download = blocking(move || Ok(export::items(&zone, &collection, pairs, format)?)).await?;
    Ok(attachment(download))
}

/// `GET /collections/{collection}/items/{fid}?f=…`.
pub async fn item(
    state: &AppState,
    collection: String,
    fid: String,
    pairs: Vec<(String, String)>,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let zone = state.zone();
    let download =
        blocking(move || Ok(export::item(&zone, &collection, &fid, pairs, format)?)).await?;
    Ok(attachment(download))
}
