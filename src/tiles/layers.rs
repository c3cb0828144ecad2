//! The tile layers: their names, the source layer each is drawn from, the zoom each starts
//! at, and the per-dataset facts the encoder needs once per data version ([`Prepared`]:
//! which vertices features share, where each plot's label goes).

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::{Area, Coord, Geometry, Polygon};

use super::coord::lonlat_to_mercator;
use crate::geodata::{Feature, LayerKind, PropValue};
use crate::zone::card::CardFields;
use crate::zone::{Derived, Zone};

/// One layer of the vector tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLayer {
    pub name: &'static str,
    pub source: LayerKind,
    /// The lowest zoom at which the layer can have features.
    pub min_zoom: u8,
    pub description: &'static str,
}

/// The built-in layers in drawing order (bottom first); [`tile_layers`] adds the manifest's.
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
        description: "Cadastral land plots: from z14 each with its card (status, УПИ, area, limits); at z12–13 generalised to status and stage, plots under a pixel gathered into pixel squares",
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
        description: "One point per plot at its pole of inaccessibility, for labels: every plot from z14, at z13 only plots with room for a label",
    },
];

const ROAD_MIN_ZOOM_MAJOR: u8 = 5;

/// The zoom a layer the manifest adds appears from (as the stages and points of interest).
pub const EXTRA_MIN_ZOOM: u8 = 10;

/// Every tile layer of a snapshot, in drawing order: the built-in ones ([`TILE_LAYERS`]),
/// then one per layer the manifest adds, named as the layer.
pub fn tile_layers(zone: &Zone) -> Vec<TileLayer> {
    let mut all = TILE_LAYERS.to_vec();
    all.extend(
        zone.dataset
            .layers
            .iter()
            .filter(|l| l.kind.is_extra())
            .map(|l| TileLayer {
                name: l.kind.name(),
                source: l.kind,
                min_zoom: EXTRA_MIN_ZOOM,
                description: "A layer the zone publishes through its manifest.toml: its features with their own properties",
            }),
    );
    all
}

/// The zoom a road of this class appears from.
pub fn road_min_zoom(class: Option<&str>) -> u8 {
    match class {
        Some("motorway" | "ring_road") => ROAD_MIN_ZOOM_MAJOR,
        Some("primary") => 8,
        _ => 12,
    }
}

/// The properties of the `plot_labels` layer: the label's text (the cadastral number and
/// the УПИ) and what the viewer's filters hide labels by (status and stage). The rest of the
/// card is on the plot under the label.
pub const LABEL_FIELDS: [&str; 4] = ["cadastral_id", "upi", "status", "stage"];

/// Visits the properties a feature carries in its tile layer at full detail (from
/// [`super::encode::FULL_DETAIL_ZOOM`]): for plots their card without the fields the tiles
/// leave out ([`crate::zone::card::NOT_IN_TILES`]), for labels [`LABEL_FIELDS`] of it, for
/// the other layers their own properties. `position` is the feature's position in its layer.
pub fn visit_feature_properties(
    zone: &Zone,
    layer: &TileLayer,
    position: usize,
    feature: &Feature,
    mut visit: impl FnMut(&str, &PropValue),
) {
    match (layer.name, layer.source) {
        ("plot_labels", _) => zone.visit_plot_card_fields(
            Some(position),
            feature,
            CardFields::Only(&LABEL_FIELDS),
            visit,
        ),
        (_, LayerKind::Plots) => {
            zone.visit_plot_card_fields(Some(position), feature, CardFields::Tiles, visit)
        }
        _ => {
            for (k, v) in feature.properties.iter() {
                visit(k, v);
            }
        }
    }
}

/// A coordinate's exact identity (its bits), for finding vertices shared by two features.
pub type VertexKey = (u64, u64);

pub fn vertex_key(c: Coord<f64>) -> VertexKey {
    // +0.0 and -0.0 are the same place.
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Facts about one data version that every tile needs, derived once per snapshot.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Per source layer, which vertices of each feature another feature of the layer shares.
    pub shared: HashMap<LayerKind, SharedVertices>,
    /// Per plot (by its position in the plots layer): its label point in Web Mercator,
    /// found the first time a tile shows it (a province's million plots would take a
    /// minute to label up front).
    labels: Vec<OnceLock<Option<Coord<f64>>>>,
}

impl Derived for Prepared {
    fn derive(zone: &Zone) -> Prepared {
        Prepared::build(zone)
    }
}

/// Which of a layer's vertices two or more features share: one bit per vertex, in the order
/// of [`geo::CoordsIter`] over each feature's WGS84 geometry (rings with their closing
/// vertex), and where each feature's bits start. A bit per vertex (a few MB for a million
/// plots) replaces a sorted table of shared coordinates searched per vertex per tile, which
/// was both a hundred times larger and a tenth of the cold encoding time.
#[derive(Debug, Default)]
pub struct SharedVertices {
    bits: Vec<u64>,
    /// Feature i's bits are `starts[i]..starts[i + 1]`.
    starts: Vec<u64>,
}

/// One feature's shared-vertex bits; [`LockedVertices::get`] takes the vertex's position
/// in the feature's coordinate order.
#[derive(Debug, Clone, Copy)]
pub struct LockedVertices<'a> {
    bits: &'a [u64],
    start: u64,
    len: u64,
}

impl LockedVertices<'_> {
    /// No vertex locked (a layer without shared-vertex facts).
    pub const NONE: LockedVertices<'static> = LockedVertices {
        bits: &[],
        start: 0,
        len: 0,
    };

    pub fn get(&self, vertex: usize) -> bool {
        let vertex = vertex as u64;
        if vertex >= self.len {
            return false;
        }
        let bit = self.start + vertex;
        self.bits
            .get((bit / 64) as usize)
            .is_some_and(|word| word >> (bit % 64) & 1 == 1)
    }
}

impl SharedVertices {
    /// The bits of the feature at `position` in its layer.
    pub fn of_feature(&self, position: usize) -> LockedVertices<'_> {
        match (self.starts.get(position), self.starts.get(position + 1)) {
            (Some(&start), Some(&end)) => LockedVertices {
                bits: &self.bits,
                start,
                len: end - start,
            },
            _ => LockedVertices::NONE,
        }
    }

    /// Marks the vertices found in two or more of the features.
    fn of(features: &[Feature]) -> SharedVertices {
        use geo::CoordsIter;
        use rayon::prelude::*;
        let mut starts = Vec::with_capacity(features.len() + 1);
        let mut total = 0u64;
        starts.push(0);
        for feature in features {
            total += feature.lonlat.coords_count() as u64;
            starts.push(total);
        }
        // Every vertex with its feature and its bit, sorted by place: a run of one place
        // with two or more features in it is a shared vertex (a ring's closing vertex repeats
        // its first within one feature, which does not count).
        let mut places: Vec<(VertexKey, u32, u64)> = features
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, feature)| {
                let start = starts[i];
                feature
                    .lonlat
                    .coords_iter()
                    .enumerate()
                    .map(move |(k, c)| (vertex_key(c), i as u32, start + k as u64))
            })
            .collect();
        places.par_sort_unstable();
        let mut bits = vec![0u64; total.div_ceil(64) as usize];
        for run in places.chunk_by(|a, b| a.0 == b.0) {
            if run.first().map(|p| p.1) != run.last().map(|p| p.1) {
                for &(_, _, bit) in run {
                    bits[(bit / 64) as usize] |= 1 << (bit % 64);
                }
            }
        }
        SharedVertices { bits, starts }
    }
}

impl Prepared {
    pub fn build(zone: &Zone) -> Prepared {
        let shared = zone
            .dataset
            .layers
            .iter()
            .map(|layer| (layer.kind, SharedVertices::of(&layer.features)))
            .collect();
        let labels = zone
            .dataset
            .layer(LayerKind::Plots)
            .map(|plots| plots.features.iter().map(|_| OnceLock::new()).collect())
            .unwrap_or_default();
        Prepared { shared, labels }
    }

    /// The shared-vertex bits of the feature at `position` in the `kind` layer.
    pub fn locked(&self, kind: LayerKind, position: usize) -> LockedVertices<'_> {
        self.shared
            .get(&kind)
            .map_or(LockedVertices::NONE, |s| s.of_feature(position))
    }

    /// The label point of the plot at `position` in the plots layer, in Web Mercator.
    pub fn label(&self, position: usize, plot: &Feature) -> Option<Coord<f64>> {
        *self.labels.get(position)?.get_or_init(|| label_point(plot))
    }
}

/// The pole of inaccessibility of a plot's largest polygon, in Web Mercator (conformal, so
/// the shape the label must sit inside is the one drawn). The plot is projected here, once
/// per plot, rather than kept in Web Mercator for every feature.
fn label_point(feature: &Feature) -> Option<Coord<f64>> {
    use geo::MapCoords;
    let to_mercator = |c: Coord<f64>| {
        let (x, y) = lonlat_to_mercator(c.x, c.y);
        Coord { x, y }
    };
    let largest: Option<Polygon<f64>> = match &feature.lonlat {
        Geometry::Polygon(p) => Some(p.map_coords(to_mercator)),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter()
                .map(|p| p.map_coords(to_mercator))
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        }
        _ => None,
    };
    // 0.5 m is well under a pixel at z18 and keeps the search short.
    polylabel::polylabel(&largest?, &0.5).ok().map(|p| p.0)
}
