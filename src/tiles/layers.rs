//! The tile layers: their names, the source layer each is drawn from, the zoom each starts
//! at, and the per-dataset facts the encoder needs once per data version ([`Prepared`]:
//! which vertices features share, where each plot's label goes).

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::{Area, Coord, Geometry, Polygon};
use serde_json::{Map, Value};

use crate::app::Data;
use crate::geodata::{Feature, LayerKind};

/// One layer of the vector tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLayer {
    pub name: &'static str,
    pub source: LayerKind,
    /// The lowest zoom at which the layer can have features.
    pub min_zoom: u8,
    pub description: &'static str,
}

/// The layers in drawing order (bottom first).
pub const TILE_LAYERS: [TileLayer; 6] = [
    TileLayer {
        name: "stages",
        source: LayerKind::Stages,
        min_zoom: 10,
        description: "Outlines of the zone's stages",
    },
    TileLayer {
        name: "plots",
        source: LayerKind::Plots,
        min_zoom: 12,
        description: "Cadastral land plots with their card (status, УПИ, area, limits)",
    },
    TileLayer {
        name: "roads",
        source: LayerKind::Roads,
        min_zoom: ROAD_MIN_ZOOM_MAJOR,
        description: "Roads by class: motorway and ring road from low zooms, streets from z12",
    },
    TileLayer {
        name: "rail",
        source: LayerKind::Rail,
        min_zoom: 8,
        description: "Railway lines",
    },
    TileLayer {
        name: "poi",
        source: LayerKind::Poi,
        min_zoom: 10,
        description: "Points of interest: interchange, stations, substation, parkings",
    },
    TileLayer {
        name: "plot_labels",
        source: LayerKind::Plots,
        min_zoom: 13,
        description: "One point per plot at its pole of inaccessibility, for labels",
    },
];

const ROAD_MIN_ZOOM_MAJOR: u8 = 5;

/// The zoom a road of this class appears from.
pub fn road_min_zoom(class: Option<&str>) -> u8 {
    match class {
        Some("motorway" | "ring_road") => ROAD_MIN_ZOOM_MAJOR,
        Some("primary") => 8,
        _ => 12,
    }
}

/// The properties of the `plot_labels` layer, taken from the plot's card.
pub const LABEL_FIELDS: [&str; 6] = [
    "cadastral_id",
    "upi",
    "upi_no",
    "status",
    "stage",
    "area_decares",
];

/// The properties a feature carries in its tile layer: for plots exactly its card, for the
/// others its own properties.
pub fn feature_properties(data: &Data, layer: &TileLayer, feature: &Feature) -> Map<String, Value> {
    match (layer.name, layer.source) {
        ("plot_labels", _) => {
            let card = data.plot_card(feature);
            LABEL_FIELDS
                .iter()
                .filter_map(|&k| card.get(k).map(|v| (k.to_string(), v.clone())))
                .collect()
        }
        (_, LayerKind::Plots) => data.plot_card(feature),
        _ => feature.properties.to_map(),
    }
}

/// A coordinate's exact identity (its bits), for finding vertices shared by two features.
pub type VertexKey = (u64, u64);

pub fn vertex_key(c: Coord<f64>) -> VertexKey {
    // +0.0 and -0.0 are the same place.
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Facts about one data version that every tile needs.
#[derive(Debug, Default)]
pub struct Prepared {
    pub version: String,
    /// Per source layer, the Web Mercator vertices that two or more features share.
    pub shared: HashMap<LayerKind, SharedVertices>,
    /// Per plot (by its position in the plots layer): its label point in Web Mercator,
    /// found the first time a tile shows it (a province's million plots would take a
    /// minute to label up front).
    labels: Vec<OnceLock<Option<Coord<f64>>>>,
}

/// A layer's shared vertices, sorted, for binary search: a third of the memory of a hash
/// set, and built by one parallel sort rather than a million-entry hash map.
#[derive(Debug, Default)]
pub struct SharedVertices(Vec<VertexKey>);

impl SharedVertices {
    pub fn contains(&self, key: &VertexKey) -> bool {
        self.0.binary_search(key).is_ok()
    }

    /// The vertices found in two or more of the features.
    fn of(features: &[Feature]) -> SharedVertices {
        use rayon::prelude::*;
        // Each feature's distinct vertices (a ring repeats its first), then every vertex
        // that more than one feature has.
        let mut keys: Vec<VertexKey> = features
            .par_iter()
            .flat_map_iter(|feature| {
                let mut own: Vec<VertexKey> = Vec::new();
                visit_coords(&feature.mercator, &mut |c| own.push(vertex_key(c)));
                own.sort_unstable();
                own.dedup();
                own
            })
            .collect();
        keys.par_sort_unstable();
        let mut shared: Vec<VertexKey> = keys
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= 2)
            .map(|run| run[0])
            .collect();
        shared.shrink_to_fit();
        SharedVertices(shared)
    }
}

impl Prepared {
    pub fn build(data: &Data) -> Prepared {
        let shared = data
            .dataset
            .layers
            .iter()
            .map(|layer| (layer.kind, SharedVertices::of(&layer.features)))
            .collect();
        let labels = data
            .dataset
            .layer(LayerKind::Plots)
            .map(|plots| plots.features.iter().map(|_| OnceLock::new()).collect())
            .unwrap_or_default();
        Prepared {
            version: data.dataset.version.clone(),
            shared,
            labels,
        }
    }

    /// The label point of the plot at `position` in the plots layer.
    pub fn label(&self, position: usize, plot: &Feature) -> Option<Coord<f64>> {
        *self.labels.get(position)?.get_or_init(|| label_point(plot))
    }
}

fn visit_coords(geometry: &Geometry<f64>, f: &mut impl FnMut(Coord<f64>)) {
    use geo::CoordsIter;
    for c in geometry.coords_iter() {
        f(c);
    }
}

/// The pole of inaccessibility of a plot's largest polygon (in Web Mercator, which is
/// conformal, so the shape the label must sit inside is the one drawn).
fn label_point(feature: &Feature) -> Option<Coord<f64>> {
    let largest: Option<&Polygon<f64>> = match &feature.mercator {
        Geometry::Polygon(p) => Some(p),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        }
        _ => None,
    };
    // 0.5 m is well under a pixel at z18 and keeps the search short.
    polylabel::polylabel(largest?, &0.5).ok().map(|p| p.0)
}
