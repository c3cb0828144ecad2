//! The OpenAPI 3.0 document of the whole service (`GET /api`): the OGC API – Features
//! resources, the plot look-ups, and the endpoints other modules serve (health, tiles, style,
//! distances, measuring, the map). To describe a new endpoint, add an entry to
//! [`other_paths`] (or to [`feature_paths`] for this module's own).
//!
//! The document is built from the data served (its queryables are derived once per snapshot),
//! so each collection's items path lists its queryable properties as parameters (GDAL's OAPIF driver reads them from there to
//! send attribute filters to the server).

use serde_json::{json, Map, Value};

use crate::features::collections::{PropertyType, Queryables};
use crate::features::items::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::features::negotiate::ExportFormat;
use crate::features::plots::{SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT};
use crate::features::GEOJSON;
use crate::zone::Zone;

fn param(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

fn content(media: &str, schema: Value) -> Value {
    json!({ media: {"schema": schema} })
}

fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A GET operation with its 200 answer and the usual error answers.
fn get(id: &str, summary: &str, params: Vec<Value>, ok: &str, body: Value) -> Value {
    json!({"get": {
        "operationId": id,
        "summary": summary,
        "parameters": params,
        "responses": {
            "200": {"description": ok, "content": body},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "414": {"$ref": "#/components/responses/UriTooLong"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }})
}

fn json_object() -> Value {
    json!({"type": "object"})
}

fn query(name: &str, description: &str, required: bool, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": required, "description": description, "schema": schema})
}

fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema})
}

/// The export media types (`f=csv|kml|kmz|xlsx|gpkg`) beside GeoJSON in a 200 answer.
fn with_exports(op: &mut Value) {
    for format in ExportFormat::ALL {
        let media = format.media_type().split(';').next().unwrap_or_default();
        let schema = match format {
            ExportFormat::Csv | ExportFormat::Kml => json!({"type": "string"}),
            _ => json!({"type": "string", "format": "binary"}),
        };
        op["get"]["responses"]["200"]["content"][media] = json!({ "schema": schema });
    }
}

/// The paths of this module: OGC API – Features and the plot look-ups.
fn feature_paths(zone: &Zone) -> Map<String, Value> {
    let mut p = Map::new();
    let j = "application/json";
    let mut landing = get(
        "getLandingPage",
        "Landing page: links to the API definition, conformance and collections (HTML for browsers)",
        vec![param("f-html")],
        "The landing page",
        content(j, schema("landingPage")),
    );
    landing["get"]["responses"]["200"]["content"]["text/html"] =
        json!({"schema": {"type": "string"}});
    p.insert("/".into(), landing);
    p.insert(
        "/conformance".into(),
        get(
            "getConformance",
            "The conformance classes implemented",
            vec![param("f-json")],
            "The conformance classes",
            content(j, schema("confClasses")),
        ),
    );
    let mut api = get(
        "getApi",
        "This API definition (OpenAPI 3.0; `f=html` for a readable list)",
        vec![param("f-html")],
        "The OpenAPI document",
        content(crate::features::ogc::OPENAPI_JSON, json_object()),
    );
    api["get"]["responses"]["200"]["content"]["text/html"] = json!({"schema": {"type": "string"}});
    p.insert("/api".into(), api);
    p.insert(
        "/collections".into(),
        get(
            "getCollections",
            "The feature collections",
            vec![param("f-json")],
            "The collections",
            content(j, schema("collections")),
        ),
    );
    p.insert(
        "/collections/{collectionId}".into(),
        get(
            "describeCollection",
            "One collection's metadata: extent, CRSs, links",
            vec![param("collectionId"), param("f-json")],
            "The collection",
            content(j, schema("collection")),
        ),
    );
    p.insert(
        "/collections/{collectionId}/queryables".into(),
        get(
            "getQueryables",
            "The properties a collection's items can be filtered on (JSON Schema)",
            vec![param("collectionId"), param("f-json")],
            "The queryables",
            content("application/schema+json", json_object()),
        ),
    );
    let items_params = || {
        vec![
            param("collectionId"),
            param("bbox"),
            param("bbox-crs"),
            param("crs"),
            param("limit"),
            param("offset"),
            param("f-items"),
        ]
    };
    let mut items = get(
        "getFeatures",
        "A collection's features: bbox, equality filters on queryable properties, paging, output CRS",
        items_params(),
        "The features (header Content-Crs names their CRS)",
        content(GEOJSON, schema("featureCollectionGeoJSON")),
    );
    items["get"]["responses"]["200"]["headers"] =
        json!({"Content-Crs": {"$ref": "#/components/headers/Content-Crs"}});
    with_exports(&mut items);
    p.insert("/collections/{collectionId}/items".into(), items);
    // Each collection's own items path, with its queryables as parameters.
    let queryables = zone.get::<Queryables>();
    for layer in &zone.dataset.layers {
        let name = layer.kind.name();
        let mut params = items_params();
        params.remove(0);
        for (property, t) in queryables.of(layer.kind) {
            let t = match t {
                PropertyType::String => "string",
                PropertyType::Integer => "integer",
                PropertyType::Number => "number",
                PropertyType::Boolean => "boolean",
            };
            params.push(query(
                property,
                &format!("Only features whose `{property}` equals this value"),
                false,
                json!({"type": t}),
            ));
        }
        let mut op = get(
            &format!("getFeatures_{name}"),
            &format!("The `{name}` features"),
            params,
            "The features",
            content(GEOJSON, schema("featureCollectionGeoJSON")),
        );
        op["get"]["responses"]["200"]["headers"] =
            json!({"Content-Crs": {"$ref": "#/components/headers/Content-Crs"}});
        with_exports(&mut op);
        p.insert(format!("/collections/{name}/items"), op);
    }
    let mut item = get(
        "getFeature",
        "One feature by id (for plots, the cadastral identifier, e.g. 27214.33.1)",
        vec![
            param("collectionId"),
            param("featureId"),
            param("crs"),
            param("f-items"),
        ],
        "The feature",
        content(GEOJSON, schema("featureGeoJSON")),
    );
    item["get"]["responses"]["200"]["headers"] = json!({
        "Content-Crs": {"$ref": "#/components/headers/Content-Crs"},
        "ETag": {"description": "Plots: the data version and the register revision (the If-Match of a PATCH)", "schema": {"type": "string"}},
    });
    with_exports(&mut item);
    p.insert("/collections/{collectionId}/items/{featureId}".into(), item);
    p.insert(
        "/plots/at".into(),
        get(
            "plotsAt",
            "The plots under a point (a map click), with their plot cards; empty when none",
            vec![
                query(
                    "lon",
                    "Longitude, WGS84 degrees",
                    true,
                    json!({"type": "number", "minimum": -180, "maximum": 180}),
                ),
                query(
                    "lat",
                    "Latitude, WGS84 degrees",
                    true,
                    json!({"type": "number", "minimum": -90, "maximum": 90}),
                ),
            ],
            "The plots containing the point",
            content(GEOJSON, schema("featureCollectionGeoJSON")),
        ),
    );
    p.insert(
        "/plots/search".into(),
        get(
            "plotsSearch",
            "Plots by cadastral identifier or УПИ label (prefix match, ranked: `27214.33` finds region 33)",
            vec![
                query("q", "An identifier, its leading fields, or a УПИ label", true, json!({"type": "string", "minLength": 1, "maxLength": 100})),
                query("limit", &format!("Most plots returned (at most {SEARCH_MAX_LIMIT}: larger values are served as {SEARCH_MAX_LIMIT})"), false, json!({"type": "integer", "minimum": 1, "default": SEARCH_DEFAULT_LIMIT})),
            ],
            "The matching plots, best first; each has a `search` member with its rank",
            content(GEOJSON, schema("featureCollectionGeoJSON")),
        ),
    );
    p
}

/// The endpoints other modules serve, described from their contracts.
fn other_paths() -> Map<String, Value> {
    let mut p = Map::new();
    let j = "application/json";
    let tile = |ext: &str| {
        get(
            &format!("getTile_{ext}"),
            "A Mapbox Vector Tile of the zone's layers (`plots` carries the plot cards)",
            vec![
                path_param("z", "Zoom level", json!({"type": "integer", "minimum": 0})),
                path_param("x", "Column", json!({"type": "integer", "minimum": 0})),
                path_param("y", "Row", json!({"type": "integer", "minimum": 0})),
            ],
            "The tile (empty when nothing lies in it)",
            content(
                "application/vnd.mapbox-vector-tile",
                json!({"type": "string", "format": "binary"}),
            ),
        )
    };
    let tile = |ext: &str| {
        let mut op = tile(ext);
        op["get"]["responses"]["204"] =
            json!({"description": "Nothing of the zone lies in this tile"});
        op
    };
    p.insert("/tiles/{z}/{x}/{y}.mvt".into(), tile("mvt"));
    p.insert("/tiles/{z}/{x}/{y}.pbf".into(), tile("pbf"));
    p.insert(
        "/health".into(),
        get(
            "getHealth",
            "Service status, data version, feature counts per layer",
            vec![],
            "The status",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/tiles.json".into(),
        get(
            "getTileJson",
            "TileJSON 3.0 of the vector tiles",
            vec![],
            "The TileJSON",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/style.json".into(),
        get(
            "getStyle",
            "The MapLibre style of the zone",
            vec![],
            "The style",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/map".into(),
        get(
            "getMap",
            "The web map viewer",
            vec![],
            "The viewer",
            content("text/html", json!({"type": "string"})),
        ),
    );
    p.insert(
        "/plots/{plotId}/distances".into(),
        get(
            "plotDistances",
            "A plot's distances to the A1 motorway and interchange, the ring road and the railway",
            vec![path_param(
                "plotId",
                "Cadastral identifier, e.g. 27214.33.1",
                json!({"type": "string"}),
            )],
            "The distances",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/plots/{plotId}/sheet".into(),
        get(
            "plotSheet",
            "A plot's printable A4 sheet (HTML): a map of the plot and its neighbours, the card, the zoning limits, distances and drive time to the A1 interchange, a QR code of the permalink, the date and the data version",
            vec![
                path_param(
                    "plotId",
                    "Cadastral identifier, e.g. 27214.33.1",
                    json!({"type": "string"}),
                ),
                query(
                    "lang",
                    "The sheet's language: bg (the default) or en",
                    false,
                    json!({"type": "string", "enum": ["bg", "en"], "default": "bg"}),
                ),
            ],
            "The sheet",
            content("text/html", json!({"type": "string"})),
        ),
    );
    p.insert(
        "/distances".into(),
        get(
            "pointDistances",
            "Distances from a point to the A1 motorway and interchange, the ring road and the railway",
            vec![
                query("lon", "Longitude, WGS84 degrees", true, json!({"type": "number", "minimum": -180, "maximum": 180})),
                query("lat", "Latitude, WGS84 degrees", true, json!({"type": "number", "minimum": -90, "maximum": 90})),
            ],
            "The distances",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/plots/distances".into(),
        get(
            "allPlotDistances",
            "Every plot's distances",
            vec![],
            "The distances",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/plots/distances.csv".into(),
        get(
            "allPlotDistancesCsv",
            "Every plot's distances as CSV",
            vec![],
            "The distances",
            content("text/csv", json!({"type": "string"})),
        ),
    );
    p.insert(
        "/measure".into(),
        json!({"post": {
            "operationId": "measure",
            "summary": "Geodesic measurement of a geometry sent in the body (lengths and areas on the WGS84 ellipsoid)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["type"],
                "description": "A GeoJSON geometry, or a Feature holding one, in WGS84 longitude/latitude",
                "properties": {"type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "Feature"]}}}}}},
            "responses": {
                "200": {"description": "The measurement", "content": content(j, json_object())},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "408": {"$ref": "#/components/responses/Problem"},
                "413": {"$ref": "#/components/responses/Problem"},
                "415": {"$ref": "#/components/responses/Problem"},
                "422": {"$ref": "#/components/responses/Unprocessable"},
                "503": {"$ref": "#/components/responses/Unavailable"},
            },
        }}),
    );
    p.insert(
        "/fonts/{fontstack}/{range}.pbf".into(),
        get(
            "getGlyphs",
            "Glyphs (SDF protobuf) for the style's labels: Noto Sans Regular / Bold",
            vec![
                path_param(
                    "fontstack",
                    "Comma-separated font names",
                    json!({"type": "string"}),
                ),
                path_param(
                    "range",
                    "Unicode range, e.g. 0-255",
                    json!({"type": "string"}),
                ),
            ],
            "The glyphs",
            content(
                "application/x-protobuf",
                json!({"type": "string", "format": "binary"}),
            ),
        ),
    );
    p.insert(
        "/map/config.json".into(),
        get(
            "getViewerConfig",
            "The viewer's deployment options (the optional base map)",
            vec![],
            "The options",
            content(j, json_object()),
        ),
    );
    p.insert(
        "/metrics".into(),
        get(
            "getMetrics",
            "Prometheus/OpenMetrics metrics: requests, latency, tile cache, data version, reloads",
            vec![],
            "The metrics",
            content("application/openmetrics-text", json!({"type": "string"})),
        ),
    );
    p.insert(
        "/admin/reload".into(),
        json!({"post": {
            "operationId": "reloadData",
            "summary": "Reload the geodata folder now (needs the admin token or an admin account's token; disabled without either)",
            "security": [{"adminToken": []}, {"registerToken": []}],
            "responses": {
                "200": {"description": "Replaced or unchanged", "content": content(j, json_object())},
                "401": {"description": "Missing or wrong bearer token"},
                "403": {"description": "The account is an editor, not an admin"},
                "404": {"description": "Admin endpoints are disabled (no admin token, no admin account)"},
                "429": {"description": "Too many failed sign-ins from this address"},
                "422": {"description": "The new data was refused; the old data is still served"},
            },
        }}),
    );
    p
}

fn components(collections: Vec<&str>, listed_crs: Vec<String>) -> Value {
    let link = json!({"type": "object", "required": ["href", "rel"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}});
    let links = json!({"type": "array", "items": schema("link")});
    let problem = json!({"type": "object", "required": ["status", "detail"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "parameter": {"type": "string", "description": "The query or path parameter at fault"},
        "field": {"type": "string", "description": "The field of the request body at fault"}}});
    let crs_desc = "One of the CRSs the collection lists under `crs` (CRS84, the default, is longitude, latitude; others are in their own axis order: latitude first for EPSG:4326, northing first for EPSG:7801). Also accepted spelled as a safe CURIE [EPSG:3857], a URN or EPSG:3857; any other CRS is a 400";
    let crs_schema = json!({"type": "string", "enum": listed_crs});
    json!({
        "parameters": {
            "f-json": {"name": "f", "in": "query", "required": false, "description": "Representation (overrides Accept)", "schema": {"type": "string", "enum": ["json"]}},
            "f-items": {"name": "f", "in": "query", "required": false, "description": "Representation (overrides Accept): GeoJSON, or a download of the features the bbox and filters select (every match up to the limit's maximum; `limit`/`offset` page them when given): csv (UTF-8 with a byte-order mark), xlsx, kml, kmz, gpkg (GeoPackage). Downloads are in WGS84 longitude/latitude: a crs other than CRS84 or EPSG:4326 is a 400", "schema": {"type": "string", "enum": ["json", "csv", "kml", "kmz", "xlsx", "gpkg"]}},
            "f-html": {"name": "f", "in": "query", "required": false, "description": "Representation (overrides Accept)", "schema": {"type": "string", "enum": ["json", "html"]}},
            "collectionId": {"name": "collectionId", "in": "path", "required": true, "description": "A collection", "schema": {"type": "string", "enum": collections}},
            "featureId": {"name": "featureId", "in": "path", "required": true, "description": "A feature's id (plots: the cadastral identifier)", "schema": {"type": "string"}},
            "bbox": {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                "description": "Only features intersecting this box: 4 numbers, lower corner then upper corner, in the axes of bbox-crs (CRS84: west,south,east,north), or 6 with heights (the zone's features have none, so a vertical range excludes nothing)",
                "schema": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}], "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
            "bbox-crs": {"name": "bbox-crs", "in": "query", "required": false, "description": format!("The CRS of bbox. {crs_desc}"), "schema": crs_schema.clone()},
            "crs": {"name": "crs", "in": "query", "required": false, "description": format!("The CRS of the geometries returned. {crs_desc}"), "schema": crs_schema},
            "limit": {"name": "limit", "in": "query", "required": false, "style": "form", "explode": false, "description": format!("Most features in one page (at most {MAX_LIMIT}: larger values are served as {MAX_LIMIT}, as OGC API – Features requires, not refused)"),
                "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT}},
            "offset": {"name": "offset", "in": "query", "required": false, "description": "Features to skip (the `next` link does this for you)", "schema": {"type": "integer", "minimum": 0, "default": 0}},
        },
        "headers": {
            "Content-Crs": {"description": "The CRS of the geometries, as <URI>", "schema": {"type": "string"}},
        },
        "responses": {
            "BadRequest": {"description": "A parameter is unknown or has a bad value (named in `parameter`)", "content": {"application/problem+json": {"schema": schema("problem")}}},
            "NotFound": {"description": "No such collection or feature", "content": {"application/problem+json": {"schema": schema("problem")}}},
            "UriTooLong": {"description": "The request target is longer than 8 KiB", "content": {"application/problem+json": {"schema": schema("problem")}}},
            "Unavailable": {"description": "Too many requests in flight, or the request ran over its time limit (see Retry-After)", "content": {"application/problem+json": {"schema": schema("problem")}}},
            "Unprocessable": {"description": "The body is JSON but not a geometry that can be measured (the reason in `detail`)", "content": {"application/problem+json": {"schema": schema("problem")}}},
            "Problem": {"description": "The request was refused (the reason in `detail`)", "content": {"application/problem+json": {"schema": schema("problem")}}},
        },
        "securitySchemes": {
            "adminToken": {"type": "http", "scheme": "bearer", "description": "The admin_token from the service's configuration"},
            "registerToken": {"type": "http", "scheme": "bearer", "description": "A register account's token (`zagore user add NAME --role editor|admin`)"},
        },
        "schemas": {
            "link": link,
            "problem": problem,
            "landingPage": {"type": "object", "required": ["links"], "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
            "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}},
            "collection": {"type": "object", "required": ["id", "links"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"}, "links": links,
                "extent": {"type": "object"}, "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}}, "storageCrs": {"type": "string"}}},
            "collections": {"type": "object", "required": ["links", "collections"], "properties": {
                "links": links, "collections": {"type": "array", "items": schema("collection")}, "crs": {"type": "array", "items": {"type": "string"}}}},
            "geometryGeoJSON": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]}}},
            "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
                "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
                "geometry": schema("geometryGeoJSON"), "properties": {"type": "object", "nullable": true}, "links": links}},
            "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array", "items": schema("featureGeoJSON")},
                "links": links, "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0}}},
        },
    })
}

/// The whole document, with `base` as its server.
pub fn document(base: &str, zone: &Zone) -> Value {
    let mut paths = feature_paths(zone);
    paths.extend(other_paths());
    super::edit_openapi::add(&mut paths);
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
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Industrial Zone Zagore — map and geodata service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API – Features (Parts 1, 2 and 3 queryables), vector tiles, plot look-ups and distances for Industrial Zone Zagore, Stara Zagora. Errors are RFC 9457 problem bodies naming the parameter at fault.",
            "license": {"name": "MIT OR Apache-2.0"},
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": components(collections, listed_crs),
    })
}
