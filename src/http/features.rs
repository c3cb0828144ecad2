//! The feature endpoints (OGC API – Features and the plot look-ups): each extracts the
//! request, resolves the public base URL, then runs the feature query off the async workers
//! and writes its [`Answer`] with the right headers.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::base_url::PublicBase;
use super::{api_doc, blocking, openapi, ApiError, ApiPath, AppState, QueryPairs};
use crate::features::negotiate::{self, ExportFormat, Format};
use crate::features::{items, ogc, plots, Answer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/api", get(api))
        .route("/collections", get(collections))
        .route("/collections/{collection}", get(collection))
        .route("/collections/{collection}/queryables", get(queryables))
        .route("/collections/{collection}/items", get(items_page))
        .route("/collections/{collection}/items/{fid}", get(item))
        .route("/plots/at", get(plots_at))
        .route("/plots/search", get(plots_search))
}

fn accept(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// An answer with its media type, `Content-Crs` when it has coordinates, and `Vary` for the
/// headers its links were built from.
fn respond(base: PublicBase, answer: Answer) -> Response {
    let mut response = (
        base,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(answer.media_type),
        )],
        answer.body,
    )
        .into_response();
    if let Some(crs) = answer.content_crs {
        if let Ok(value) = HeaderValue::from_str(&format!("<{crs}>")) {
            response.headers_mut().insert("content-crs", value);
        }
    }
    response
}

async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let accept = accept(&headers);
    // A browser gets the map viewer, with whatever the viewer keeps in its URL (the selected
    // plot, the language); the OGC landing page stays strict about its own parameters.
    let f = pairs
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    if negotiate::choose(f, accept.as_deref(), true) == Ok(Format::Html) {
        let rest: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "f").collect();
        let query = negotiate::query_string(&rest);
        let target = if query.is_empty() {
            "/map".to_string()
        } else {
            format!("/map?{query}")
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let _ = state;
    ogc::only_format(pairs, accept.as_deref(), true)?;
    let body = ogc::landing_json(base.as_str()).to_string();
    Ok(respond(base, Answer::json(body, "application/json")))
}

async fn conformance(
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let answer = ogc::conformance(pairs, accept(&headers).as_deref())?;
    Ok(([(header::CONTENT_TYPE, answer.media_type)], answer.body).into_response())
}

async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let format = ogc::only_format(pairs, accept(&headers).as_deref(), true)?;
    let zone = state.zone();
    let url = base.url.clone();
    let doc = blocking(move || Ok(openapi::document(&url, &zone))).await?;
    Ok(match format {
        Format::Html => (base, Html(api_doc::api_doc(&doc))).into_response(),
        Format::Json => respond(base, Answer::json(doc.to_string(), ogc::OPENAPI_JSON)),
    })
}

async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let answer = ogc::collections(
        &state.zone(),
        base.as_str(),
        pairs,
        accept(&headers).as_deref(),
    )?;
    Ok(respond(base, answer))
}

async fn collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    ApiPath(collection): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let zone = state.zone();
    let answer = ogc::collection(
        &zone,
        base.as_str(),
        &collection,
        pairs,
        accept(&headers).as_deref(),
    )?;
    Ok(respond(base, answer))
}

async fn queryables(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    ApiPath(collection): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let (zone, url, accept) = (state.zone(), base.url.clone(), accept(&headers));
    let answer = blocking(move || {
        Ok(ogc::queryables(
            &zone,
            &url,
            &collection,
            pairs,
            accept.as_deref(),
        )?)
    })
    .await?;
    Ok(respond(base, answer))
}

async fn items_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    ApiPath(collection): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    if let Some(format) = ExportFormat::requested(&pairs) {
        return super::export::items(&state, collection, pairs, format).await;
    }
    let (zone, url, accept) = (state.zone(), base.url.clone(), accept(&headers));
    let answer = blocking(move || {
        Ok(items::items(
            &zone,
            &url,
            accept.as_deref(),
            &collection,
            pairs,
        )?)
    })
    .await?;
    Ok(respond(base, answer))
}

async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    ApiPath((collection, fid)): ApiPath<(String, String)>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    if let Some(format) = ExportFormat::requested(&pairs) {
        return super::export::item(&state, collection, fid, pairs, format).await;
    }
    let (zone, url, accept) = (state.zone(), base.url.clone(), accept(&headers));
    // A plot's ETag names its register revision: the `If-Match` of an edit (see `edit`).
    let etag = super::edit::item_etag(&zone, &collection, &fid);
    let answer = blocking(move || {
        Ok(items::item(
            &zone,
            &url,
            accept.as_deref(),
            &collection,
            &fid,
            pairs,
        )?)
    })
    .await?;
    let mut response = respond(base, answer);
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

async fn plots_at(
    State(state): State<AppState>,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let (zone, url) = (state.zone(), base.url.clone());
    let answer = blocking(move || Ok(plots::at(&zone, &url, pairs)?)).await?;
    Ok(respond(base, answer))
}

async fn plots_search(
    State(state): State<AppState>,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let (zone, url) = (state.zone(), base.url.clone());
    let answer = blocking(move || Ok(plots::search(&zone, &url, pairs)?)).await?;
    Ok(respond(base, answer))
}
