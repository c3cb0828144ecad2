//! The feature endpoints (OGC API – Features and the plot look-ups): each extracts the
//! request, resolves the public base URL, then runs the feature query off the async workers
//! and writes its [`Answer`] with the right headers.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::base_url::PublicBase;
use super::openapi::{
    integer, params_type, query, string, ApiDocument, Bbox, CollectionId, Crs, FHtml, FItems,
    FJson, FeatureId, Filter, Paging, ReadErrors,
};
use super::{api_doc, blocking, ApiError, ApiPath, AppState, QueryPairs};
use crate::features::collections::{PropertyType, Queryables};
use crate::features::negotiate::{self, ExportFormat, Format};
use crate::features::plots::{SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT};
use crate::features::{items, ogc, plots, Answer};
use crate::zone::Zone;
use utoipa::openapi::path::{Operation, PathItem, PathItemType};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType};
use utoipa::openapi::{Content, OpenApi, RefOr, Required};
use utoipa::Modify;

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

/// Landing page: links to the API definition, conformance and collections (HTML for browsers)
#[utoipa::path(get, path = "/", operation_id = "getLandingPage", params(FHtml),
    responses(
        (status = 200, description = "The landing page", content(
            ("application/json" = ref("#/components/schemas/landingPage")),
            ("text/html" = String))),
        (status = 303, description = "A browser (`f=html` or Accept: text/html) is sent to the map viewer at /map, with the other parameters"),
        ReadErrors))]
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

/// The conformance classes implemented
#[utoipa::path(get, path = "/conformance", operation_id = "getConformance", params(FJson),
    responses(
        (status = 200, description = "The conformance classes", content_type = "application/json",
            body = ref("#/components/schemas/confClasses")),
        ReadErrors))]
async fn conformance(
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let answer = ogc::conformance(pairs, accept(&headers).as_deref())?;
    Ok(([(header::CONTENT_TYPE, answer.media_type)], answer.body).into_response())
}

/// This API definition (OpenAPI 3.0; `f=html` for a readable list)
#[utoipa::path(get, path = "/api", operation_id = "getApi", params(FHtml),
    responses(
        (status = 200, description = "The OpenAPI document", content(
            ("application/vnd.oai.openapi+json;version=3.0" = Object),
            ("text/html" = String))),
        ReadErrors))]
async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let format = ogc::only_format(pairs, accept(&headers).as_deref(), true)?;
    let zone = state.zone();
    // Derived once per data version (warmed before the snapshot is served).
    let doc = blocking(move || Ok(zone.get::<ApiDocument>())).await?;
    Ok(match format {
        Format::Html => (base, Html(api_doc::api_doc(doc.json()))).into_response(),
        Format::Json => {
            let body = doc.to_string_for(base.as_str());
            respond(base, Answer::json(body, ogc::OPENAPI_JSON))
        }
    })
}

/// The feature collections
#[utoipa::path(get, path = "/collections", operation_id = "getCollections", params(FJson),
    responses(
        (status = 200, description = "The collections", content_type = "application/json",
            body = ref("#/components/schemas/collections")),
        ReadErrors))]
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

/// One collection's metadata: extent, CRSs, links
#[utoipa::path(get, path = "/collections/{collectionId}", operation_id = "describeCollection",
    params(CollectionId, FJson),
    responses(
        (status = 200, description = "The collection", content_type = "application/json",
            body = ref("#/components/schemas/collection")),
        ReadErrors))]
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

/// The properties a collection's items can be filtered on (JSON Schema)
#[utoipa::path(get, path = "/collections/{collectionId}/queryables", operation_id = "getQueryables",
    params(CollectionId, FJson),
    responses(
        (status = 200, description = "The queryables", content_type = "application/schema+json",
            body = Object),
        ReadErrors))]
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

/// A collection's features: bbox, equality filters on queryable properties, a CQL2 filter, paging, output CRS
// Each collection also has its own items path listing its queryables (`describe_collections`);
// `Exports` adds the downloads' media types.
#[utoipa::path(get, path = "/collections/{collectionId}/items", operation_id = "getFeatures",
    params(CollectionId, Bbox, Filter, Crs, Paging, FItems),
    responses(
        (status = 200, description = "The features (header Content-Crs names their CRS)",
            content_type = "application/geo+json",
            body = ref("#/components/schemas/featureCollectionGeoJSON"),
            headers(("Content-Crs" = String, description = "The CRS of the geometries, as <URI>"))),
        ReadErrors))]
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

/// One feature by id (for plots, the cadastral identifier, e.g. 27214.33.1)
#[utoipa::path(get, path = "/collections/{collectionId}/items/{featureId}", operation_id = "getFeature",
    params(CollectionId, FeatureId, Crs, FItems),
    responses(
        (status = 200, description = "The feature", content_type = "application/geo+json",
            body = ref("#/components/schemas/featureGeoJSON"),
            headers(
                ("Content-Crs" = String, description = "The CRS of the geometries, as <URI>"),
                ("ETag" = String, description = "Plots: the data version and the register revision (the If-Match of a PATCH)"))),
        ReadErrors))]
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

/// The plots under a point (a map click), with their plot cards; empty when none
#[utoipa::path(get, path = "/plots/at", operation_id = "plotsAt",
    params(
        ("lon" = f64, Query, description = "Longitude, WGS84 degrees", minimum = -180, maximum = 180),
        ("lat" = f64, Query, description = "Latitude, WGS84 degrees", minimum = -90, maximum = 90)),
    responses(
        (status = 200, description = "The plots containing the point", content_type = "application/geo+json",
            body = ref("#/components/schemas/featureCollectionGeoJSON")),
        ReadErrors))]
async fn plots_at(
    State(state): State<AppState>,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let (zone, url) = (state.zone(), base.url.clone());
    let answer = blocking(move || Ok(plots::at(&zone, &url, pairs)?)).await?;
    Ok(respond(base, answer))
}

/// Plots by cadastral identifier or УПИ label (prefix match, ranked: `27214.33` finds region 33)
#[utoipa::path(get, path = "/plots/search", operation_id = "plotsSearch",
    params(SearchQuery),
    responses(
        (status = 200, description = "The matching plots, best first; each has a `search` member with its rank",
            content_type = "application/geo+json",
            body = ref("#/components/schemas/featureCollectionGeoJSON")),
        ReadErrors))]
async fn plots_search(
    State(state): State<AppState>,
    base: PublicBase,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let (zone, url) = (state.zone(), base.url.clone());
    let answer = blocking(move || Ok(plots::search(&zone, &url, pairs)?)).await?;
    Ok(respond(base, answer))
}

params_type! {
    /// `q` and `limit` of the plot search.
    SearchQuery => vec![
        query("q", "An identifier, its leading fields, or a УПИ label", string().min_length(Some(1)).max_length(Some(100)))
            .required(Required::True)
            .build(),
        query(
            "limit",
            &format!("Most plots returned (at most {SEARCH_MAX_LIMIT}: larger values are served as {SEARCH_MAX_LIMIT})"),
            integer().minimum(Some(1.0)).default(Some(serde_json::json!(SEARCH_DEFAULT_LIMIT))),
        )
        .build(),
    ];
}

/// The downloads (`f=csv|kml|kmz|xlsx|gpkg`) beside GeoJSON in the 200 answer of the items
/// and the item.
pub(super) struct Exports;

impl Modify for Exports {
    fn modify(&self, openapi: &mut OpenApi) {
        for path in [
            "/collections/{collectionId}/items",
            "/collections/{collectionId}/items/{featureId}",
        ] {
            if let Some(ok) = operation(openapi, path).and_then(|op| ok_answer(op)) {
                for format in ExportFormat::ALL {
                    let media = format.media_type().split(';').next().unwrap_or_default();
                    let schema = match format {
                        ExportFormat::Csv | ExportFormat::Kml => string(),
                        _ => string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
                    };
                    ok.content.insert(media.to_string(), Content::new(schema));
                }
            }
        }
    }
}

fn operation<'a>(openapi: &'a mut OpenApi, path: &str) -> Option<&'a mut Operation> {
    openapi
        .paths
        .paths
        .get_mut(path)?
        .operations
        .get_mut(&PathItemType::Get)
}

fn ok_answer(op: &mut Operation) -> Option<&mut utoipa::openapi::Response> {
    match op.responses.responses.get_mut("200")? {
        RefOr::T(response) => Some(response),
        RefOr::Ref(_) => None,
    }
}

/// Each collection's own items path (`/collections/plots/items`, …, manifest layers too),
/// with its queryable properties as parameters: GDAL's OAPIF driver reads them there to send
/// attribute filters to the server. Derived with the document, once per data version.
pub(super) fn describe_collections(openapi: &mut OpenApi, zone: &Zone) {
    let Some(items) = operation(openapi, "/collections/{collectionId}/items").cloned() else {
        return;
    };
    let queryables = zone.get::<Queryables>();
    for layer in &zone.dataset.layers {
        let name = layer.kind.name();
        let mut op = items.clone();
        op.operation_id = Some(format!("getFeatures_{name}"));
        op.summary = Some(format!("The `{name}` features"));
        op.description = None;
        if let Some(ok) = ok_answer(&mut op) {
            ok.description = "The features".to_string();
        }
        let parameters = op.parameters.get_or_insert_with(Vec::new);
        parameters.retain(|p| p.name != "collectionId");
        for (property, t) in queryables.of(layer.kind) {
            let t = match t {
                PropertyType::String => SchemaType::String,
                PropertyType::Integer => SchemaType::Integer,
                PropertyType::Number => SchemaType::Number,
                PropertyType::Boolean => SchemaType::Boolean,
            };
            let description = format!("Only features whose `{property}` equals this value");
            let schema = ObjectBuilder::new().schema_type(t);
            parameters.push(query(property, &description, schema).build());
        }
        openapi.paths.paths.insert(
            format!("/collections/{name}/items"),
            PathItem::new(PathItemType::Get, op),
        );
    }
}
