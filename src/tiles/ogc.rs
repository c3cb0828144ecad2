//! OGC API – Tiles 1.0 for the zone's vector tiles: the one tile matrix set served
//! (WebMercatorQuad, as OGC's Two-Dimensional Tile Matrix Set standard 2.0 defines it), the
//! lists of tilesets and each tileset's metadata, for the whole dataset (`/tiles`) and for one
//! collection (`/collections/{id}/tiles`, whose tiles carry only the tile layers drawn from
//! that collection: [`super::LiveTiles::of_collection`]). The tiles themselves are the XYZ
//! tiles of `/tiles/{z}/{x}/{y}`: WebMercatorQuad's `tileMatrix`, `tileRow` and `tileCol` are
//! the zoom, `y` and `x`.

use geo::Rect;
use serde_json::{json, Value};

use super::coord::lonlat_to_tile;
use super::layers::{tile_layers, TileLayer};
use super::tilejson::TileFields;
use super::{TileCoord, MVT_CONTENT_TYPE};
use crate::geodata::LayerKind;
use crate::zone::Zone;

/// The identifier of the one tile matrix set served.
pub const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
/// Its URI in OGC's register of tile matrix sets.
pub const WEB_MERCATOR_QUAD_URI: &str =
    "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The deepest tile matrix of WebMercatorQuad's definition (the tiles served stop earlier:
/// a tileset's limits say where).
const DEFINED_ZOOMS: u8 = 24;
/// Half the width of the Web Mercator world, metres: π × 6,378,137.
const ORIGIN_SHIFT: f64 = std::f64::consts::PI * 6_378_137.0;
/// The standardised rendering pixel of 0.28 mm, which relates cell sizes to scales.
const PIXEL_SIZE_M: f64 = 0.000_28;

const REL_TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
const REL_GEODATA: &str = "http://www.opengis.net/def/rel/ogc/1.0/geodata";

/// Whose tiles: the whole dataset's, or one collection's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tileset {
    Dataset,
    Collection(LayerKind),
}

impl Tileset {
    /// The path the tileset's resources hang under (before `/tiles`).
    fn prefix(self) -> String {
        match self {
            Tileset::Dataset => String::new(),
            Tileset::Collection(kind) => format!("/collections/{}", kind.name()),
        }
    }

    fn title(self) -> String {
        match self {
            Tileset::Dataset => "Industrial Zone Zagore: every layer".to_string(),
            Tileset::Collection(kind) => format!("Industrial Zone Zagore: {}", kind.name()),
        }
    }

    /// The tile layers its tiles carry, with their index among all the zone's tile layers.
    fn layers(self, zone: &Zone) -> Vec<(usize, TileLayer)> {
        tile_layers(zone)
            .into_iter()
            .enumerate()
            .filter(|(_, spec)| match self {
                Tileset::Dataset => true,
                Tileset::Collection(kind) => spec.source == kind,
            })
            .collect()
    }

    /// Where its features are (WGS84): the whole dataset's extent or the collection's.
    fn extent(self, zone: &Zone) -> Option<Rect<f64>> {
        match self {
            Tileset::Dataset => zone.dataset.extent(),
            Tileset::Collection(kind) => zone.layer(kind).and_then(|l| l.extent),
        }
    }

    /// The lowest zoom any of its layers has features at.
    fn min_zoom(self, zone: &Zone, max_zoom: u8) -> u8 {
        match self {
            // The dataset's tiles are served from zoom 0 (TileJSON's `minzoom`).
            Tileset::Dataset => 0,
            Tileset::Collection(_) => self
                .layers(zone)
                .iter()
                .map(|(_, spec)| spec.min_zoom)
                .min()
                .unwrap_or(0)
                .min(max_zoom),
        }
    }
}

/// One tile matrix's limits within a tileset: the rows and columns that hold its features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub zoom: u8,
    pub min_row: u32,
    pub max_row: u32,
    pub min_col: u32,
    pub max_col: u32,
}

/// The tileset's limits per zoom, from its lowest zoom to `max_zoom`; none without features.
pub fn limits(zone: &Zone, set: Tileset, max_zoom: u8) -> Vec<Limits> {
    let Some(extent) = set.extent(zone) else {
        return Vec::new();
    };
    (set.min_zoom(zone, max_zoom)..=max_zoom)
        .map(|zoom| limits_at(extent, zoom))
        .collect()
}

fn limits_at(extent: Rect<f64>, zoom: u8) -> Limits {
    let last = (1u64 << zoom) - 1;
    // Columns grow eastwards, rows southwards; a coordinate on a tile edge belongs to the
    // tile east or south of it, as the XYZ scheme counts.
    let cell = |v: f64| (v.floor().max(0.0) as u64).min(last) as u32;
    let (west, north) = lonlat_to_tile(zoom, extent.min().x, extent.max().y);
    let (east, south) = lonlat_to_tile(zoom, extent.max().x, extent.min().y);
    Limits {
        zoom,
        min_row: cell(north),
        max_row: cell(south),
        min_col: cell(west),
        max_col: cell(east),
    }
}

/// Whether the tileset has the tile: its zoom among the tileset's and its row and column
/// within that zoom's limits. A tile outside is a 404; one inside with nothing in it a 204.
pub fn within_limits(zone: &Zone, set: Tileset, max_zoom: u8, tile: TileCoord) -> bool {
    let Some(extent) = set.extent(zone) else {
        return false;
    };
    if tile.z < set.min_zoom(zone, max_zoom) || tile.z > max_zoom {
        return false;
    }
    let l = limits_at(extent, tile.z);
    (l.min_row..=l.max_row).contains(&tile.y) && (l.min_col..=l.max_col).contains(&tile.x)
}

/// `/tileMatrixSets`: the tile matrix sets the service tiles in.
pub fn tile_matrix_sets(base: &str) -> Value {
    json!({
        "tileMatrixSets": [{
            "id": WEB_MERCATOR_QUAD,
            "title": "Google Maps Compatible for the World",
            "uri": WEB_MERCATOR_QUAD_URI,
            "links": [{
                "rel": "self",
                "type": "application/json",
                "title": "The WebMercatorQuad tile matrix set",
                "href": format!("{base}/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
            }],
        }],
        "links": [{"rel": "self", "type": "application/json", "href": format!("{base}/tileMatrixSets")}],
    })
}

/// `/tileMatrixSets/WebMercatorQuad`: its definition, zoom 0 to 24, computed from the Web
/// Mercator sphere (cell size 2πR / 256 / 2^z metres, scale = cell size / 0.28 mm).
pub fn web_mercator_quad(base: &str) -> Value {
    let matrices: Vec<Value> = (0..=DEFINED_ZOOMS)
        .map(|z| {
            let tiles = 1u64 << z;
            let cell_size = 2.0 * ORIGIN_SHIFT / 256.0 / tiles as f64;
            json!({
                "id": z.to_string(),
                "scaleDenominator": cell_size / PIXEL_SIZE_M,
                "cellSize": cell_size,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-ORIGIN_SHIFT, ORIGIN_SHIFT],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": tiles,
                "matrixHeight": tiles,
            })
        })
        .collect();
    json!({
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": WEB_MERCATOR_QUAD_URI,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
        "links": [{
            "rel": "self",
            "type": "application/json",
            "href": format!("{base}/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
        }],
    })
}

/// `/tiles` or `/collections/{id}/tiles`: the tilesets of the dataset or the collection (one,
/// in WebMercatorQuad).
pub fn tilesets(base: &str, set: Tileset) -> Value {
    let prefix = set.prefix();
    json!({
        "tilesets": [{
            "title": set.title(),
            "dataType": "vector",
            "crs": EPSG_3857,
            "tileMatrixSetURI": WEB_MERCATOR_QUAD_URI,
            "links": [
                {
                    "rel": "self",
                    "type": "application/json",
                    "title": "The tileset's metadata",
                    "href": format!("{base}{prefix}/tiles/{WEB_MERCATOR_QUAD}"),
                },
                tiling_scheme(base),
            ],
        }],
        "links": [{"rel": "self", "type": "application/json", "href": format!("{base}{prefix}/tiles")}],
    })
}

/// `…/tiles/WebMercatorQuad`: the tileset's metadata (OGC Tileset Metadata 2.0): the tile
/// URL template, the limits per zoom, the bounding box, its layers with their zooms and
/// fields. The fields are derived once per data version ([`TileFields`]): call it off the
/// async workers.
pub fn tileset(zone: &Zone, base: &str, set: Tileset, max_zoom: u8) -> Value {
    let prefix = set.prefix();
    let fields = zone.get::<TileFields>();
    let layers: Vec<Value> = set
        .layers(zone)
        .into_iter()
        .map(|(index, spec)| {
            let properties: serde_json::Map<String, Value> = fields
                .of_layer(index)
                .into_iter()
                .flatten()
                .map(|(name, kind)| (name.clone(), json!({"type": json_type(kind)})))
                .collect();
            let mut layer = json!({
                "id": spec.name,
                "title": spec.name,
                "description": spec.description,
                "dataType": "vector",
                "minTileMatrix": spec.min_zoom.min(max_zoom).to_string(),
                "maxTileMatrix": max_zoom.to_string(),
                "propertiesSchema": {"type": "object", "properties": properties},
            });
            if let Some(dimension) = geometry_dimension(spec) {
                layer["geometryDimension"] = json!(dimension);
            }
            layer
        })
        .collect();
    let limits: Vec<Value> = limits(zone, set, max_zoom)
        .into_iter()
        .map(|l| {
            json!({
                "tileMatrix": l.zoom.to_string(),
                "minTileRow": l.min_row,
                "maxTileRow": l.max_row,
                "minTileCol": l.min_col,
                "maxTileCol": l.max_col,
            })
        })
        .collect();
    let mut links = vec![
        json!({"rel": "self", "type": "application/json", "title": "This tileset's metadata",
               "href": format!("{base}{prefix}/tiles/{WEB_MERCATOR_QUAD}")}),
        tiling_scheme(base),
        json!({"rel": "item", "type": MVT_CONTENT_TYPE, "templated": true,
               "title": "A tile of this tileset (Mapbox Vector Tile)",
               "href": format!("{base}{prefix}/tiles/{WEB_MERCATOR_QUAD}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}")}),
        json!({"rel": "stylesheet", "type": "application/json", "title": "The MapLibre style of the zone's tiles",
               "href": format!("{base}/style.json")}),
    ];
    match set {
        Tileset::Dataset => {
            links.push(json!({"rel": "describedby", "type": "application/json",
                              "title": "The same tiles as TileJSON", "href": format!("{base}/tiles.json")}));
            links.push(json!({"rel": REL_GEODATA, "type": "application/json",
                              "title": "The feature collections", "href": format!("{base}/collections")}));
        }
        Tileset::Collection(kind) => {
            links.push(json!({"rel": REL_GEODATA, "type": "application/json",
                              "title": "The collection whose features these tiles carry",
                              "href": format!("{base}/collections/{}", kind.name())}));
        }
    }
    let mut body = json!({
        "title": set.title(),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": WEB_MERCATOR_QUAD_URI,
        "tileMatrixSetLimits": limits,
        "layers": layers,
        "links": links,
    });
    if let Some(extent) = set.extent(zone) {
        body["boundingBox"] = json!({
            "lowerLeft": [extent.min().x, extent.min().y],
            "upperRight": [extent.max().x, extent.max().y],
            "crs": CRS84,
        });
    }
    body
}

fn tiling_scheme(base: &str) -> Value {
    json!({
        "rel": REL_TILING_SCHEME,
        "type": "application/json",
        "title": "The tile matrix set of these tiles (WebMercatorQuad)",
        "href": format!("{base}/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
    })
}

/// A TileJSON field type (`Number`, `String`, `Boolean`, or several joined) as JSON Schema.
fn json_type(kind: &str) -> Value {
    let types: Vec<&str> = kind
        .split(" | ")
        .map(|t| match t {
            "Number" => "number",
            "Boolean" => "boolean",
            _ => "string",
        })
        .collect();
    match types.as_slice() {
        [one] => json!(one),
        _ => json!(types),
    }
}

/// 0 for points, 1 for lines, 2 for polygons; none for a layer of mixed geometry.
fn geometry_dimension(spec: TileLayer) -> Option<u8> {
    if spec.name == "plot_labels" {
        return Some(0);
    }
    match spec.source {
        LayerKind::Stages | LayerKind::Plots => Some(2),
        LayerKind::Roads | LayerKind::Rail => Some(1),
        LayerKind::Poi => Some(0),
        LayerKind::Extra(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_mercator_quad_matches_ogc_definition_at_zoom_0_and_24() {
        // The values of OGC 17-083r4, Annex D (WebMercatorQuad).
        let tms = web_mercator_quad("http://h");
        let m = &tms["tileMatrices"];
        let z0 = m[0]["scaleDenominator"].as_f64().unwrap_or_default();
        assert!((z0 - 559_082_264.028_717_8).abs() < 1e-3, "{z0}");
        let c0 = m[0]["cellSize"].as_f64().unwrap_or_default();
        assert!((c0 - 156_543.033_928_041).abs() < 1e-6, "{c0}");
        let z24 = m[24]["scaleDenominator"].as_f64().unwrap_or_default();
        assert!((z24 - 33.323_899_747_652_87).abs() < 1e-6, "{z24}");
        assert_eq!(m[24]["matrixWidth"], json!(1u64 << 24));
    }

    #[test]
    fn limits_cover_the_extent_in_rows_from_the_north() {
        // Stara Zagora at zoom 14: x 9359 (25.64° E), y 6094..6095 (42.38°–42.36° N).
        let extent = Rect::new(
            geo::coord! { x: 25.640, y: 42.360 },
            geo::coord! { x: 25.660, y: 42.380 },
        );
        let l = limits_at(extent, 14);
        let (x0, y_north) = lonlat_to_tile(14, 25.640, 42.380);
        let (x1, y_south) = lonlat_to_tile(14, 25.660, 42.360);
        assert_eq!((l.min_col, l.max_col), (x0 as u32, x1 as u32));
        assert_eq!((l.min_row, l.max_row), (y_north as u32, y_south as u32));
        assert!(l.min_row <= l.max_row, "rows count southwards");
    }
}
