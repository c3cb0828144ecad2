//! TileJSON 3.0.0 for the zone's tiles: absolute tile URL, zoom range, bounds, centre and
//! every layer's fields with their types, read from the data that is served; and, on the
//! `plots` layer, the statuses and stages its plots have (`zagore:values`), from which the
//! viewer builds its legend and filters.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::layers::{tile_layers, visit_feature_properties};
use crate::geodata::{LayerKind, PropValue};
use crate::register::Status;
use crate::zone::{Derived, Zone};

/// The zoom the centre suggests: the plots become visible from z12; z14 shows a stage whole.
const CENTER_ZOOM: u8 = 14;

/// Per tile layer (in [`tile_layers`] order), its fields and their types: found by visiting
/// every feature, so derived once per data version, not per request.
#[derive(Debug)]
pub struct TileFields(Vec<BTreeMap<String, String>>);

impl TileFields {
    /// The fields of the tile layer at `index` of [`tile_layers`], with their TileJSON types.
    pub fn of_layer(&self, index: usize) -> Option<&BTreeMap<String, String>> {
        self.0.get(index)
    }
}

impl Derived for TileFields {
    fn derive(zone: &Zone) -> TileFields {
        TileFields(
            tile_layers(zone)
                .iter()
                .map(|spec| fields(zone, spec))
                .collect(),
        )
    }
}

/// The plot statuses and stages the served plots have (the register's statuses, laid over
/// the files'): statuses in the register's order (the style's legend order), stages
/// ascending. Derived once per register version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotValues {
    pub statuses: Vec<&'static str>,
    pub stages: Vec<i64>,
}

impl Derived for PlotValues {
    const READS_CARDS: bool = true;
    fn derive(zone: &Zone) -> PlotValues {
        let mut seen = [false; Status::ALL.len()];
        let mut stages = std::collections::BTreeSet::new();
        for plot in zone
            .layer(LayerKind::Plots)
            .map_or(&[][..], |l| &l.features)
        {
            let status = zone.plot_field(plot, "status");
            if let Some(name) = status.as_ref().and_then(PropValue::as_str) {
                if let Some(i) = Status::ALL.iter().position(|s| s.name() == name) {
                    seen[i] = true;
                }
            }
            if let Some(stage) = plot.stage() {
                stages.insert(stage);
            }
        }
        PlotValues {
            statuses: Status::ALL
                .iter()
                .zip(seen)
                .filter(|(_, seen)| *seen)
                .map(|(s, _)| s.name())
                .collect(),
            stages: stages.into_iter().collect(),
        }
    }
}

/// The TileJSON document. Blocks the first time per data version unless the snapshot was
/// warmed with [`TileFields`] (the server warms it): call it off the async workers.
pub fn tile_json(zone: &Zone, base: &str, max_zoom: u8) -> Value {
    let fields = zone.get::<TileFields>();
    let extent = zone.dataset.extent();
    let bounds = extent.map(|r| json!([r.min().x, r.min().y, r.max().x, r.max().y]));
    // Centre on the plots (the zone itself), not on the far ends of the motorway.
    let focus = zone
        .dataset
        .layer(LayerKind::Plots)
        .and_then(|l| l.extent)
        .or(extent);
    let center = focus.map(|r| {
        let c = r.center();
        json!([c.x, c.y, CENTER_ZOOM.min(max_zoom)])
    });
    let vector_layers: Vec<Value> = tile_layers(zone)
        .iter()
        .zip(&fields.0)
        .map(|(spec, fields)| {
            let mut layer = json!({
                "id": spec.name,
                "description": spec.description,
                "minzoom": spec.min_zoom.min(max_zoom),
                "maxzoom": max_zoom,
                "fields": fields,
            });
            if spec.name == "plots" {
                let values = zone.get::<PlotValues>();
                layer["zagore:values"] = json!({"status": values.statuses, "stage": values.stages});
            }
            layer
        })
        .collect();
    let mut body = json!({
        "tilejson": "3.0.0",
        "name": "Industrial Zone Zagore",
        "description": "Plots, stages, roads, railway and points of interest of Industrial Zone Zagore, Stara Zagora",
        "version": "1.0.0",
        "attribution": "Industrial Zone Zagore; approximate digitisation, not surveyed",
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": 0,
        "maxzoom": max_zoom,
        "vector_layers": vector_layers,
    });
    if let Some(b) = bounds {
        body["bounds"] = b;
    }
    if let Some(c) = center {
        body["center"] = c;
    }
    body
}

/// Every property a layer's features carry in the tiles at full detail, with its type
/// (`Number`, `String` or `Boolean`; several joined with ` | ` when features disagree). Null,
/// array and object values are not in the tiles, so they are not listed. Below z14 the
/// plots carry only `status` and `stage` of these (the layer's description says so).
fn fields(zone: &Zone, spec: &super::layers::TileLayer) -> BTreeMap<String, String> {
    let mut types: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    if let Some(layer) = zone.layer(spec.source) {
        for (position, feature) in layer.features.iter().enumerate() {
            visit_feature_properties(zone, spec, position, feature, |key, value| {
                let kind = match value {
                    PropValue::Text(_) => "String",
                    PropValue::Number(_) => "Number",
                    PropValue::Bool(_) => "Boolean",
                    _ => return,
                };
                match types.get_mut(key) {
                    Some(seen) if !seen.contains(&kind) => seen.push(kind),
                    Some(_) => {}
                    None => {
                        types.insert(key.to_string(), vec![kind]);
                    }
                }
            });
        }
    }
    if spec.source == crate::geodata::LayerKind::Plots && !zone.register().is_empty() {
        // The register's public fields, by their own types: an edit never changes the list.
        use crate::register::facts::{FieldType, PUBLIC_TYPES};
        let labels = spec.name == "plot_labels";
        for (name, kind) in PUBLIC_TYPES {
            if labels && !super::layers::LABEL_FIELDS.contains(&name) {
                continue;
            }
            let kind = match kind {
                FieldType::Text => "String",
                FieldType::Number => "Number",
                FieldType::Boolean => "Boolean",
            };
            types.insert(name.to_string(), vec![kind]);
        }
    }
    types
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_unstable();
            (k, v.join(" | "))
        })
        .collect()
}
