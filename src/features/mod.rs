//! Feature queries: OGC API – Features (Part 1 Core with GeoJSON and OpenAPI 3.0, Part 2
//! CRS by reference, Part 3 queryables) over the zone's layers, and the plot look-ups web maps
//! use (what lies under a click, search by identifier). Each function takes a zone snapshot,
//! the public base URL and the request's parameters, and returns an [`Answer`] or a
//! [`FeatureError`]; the endpoints are in `crate::http::features`.
//!
//! - [`ogc`] — the landing page, conformance, collections and queryables documents;
//! - [`items`] — `/collections/{id}/items[/{fid}]`: bbox, filters, paging, output CRS;
//! - [`plots`] — `/plots/at` and `/plots/search`;
//! - [`params`], [`negotiate`] — query parameters and content negotiation shared by them;
//! - [`output`] — geometry in the requested CRS and axis order, and the plot card;
//! - [`write`] — feature pages serialized straight to JSON text (no `Value` tree);
//! - [`collections`] — collection metadata, queryables and filters;
//! - [`filter`] — OGC API – Features Part 3 filters in CQL2 (text and JSON);
//! - [`export`] — the items as CSV, XLSX, KML/KMZ and GeoPackage downloads.
//!
//! Everything here is synchronous and may block (PROJ, pages of many features): the HTTP
//! edge calls it off the async workers. PROJ transforms are not `Send`, so they are built
//! and dropped in here, never held across an `.await`.

pub mod collections;
pub mod export;
pub mod filter;
pub mod items;
pub mod negotiate;
pub mod ogc;
pub mod output;
pub mod params;
pub mod plots;
pub mod write;

use time::format_description::well_known::Rfc3339;

use crate::geodata::{Layer, LayerKind};
use crate::zone::Zone;

pub use params::ParamError;

/// The media type of GeoJSON answers.
pub const GEOJSON: &str = "application/geo+json";

/// A feature endpoint's answer: the body, its media type and the CRS its coordinates are in.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub body: String,
    pub media_type: &'static str,
    /// The URI for `Content-Crs`, when the body holds coordinates.
    pub content_crs: Option<String>,
}

impl Answer {
    pub fn json(body: String, media_type: &'static str) -> Answer {
        Answer {
            body,
            media_type,
            content_crs: None,
        }
    }
}

/// Why a feature request could not be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeatureError {
    /// The caller's parameter was wrong (400).
    #[error(transparent)]
    Parameter(#[from] ParamError),
    /// No such collection or feature (404).
    #[error("{0}")]
    NotFound(String),
    /// The service failed (500).
    #[error("{0}")]
    Internal(String),
}

impl FeatureError {
    pub fn internal(e: impl std::fmt::Display) -> FeatureError {
        FeatureError::Internal(e.to_string())
    }
}

/// The layer behind a collection id, or 404 naming the collections there are.
pub fn find_layer<'a>(zone: &'a Zone, collection: &str) -> Result<&'a Layer, FeatureError> {
    LayerKind::from_name(collection)
        .and_then(|kind| zone.layer(kind))
        .ok_or_else(|| {
            let names: Vec<&str> = zone.dataset.layers.iter().map(|l| l.kind.name()).collect();
            FeatureError::NotFound(format!(
                "no collection `{collection}`; the collections are {}",
                names.join(", ")
            ))
        })
}

/// The current time for `timeStamp`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
