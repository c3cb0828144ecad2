//! OGC API – Tiles 1.0: the tile matrix set, the dataset's and each collection's tilesets,
//! and tiles addressed by tile matrix, row and column, as a client that follows the links
//! (GDAL, QGIS) would use them. GDAL reading them is in `tests/ogc_clients.sh`.

use crate::common;
use crate::tiles_support;

use reqwest::header;
use serde_json::Value;

use common::TestApp;

/// Follows the link of relation `rel` in a document.
fn link<'a>(doc: &'a Value, rel: &str) -> &'a str {
    doc["links"]
        .as_array()
        .and_then(|links| links.iter().find(|l| l["rel"] == rel))
        .and_then(|l| l["href"].as_str())
        .unwrap_or_else(|| panic!("no link {rel} in {doc}"))
}

/// A path of the app from one of its absolute links.
fn path_of<'a>(app: &TestApp, href: &'a str) -> &'a str {
    href.strip_prefix(app.base.as_str())
        .unwrap_or_else(|| panic!("{href} is not under {}", app.base))
}

/// The tileset metadata a client reaches from a collection document (or from the landing
/// page for the dataset): tilesets link, then the tileset's own link.
async fn tileset_from(app: &TestApp, doc_path: &str) -> Value {
    let (status, doc) = app.get_json(doc_path).await;
    assert_eq!(status, 200, "{doc_path}");
    let tilesets = link(
        &doc,
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
    );
    let (status, list) = app.get_json(path_of(app, tilesets)).await;
    assert_eq!(status, 200, "{tilesets}");
    let set = &list["tilesets"][0];
    assert_eq!(set["dataType"], "vector");
    assert_eq!(
        set["tileMatrixSetURI"],
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    );
    let (status, tileset) = app.get_json(path_of(app, link(set, "self"))).await;
    assert_eq!(status, 200);
    tileset
}

/// The tile URL of a tileset's `item` template at this matrix, row and column.
fn tile_path(app: &TestApp, tileset: &Value, z: u8, row: u32, col: u32) -> String {
    let template = tileset["links"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["rel"] == "item"))
        .expect("an item link");
    assert_eq!(template["type"], "application/vnd.mapbox-vector-tile");
    assert_eq!(template["templated"], true);
    let href = template["href"].as_str().expect("href");
    path_of(app, href)
        .replace("{tileMatrix}", &z.to_string())
        .replace("{tileRow}", &row.to_string())
        .replace("{tileCol}", &col.to_string())
}

/// The limits of one tile matrix: (min row, max row, min col, max col).
fn limits(tileset: &Value, z: u8) -> (u32, u32, u32, u32) {
    let l = tileset["tileMatrixSetLimits"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|l| l["tileMatrix"].as_str() == Some(&*z.to_string()))
        })
        .unwrap_or_else(|| panic!("no limits at {z}"));
    let n = |k: &str| l[k].as_u64().expect("a number") as u32;
    (
        n("minTileRow"),
        n("maxTileRow"),
        n("minTileCol"),
        n("maxTileCol"),
    )
}

/// The first position of a GeoJSON geometry, whatever its type.
fn first_position(coordinates: &Value) -> (f64, f64) {
    match coordinates.as_array().map(Vec::as_slice) {
        Some([Value::Number(lon), Value::Number(lat), ..]) => {
            (lon.as_f64().unwrap(), lat.as_f64().unwrap())
        }
        Some([first, ..]) => first_position(first),
        _ => panic!("no position in {coordinates}"),
    }
}

/// (row, column) at zoom `z` of the tile holding the first feature of a collection.
async fn tile_of_first_feature(app: &TestApp, collection: &str, z: u8) -> (u32, u32) {
    let (_, items) = app
        .get_json(&format!("/collections/{collection}/items?limit=1"))
        .await;
    let (lon, lat) = first_position(&items["features"][0]["geometry"]["coordinates"]);
    let (ux, uy) = tiles_support::lonlat_to_units(z, lon, lat);
    ((uy / 4096.0) as u32, (ux / 4096.0) as u32)
}

async fn bytes(app: &TestApp, path: &str) -> (u16, Vec<u8>) {
    let resp = app.get(path).await;
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn the_landing_page_and_conformance_lead_to_the_tiles() {
    let app = common::spawn_app().await;
    let (_, conformance) = app.get_json("/conformance").await;
    let classes = conformance["conformsTo"].to_string();
    for class in [
        "core",
        "tileset",
        "tilesets-list",
        "geodata-tilesets",
        "mvt",
    ] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{class}");
        assert!(classes.contains(&uri), "{uri} not declared");
    }
    let (_, landing) = app.get_json("/").await;
    let schemes = link(
        &landing,
        "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
    );
    let (status, sets) = app.get_json(path_of(&app, schemes)).await;
    assert_eq!(status, 200);
    assert_eq!(sets["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    let dataset = tileset_from(&app, "/").await;
    let ids: Vec<&str> = dataset["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    for layer in [
        "stages",
        "plots",
        "roads",
        "rail",
        "poi",
        "plot_labels",
        "utilities",
    ] {
        assert!(ids.contains(&layer), "{layer} missing from {ids:?}");
    }
}

#[tokio::test]
async fn web_mercator_quad_is_defined_as_ogc_defines_it() {
    let app = common::spawn_app().await;
    let (status, tms) = app.get_json("/tileMatrixSets/WebMercatorQuad").await;
    assert_eq!(status, 200);
    assert_eq!(tms["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    let world = 2.0 * std::f64::consts::PI * 6_378_137.0;
    let matrices = tms["tileMatrices"].as_array().unwrap();
    assert_eq!(matrices.len(), 25, "zoom 0 to 24");
    for (z, m) in matrices.iter().enumerate() {
        let tiles = (1u64 << z) as f64;
        let cell = m["cellSize"].as_f64().unwrap();
        assert!((cell * 256.0 * tiles - world).abs() < 1e-6, "zoom {z}");
        let scale = m["scaleDenominator"].as_f64().unwrap();
        assert!((scale * 0.00028 - cell).abs() < 1e-9 * cell, "zoom {z}");
        assert_eq!(m["matrixWidth"].as_f64(), Some(tiles));
        assert_eq!(m["cornerOfOrigin"], "topLeft");
        assert_eq!(m["pointOfOrigin"][0].as_f64(), Some(-world / 2.0));
        assert_eq!(m["pointOfOrigin"][1].as_f64(), Some(world / 2.0));
    }
    let (status, problem) = app.get_json("/tileMatrixSets/WorldCRS84Quad").await;
    assert_eq!(status, 404);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("WebMercatorQuad"));
}

#[tokio::test]
async fn a_tile_by_matrix_row_and_column_is_the_xyz_tile_and_swapped_is_refused() {
    let app = common::spawn_app().await;
    let tileset = tileset_from(&app, "/").await;
    let (row, _, col, _) = limits(&tileset, 15);
    let (status, ogc) = bytes(&app, &tile_path(&app, &tileset, 15, row, col)).await;
    let (xyz_status, xyz) = bytes(&app, &format!("/tiles/15/{col}/{row}.mvt")).await;
    assert_eq!((status, xyz_status), (xyz_status, xyz_status));
    assert_eq!(ogc, xyz, "the same tile under both addresses");
    // The plots' own corner tiles hold features: row and column are not interchangeable.
    let plots = tileset_from(&app, "/collections/plots").await;
    let (row, _, col, _) = limits(&plots, 14);
    assert_ne!(row, col);
    let resp = app.get(&tile_path(&app, &plots, 14, col, row)).await;
    assert_eq!(
        resp.status(),
        404,
        "row and column swapped fall outside the limits"
    );
    let problem: Value = resp.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("limits"));
}

#[tokio::test]
async fn every_plot_lies_in_a_tile_within_the_limits_and_the_collection_tile_has_it() {
    let app = common::spawn_app().await;
    let plots = tileset_from(&app, "/collections/plots").await;
    let (_, items) = app.get_json("/collections/plots/items?limit=1000").await;
    let features = items["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let (min_row, max_row, min_col, max_col) = limits(&plots, 16);
    for f in features {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        let (lon, lat) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
        let (ux, uy) = tiles_support::lonlat_to_units(16, lon, lat);
        let (col, row) = ((ux / 4096.0) as u32, (uy / 4096.0) as u32);
        assert!((min_row..=max_row).contains(&row), "{} row {row}", f["id"]);
        assert!((min_col..=max_col).contains(&col), "{} col {col}", f["id"]);
        let (status, tile) = bytes(&app, &tile_path(&app, &plots, 16, row, col)).await;
        assert_eq!(status, 200, "{}", f["id"]);
        let layers = tiles_support::decode(&tile);
        let ids: Vec<&str> = layers["plots"]
            .features
            .iter()
            .filter_map(|p| p.str("cadastral_id"))
            .collect();
        assert!(
            ids.contains(&f["id"].as_str().unwrap()),
            "{} not in its tile",
            f["id"]
        );
    }
}

#[tokio::test]
async fn a_collection_tile_carries_only_that_collections_layers_as_the_whole_tile_does() {
    let app = common::spawn_app().await;
    let dataset = tileset_from(&app, "/").await;
    for (collection, want) in [
        ("plots", vec!["plot_labels", "plots"]),
        ("roads", vec!["roads"]),
        ("utilities", vec!["utilities"]),
    ] {
        let tileset = tileset_from(&app, &format!("/collections/{collection}")).await;
        let layer_ids: Vec<&str> = tileset["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["id"].as_str())
            .collect();
        assert_eq!(layer_ids.len(), want.len(), "{layer_ids:?}");
        let (row, col) = tile_of_first_feature(&app, collection, 14).await;
        let (status, own) = bytes(&app, &tile_path(&app, &tileset, 14, row, col)).await;
        assert_eq!(status, 200, "{collection}");
        let (_, whole) = bytes(&app, &tile_path(&app, &dataset, 14, row, col)).await;
        let own = tiles_support::decode(&own);
        let whole = tiles_support::decode(&whole);
        assert_eq!(own.keys().collect::<Vec<_>>(), want, "{collection}");
        for name in &want {
            assert_eq!(
                format!("{:?}", own[*name].features),
                format!("{:?}", whole[*name].features),
                "{collection}: layer {name} differs from the whole tile's"
            );
        }
    }
}

#[tokio::test]
async fn tiles_outside_a_tileset_are_404_and_empty_ones_inside_are_204() {
    let app = common::spawn_app().await;
    // Zoom 0 is in the dataset's tileset, and nothing is drawn there yet.
    let resp = app.get("/tiles/WebMercatorQuad/0/0/0").await;
    assert_eq!(resp.status(), 204);
    // The plots are tiled from zoom 12.
    let plots = tileset_from(&app, "/collections/plots").await;
    assert_eq!(plots["tileMatrixSetLimits"][0]["tileMatrix"], "12");
    let resp = app
        .get("/collections/plots/tiles/WebMercatorQuad/11/0/0")
        .await;
    assert_eq!(resp.status(), 404);
    let resp = app.get("/collections/nowhere/tiles").await;
    assert_eq!(resp.status(), 404);
    let resp = app.get("/collections/plots/tiles/GoogleCRS84Quad").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn a_bad_tile_address_is_a_400_naming_the_ogc_parameter() {
    let app = common::spawn_app().await;
    for (path, parameter) in [
        ("/tiles/WebMercatorQuad/x/0/0", "tileMatrix"),
        ("/tiles/WebMercatorQuad/99/0/0", "tileMatrix"),
        ("/tiles/WebMercatorQuad/3/8/0", "tileRow"),
        ("/tiles/WebMercatorQuad/3/0/-1", "tileCol"),
        ("/tiles/WebMercatorQuad/3/07/0", "tileRow"),
        ("/tiles/WebMercatorQuad/3/0/0?f=png", "f"),
        ("/tiles/WebMercatorQuad/3/0/0?zoom=3", "zoom"),
        ("/collections/plots/tiles/WebMercatorQuad?f=xml", "f"),
        ("/tiles?limit=1", "limit"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 400, "{path}");
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
    }
}

#[tokio::test]
async fn ogc_tiles_answer_304_to_their_etag_and_a_collection_tile_has_its_own() {
    let app = common::spawn_app().await;
    let plots = tileset_from(&app, "/collections/plots").await;
    let (row, col) = tile_of_first_feature(&app, "plots", 14).await;
    let path = tile_path(&app, &plots, 14, row, col);
    let resp = app.get(&path).await;
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()[header::ETAG].clone();
    let again = app
        .client
        .get(app.url(&path))
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let whole = app
        .get(&format!("/tiles/WebMercatorQuad/14/{row}/{col}"))
        .await;
    assert_ne!(
        whole.headers()[header::ETAG],
        etag,
        "a different body, a different tag"
    );
}
