//! The parameters several operations share (the OGC API – Features ones): each an
//! [`IntoParams`] type that a handler's `#[utoipa::path(params(...))]` names, and listed once
//! under `components/parameters` ([`shared_parameters`]; the document refers to them there).
//!
//! The CRS and collection lists depend on the data served: [`fill`] writes them into the
//! document derived for each data version.

use serde_json::{json, Value};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::{RefOr, Required, Schema};
use utoipa::IntoParams;

use super::schemas::{array, integer, one_of, string};
use crate::features::items::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::features::negotiate::ExportFormat;

/// An optional query parameter (`.required(Required::True)` for a mandatory one).
pub fn query(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
}

/// A path parameter.
pub fn path_param(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// Declares unit types whose parameters are the listed ones, for a handler's
/// `#[utoipa::path(params(T))]` (when a tuple cannot say it: a schema built at run time, or
/// an optional parameter, which utoipa would also mark nullable).
macro_rules! params_type {
    ($($(#[$doc:meta])* $vis:vis $name:ident => $build:expr;)*) => {$(
        $(#[$doc])*
        $vis struct $name;
        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                $build
            }
        }
    )*};
}
pub(crate) use params_type;

const CRS_NOTE: &str = "One of the CRSs the collection lists under `crs` (CRS84, the default, is longitude, latitude; others are in their own axis order: latitude first for EPSG:4326, northing first for EPSG:7801). Also accepted spelled as a safe CURIE [EPSG:3857], a URN or EPSG:3857; any other CRS is a 400";

fn representation(values: &[&str]) -> Parameter {
    query(
        "f",
        "Representation (overrides Accept)",
        one_of(values.to_vec()),
    )
    .build()
}

params_type! {
    /// `f=json`: the only representation.
    pub FJson => vec![representation(&["json"])];
    /// `f=json|html`.
    pub FHtml => vec![representation(&["json", "html"])];
    /// `f` of the items: GeoJSON or one of the downloads.
    pub FItems => {
        let formats = std::iter::once("json").chain(ExportFormat::ALL.map(ExportFormat::name));
        vec![query(
            "f",
            "Representation (overrides Accept): GeoJSON, or a download of the features the bbox and filters select (every match up to the limit's maximum; `limit`/`offset` page them when given): csv (UTF-8 with a byte-order mark), xlsx, kml, kmz, gpkg (GeoPackage). Downloads are in WGS84 longitude/latitude: a crs other than CRS84 or EPSG:4326 is a 400",
            one_of(formats),
        )
        .build()]
    };
    /// The `{collectionId}` of a path (its values: the layers served, see [`fill`]).
    pub CollectionId => vec![path_param("collectionId", "A collection", string())];
    /// The `{featureId}` of a path.
    pub FeatureId => vec![path_param(
        "featureId",
        "A feature's id (plots: the cadastral identifier)",
        string(),
    )];
    /// `bbox` and `bbox-crs`.
    pub Bbox => vec![
        query(
            "bbox",
            "Only features intersecting this box: 4 numbers, lower corner then upper corner, in the axes of bbox-crs (CRS84: west,south,east,north), or 6 with heights (the zone's features have none, so a vertical range excludes nothing)",
            array(utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::SchemaType::Number))
                .min_items(Some(4))
                .max_items(Some(6)),
        )
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
        .build(),
        query("bbox-crs", &format!("The CRS of bbox. {CRS_NOTE}"), string()).build(),
    ];
    /// `crs`: the CRS of the geometries returned.
    pub Crs => vec![query(
        "crs",
        &format!("The CRS of the geometries returned. {CRS_NOTE}"),
        string(),
    )
    .build()];
    /// `filter`, `filter-lang` and `filter-crs`: OGC API – Features Part 3, CQL2.
    pub Filter => vec![
        query(
            "filter",
            "A CQL2 filter over the collection's queryables (see its queryables document, `geometry` among them): comparisons, AND/OR/NOT, LIKE, IN, BETWEEN, IS [NOT] NULL, and S_INTERSECTS, S_WITHIN and the other spatial functions with BBOX, POINT, POLYGON (and other) literals. ANDed with bbox, the property parameters and paging; the next and prev links carry it. A property that is not queryable, a malformed or unsupported filter is a 400 naming `filter` and quoting the part at fault",
            string().max_length(Some(crate::features::filter::MAX_FILTER_BYTES)),
        )
        .build(),
        query(
            "filter-lang",
            "The language of `filter`: cql2-text (the default) or cql2-json",
            one_of(["cql2-text", "cql2-json"]),
        )
        .build(),
        query(
            "filter-crs",
            &format!("The CRS of the filter's geometry literals (CRS84 by default). {CRS_NOTE}"),
            string(),
        )
        .build(),
    ];
    /// `limit` and `offset`.
    pub Paging => vec![
        query(
            "limit",
            &format!("Most features in one page (at most {MAX_LIMIT}: larger values are served as {MAX_LIMIT}, as OGC API – Features requires, not refused)"),
            integer().minimum(Some(1.0)).default(Some(json!(DEFAULT_LIMIT))),
        )
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
        .build(),
        query(
            "offset",
            "Features to skip (the `next` link does this for you)",
            integer().minimum(Some(0.0)).default(Some(json!(0))),
        )
        .build(),
    ];
}

/// The shared parameters, each under its key in `components/parameters`.
pub fn shared_parameters() -> Vec<(&'static str, Parameter)> {
    let one = |mut list: Vec<Parameter>| list.remove(0);
    let mut bbox = Bbox::into_params(|| None);
    let bbox_crs = bbox.pop();
    let mut paging = Paging::into_params(|| None);
    let offset = paging.pop();
    let mut shared = vec![
        ("f-json", one(FJson::into_params(|| None))),
        ("f-items", one(FItems::into_params(|| None))),
        ("f-html", one(FHtml::into_params(|| None))),
        ("collectionId", one(CollectionId::into_params(|| None))),
        ("featureId", one(FeatureId::into_params(|| None))),
        ("bbox", one(bbox)),
    ];
    shared.extend(bbox_crs.map(|p| ("bbox-crs", p)));
    shared.push(("crs", one(Crs::into_params(|| None))));
    let filter = Filter::into_params(|| None);
    shared.extend(
        ["filter", "filter-lang", "filter-crs"]
            .into_iter()
            .zip(filter),
    );
    shared.push(("limit", one(paging)));
    shared.extend(offset.map(|p| ("offset", p)));
    shared
}

/// Writes the data's lists into the shared parameters (`components/parameters` of the JSON
/// document): the collections served and the CRSs they list. Also what utoipa's schema
/// types cannot say: a `bbox` has 4 or 6 numbers, never 5.
pub fn fill(parameters: &mut Value, collections: &[&str], listed_crs: &[String]) {
    parameters["collectionId"]["schema"]["enum"] = json!(collections);
    for name in ["crs", "bbox-crs", "filter-crs"] {
        parameters[name]["schema"]["enum"] = json!(listed_crs);
    }
    parameters["bbox"]["schema"]["oneOf"] =
        json!([{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}]);
}
