//! The OpenAPI document of the whole service, assembled by `utoipa` ([`ServiceApi`]) from
//! the `#[utoipa::path]` written beside each handler, with the shared parts of
//! [`super::openapi`].
//!
//! **Adding an endpoint:** describe it with `#[utoipa::path]` where its handler is written,
//! then list the handler in [`ServiceApi`]'s `paths(...)` below.
//!
//! What depends on the data — the collection ids (the layers served, manifest layers too),
//! the CRSs they list, each collection's own items path with its queryables as parameters
//! (GDAL's OAPIF driver reads them there) — is written in when the document is derived:
//! once per data version ([`ApiDocument`] is a [`Derived`] fact, derived here because only
//! this file sees every handler), never per request.

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use super::edit::PatchFields;
use super::features::Exports;
// The modules by name: each operation's tag is the module of its handler.
use super::openapi::{
    fill, shared_parameters, ApiDocument, BadRequest, Components, NotFound, Problem, Unavailable,
    Unprocessable, UriTooLong,
};
use super::{admin, edit, features, health, measure, ogc_tiles, session, sheet, tiles, viewer};

use crate::zone::{Derived, Zone};

/// Every operation of the service: add a new handler's path here.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Industrial Zone Zagore — map and geodata service",
        description = "OGC API – Features (Parts 1, 2 and 3 queryables), vector tiles, plot look-ups and distances for Industrial Zone Zagore, Stara Zagora. Errors are RFC 9457 problem bodies naming the parameter at fault.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        features::landing,
        features::conformance,
        features::api,
        features::collections,
        features::collection,
        features::queryables,
        features::items_page,
        features::item,
        features::plots_at,
        features::plots_search,
        edit::patch_item,
        edit::entry_of,
        edit::history,
        edit::audit,
        session::current,
        session::sign_in,
        session::sign_out,
        session::version,
        tiles::tile,
        tiles::tile_pbf,
        tiles::tile_json,
        tiles::style_json,
        tiles::glyphs,
        ogc_tiles::tile_matrix_sets,
        ogc_tiles::tile_matrix_set,
        ogc_tiles::dataset_tilesets,
        ogc_tiles::dataset_tileset,
        ogc_tiles::dataset_tile,
        ogc_tiles::collection_tilesets,
        ogc_tiles::collection_tileset,
        ogc_tiles::collection_tile,
        health::health,
        health::metrics,
        measure::plot_distances,
        measure::point_distances,
        measure::table_json,
        measure::table_csv,
        measure::measure,
        sheet::sheet,
        viewer::map_page,
        viewer::viewer_config,
        admin::reload_now,
    ),
    components(responses(BadRequest, NotFound, UriTooLong, Unavailable, Unprocessable, Problem)),
    modifiers(&Components, &Exports, &PatchFields),
)]
pub struct ServiceApi;

impl Derived for ApiDocument {
    fn derive(zone: &Zone) -> ApiDocument {
        ApiDocument::new(document(zone))
    }
}

/// The whole document for the data of `zone` (without its server URL).
pub fn document(zone: &Zone) -> Value {
    let mut api = ServiceApi::openapi();
    super::features::describe_collections(&mut api, zone);
    let mut doc = serde_json::to_value(&api).unwrap_or_else(|_| json!({}));
    let collections: Vec<&str> = zone.dataset.layers.iter().map(|l| l.kind.name()).collect();
    // Every CRS some collection lists (the same for the bundled layers).
    let mut listed_crs: Vec<String> = Vec::new();
    for layer in &zone.dataset.layers {
        for uri in crate::features::collections::crs_list(layer) {
            if !listed_crs.contains(&uri) {
                listed_crs.push(uri);
            }
        }
    }
    let mut shared = Map::new();
    for (key, parameter) in shared_parameters() {
        let parameter = serde_json::to_value(parameter).unwrap_or_default();
        refer_to_shared(&mut doc["paths"], key, &parameter);
        shared.insert(key.to_string(), parameter);
    }
    let mut shared = Value::Object(shared);
    fill(&mut shared, &collections, &listed_crs);
    doc["components"]["parameters"] = shared;
    doc
}

/// Replaces each copy of a shared parameter in the operations by a reference to it.
fn refer_to_shared(paths: &mut Value, key: &str, parameter: &Value) {
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    let reference = json!({"$ref": format!("#/components/parameters/{key}")});
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let Some(list) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in list.iter_mut().filter(|p| *p == parameter) {
                *p = reference.clone();
            }
        }
    }
}
