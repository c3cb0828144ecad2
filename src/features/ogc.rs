//! The OGC API – Features documents around the items: the landing page, `/conformance`,
//! `/collections`, `/collections/{id}` and `/collections/{id}/queryables`.

use serde_json::{json, Value};

use super::collections::{collection_json, queryables_json, Queryables, LISTED_CRS};
use super::negotiate::{self, Format};
use super::params::Params;
use super::{find_layer, Answer, FeatureError};
use crate::zone::Zone;

/// The conformance classes the service implements: OGC API – Features (its documents are
/// here) with CQL2 filtering, and OGC API – Tiles (`tiles::ogc`, served by
/// `http::ogc_tiles`), with the tile matrix set and tileset metadata encodings it uses.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    // Part 3 filtering with CQL2 (src/features/filter).
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];

/// The media type of the OpenAPI document.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

/// Accepts only `f` (JSON, or HTML where `html` is true).
pub fn only_format(
    pairs: Vec<(String, String)>,
    accept: Option<&str>,
    html: bool,
) -> Result<Format, FeatureError> {
    let mut params = Params::new(pairs);
    let format = negotiate::choose(params.take("f")?.as_deref(), accept, html)?;
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
            link("/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json", "Vector tiles (OGC API – Tiles)"),
            link("/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json", "The tile matrix sets of the tiles"),
            link("/tiles.json", "describedby", "application/json", "Vector tiles (TileJSON)"),
            link("/style.json", "describedby", "application/json", "MapLibre style"),
            link("/health", "status", "application/json", "Service health"),
        ],
    })
}

/// `/conformance`.
pub fn conformance(
    pairs: Vec<(String, String)>,
    accept: Option<&str>,
) -> Result<Answer, FeatureError> {
    only_format(pairs, accept, false)?;
    Ok(Answer::json(
        json!({"conformsTo": CONFORMANCE}).to_string(),
        "application/json",
    ))
}

/// `/collections`.
pub fn collections(
    zone: &Zone,
    base: &str,
    pairs: Vec<(String, String)>,
    accept: Option<&str>,
) -> Result<Answer, FeatureError> {
    only_format(pairs, accept, false)?;
    let list: Vec<Value> = zone
        .dataset
        .layers
        .iter()
        .map(|l| collection_json(l, base))
        .collect();
    let body = json!({
        "links": [{"href": format!("{base}/collections"), "rel": "self", "type": "application/json"}],
        "collections": list,
        "crs": LISTED_CRS.iter().map(|c| c.uri()).collect::<Vec<_>>(),
    });
    Ok(Answer::json(body.to_string(), "application/json"))
}

/// `/collections/{id}`.
pub fn collection(
    zone: &Zone,
    base: &str,
    collection: &str,
    pairs: Vec<(String, String)>,
    accept: Option<&str>,
) -> Result<Answer, FeatureError> {
    let layer = find_layer(zone, collection)?;
    only_format(pairs, accept, false)?;
    Ok(Answer::json(
        collection_json(layer, base).to_string(),
        "application/json",
    ))
}

/// `/collections/{id}/queryables`. Blocks unless the snapshot's [`Queryables`] are derived.
pub fn queryables(
    zone: &Zone,
    base: &str,
    collection: &str,
    pairs: Vec<(String, String)>,
    accept: Option<&str>,
) -> Result<Answer, FeatureError> {
    let layer = find_layer(zone, collection)?;
    only_format(pairs, accept, false)?;
    let all = zone.get::<Queryables>();
    let body = queryables_json(layer.kind, all.of(layer.kind), base);
    Ok(Answer::json(body.to_string(), "application/schema+json"))
}
