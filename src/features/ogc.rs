//! The OGC API – Features resources around the items: the landing page (`/`, JSON or HTML),
//! `/conformance`, the OpenAPI document (`/api`), `/collections`, `/collections/{id}` and
//! `/collections/{id}/queryables`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};

use super::collections::{collection_json, queryables as find_queryables, queryables_json};
use super::negotiate::{self, base_url, Format};
use super::output::Properties;
use super::params::Params;
use super::{find_layer, html, openapi, Query};
use crate::app::AppState;
use crate::http::{ApiError, ApiPath};

/// The conformance classes the service implements.
pub const CONFORMANCE: [&str; 7] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
];

/// The media type of the OpenAPI document.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

fn json_response(body: Value, content_type: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

/// Accepts only `f` (JSON, or HTML where `html` is true).
fn only_format(
    pairs: Vec<(String, String)>,
    headers: &HeaderMap,
    html: bool,
) -> Result<Format, ApiError> {
    let mut params = Params::new(pairs);
    let format = negotiate::choose(params.take("f")?.as_deref(), headers, html)?;
    params.finish(&["f"])?;
    Ok(format)
}

pub fn landing_json(base: &str) -> Value {
    let link = |path: &str, rel: &str, media: &str, title: &str| json!({"href": format!("{base}{path}"), "rel": rel, "type": media, "title": title});
    json!({
        "title": "Industrial Zone Zagore — map and geodata service",
        "description": "Cadastral plots, stages, roads, railway and points of interest of Industrial Zone Zagore (Индустриална зона „Загоре“), Stara Zagora, Bulgaria, as OGC API – Features, vector tiles and distances.",
        "links": [
            link("/", "self", "application/json", "This document"),
            link("/map", "alternate", "text/html", "The map viewer (browsers opening / are sent there)"),
            link("/api", "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link("/api?f=html", "service-doc", "text/html", "The API documentation"),
            link("/conformance", "conformance", "application/json", "Conformance classes implemented"),
            link("/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance", "application/json", "Conformance classes implemented"),
            link("/collections", "data", "application/json", "The feature collections"),
            link("/collections", "http://www.opengis.net/def/rel/ogc/1.0/data", "application/json", "The feature collections"),
            link("/map", "alternate", "text/html", "The web map"),
            link("/tiles.json", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json", "Vector tiles (TileJSON)"),
            link("/style.json", "describedby", "application/json", "MapLibre style"),
            link("/health", "status", "application/json", "Service health"),
        ],
    })
}

pub async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    let base = base_url(&state, &headers);
    // A browser gets the map viewer, with whatever the viewer keeps in its URL (the selected
    // plot, the language); the OGC landing page stays strict about its own parameters.
    let f = pairs
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    if negotiate::choose(f, &headers, true) == Ok(Format::Html) {
        let rest: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "f").collect();
        let query = negotiate::query_string(&rest);
        let target = if query.is_empty() {
            "/map".to_string()
        } else {
            format!("/map?{query}")
        };
        return Ok(Redirect::to(&target).into_response());
    }
    only_format(pairs, &headers, true)?;
    Ok(json_response(landing_json(&base), "application/json"))
}

pub async fn conformance(
    headers: HeaderMap,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    only_format(pairs, &headers, false)?;
    Ok(json_response(
        json!({"conformsTo": CONFORMANCE}),
        "application/json",
    ))
}

pub async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    let format = only_format(pairs, &headers, true)?;
    let base = base_url(&state, &headers);
    let data = state.data();
    let doc = openapi::document(&base, &data)?;
    Ok(match format {
        Format::Html => Html(html::api_doc(&doc)).into_response(),
        Format::Json => json_response(doc, OPENAPI_JSON),
    })
}

pub async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    only_format(pairs, &headers, false)?;
    let base = base_url(&state, &headers);
    let data = state.data();
    let list: Vec<Value> = data
        .dataset
        .layers
        .iter()
        .map(|l| collection_json(l, &base))
        .collect();
    Ok(json_response(
        json!({
            "links": [{"href": format!("{base}/collections"), "rel": "self", "type": "application/json"}],
            "collections": list,
            "crs": super::collections::LISTED_CRS.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        }),
        "application/json",
    ))
}

pub async fn collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(collection): ApiPath<String>,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    let data = state.data();
    let layer = find_layer(&data, &collection)?;
    only_format(pairs, &headers, false)?;
    let base = base_url(&state, &headers);
    Ok(json_response(
        collection_json(layer, &base),
        "application/json",
    ))
}

pub async fn queryables(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(collection): ApiPath<String>,
    super::ApiQuery(pairs): Query,
) -> Result<Response, ApiError> {
    let base = base_url(&state, &headers);
    let data = state.data();
    let layer = find_layer(&data, &collection)?;
    only_format(pairs, &headers, false)?;
    let body = {
        let props = Properties::new(&data, layer)?;
        let all: Vec<Map<String, Value>> = layer.features.iter().map(|f| props.of(f)).collect();
        queryables_json(layer.kind, &find_queryables(&all), &base)
    };
    Ok(json_response(body, "application/schema+json"))
}
