//! The collections the service offers (one per geodata layer) and what can be asked of them:
//! their descriptions, extents, the CRSs they are served in, their queryable properties and
//! the equality filters built from those.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::params::ParamError;
use crate::geodata::{Crs, Layer, LayerKind, PropValue};
use crate::zone::{Derived, Zone};

/// CRSs listed for every collection (besides its storage CRS), and the only ones a request's
/// `crs` or `bbox-crs` may name: a request's text is never handed to PROJ, so a request can
/// never make PROJ open a file (`+nadgrids=`) or build a transform nobody listed.
pub const LISTED_CRS: [Crs; 10] = [
    Crs::Crs84,
    Crs::Epsg(4326),
    Crs::Epsg(7801),
    Crs::Epsg(3857),
    Crs::Epsg(32635),
    Crs::Epsg(9391),
    Crs::Epsg(7800),
    Crs::Epsg(25835),
    Crs::Epsg(4258),
    // ETRS89 / LAEA Europe, the grid of European statistics (and of EU planners).
    Crs::Epsg(3035),
];

/// A collection's title and description.
pub fn describe(kind: LayerKind) -> (&'static str, &'static str) {
    match kind {
        LayerKind::Plots => (
            "Cadastral plots (ПИ)",
            "The zone's cadastral land plots with their plot cards: identifiers (ПИ and УПИ), stage, status, areas, zoning, permitted use, utilities, centroid and distances.",
        ),
        LayerKind::Stages => ("Stages", "The outlines of the zone's two stages."),
        LayerKind::Roads => (
            "Roads",
            "The road network: the A1 Trakia motorway and its interchange, the I-5 ring road, the II-66 and II-57 roads and the zone's streets.",
        ),
        LayerKind::Rail => ("Railway", "The railway lines near the zone."),
        LayerKind::Poi => (
            "Points of interest",
            "The A1 interchange, railway stations, the planned substation and parkings.",
        ),
        LayerKind::Extra(name) => (
            name.as_str(),
            "A layer the zone publishes through its data folder's manifest.toml.",
        ),
    }
}

/// The CRSs a layer is served in: CRS84 first (the default, as OGC API – Features requires
/// of a collection's `crs` list), then its storage CRS, then [`LISTED_CRS`].
pub fn listed_crs(layer: &Layer) -> Vec<Crs> {
    let mut list = vec![Crs::Crs84];
    if layer.source_crs != Crs::Crs84 {
        list.push(layer.source_crs.clone());
    }
    for crs in LISTED_CRS {
        if !list.contains(&crs) {
            list.push(crs);
        }
    }
    list
}

/// The URIs of the CRSs a layer is listed in ([`listed_crs`]).
pub fn crs_list(layer: &Layer) -> Vec<String> {
    listed_crs(layer).iter().map(Crs::uri).collect()
}

/// A collection's metadata document (`/collections/{id}` and each entry of `/collections`).
pub fn collection_json(layer: &Layer, base: &str) -> Value {
    let id = layer.kind.name();
    let (title, description) = describe(layer.kind);
    // A layer the manifest adds is titled there (in English for the API, else in Bulgarian).
    let title = layer
        .title_en
        .as_deref()
        .or(layer.title.as_deref())
        .unwrap_or(title);
    let bbox = layer
        .extent
        .map(|r| vec![r.min().x, r.min().y, r.max().x, r.max().y]);
    let mut spatial = json!({"crs": Crs::Crs84.uri()});
    if let Some(bbox) = bbox {
        spatial["bbox"] = json!([bbox]);
    }
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "extent": {"spatial": spatial},
        "crs": crs_list(layer),
        "storageCrs": layer.source_crs.uri(),
        "links": [
            {"href": format!("{base}/collections/{id}"), "rel": "self", "type": "application/json", "title": title},
            {"href": format!("{base}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": format!("{title}: features")},
            {"href": format!("{base}/collections/{id}/queryables"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json", "title": "Queryable properties"},
            {"href": format!("{base}/collections/{id}/tiles"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": "application/json", "title": format!("{title}: vector tiles (OGC API – Tiles)")},
        ],
    })
}

/// The queryable naming the features' geometry, for a CQL2 filter's spatial functions.
pub const GEOMETRY: &str = "geometry";

/// The JSON type of a queryable property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    String,
    Integer,
    Number,
    Boolean,
}

impl PropertyType {
    fn of(value: &Value) -> Option<PropertyType> {
        match value {
            Value::String(_) => Some(PropertyType::String),
            Value::Bool(_) => Some(PropertyType::Boolean),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(PropertyType::Integer),
            Value::Number(_) => Some(PropertyType::Number),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::Integer => "integer",
            PropertyType::Number => "number",
            PropertyType::Boolean => "boolean",
        }
    }

    /// Merges the types seen in different features (integers and decimals make a number).
    fn merge(self, other: PropertyType) -> Option<PropertyType> {
        use PropertyType::*;
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Integer, Number) | (Number, Integer) => Some(Number),
            _ => None,
        }
    }
}

/// Every layer's queryable properties, derived once per snapshot from the properties its
/// features are served with (a plot's card for plots).
#[derive(Debug, Default)]
pub struct Queryables {
    by_layer: Vec<(LayerKind, BTreeMap<String, PropertyType>)>,
}

impl Queryables {
    /// The queryables of one layer (none for a layer the data does not have).
    pub fn of(&self, kind: LayerKind) -> &BTreeMap<String, PropertyType> {
        static NONE: BTreeMap<String, PropertyType> = BTreeMap::new();
        self.by_layer
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&NONE, |(_, q)| q)
    }
}

impl Derived for Queryables {
    fn derive(zone: &Zone) -> Queryables {
        let by_layer = zone
            .dataset
            .layers
            .iter()
            .map(|layer| (layer.kind, layer_queryables(zone, layer)))
            .collect();
        Queryables { by_layer }
    }
}

/// One layer's queryables, visiting each feature's served properties without building them.
fn layer_queryables(zone: &Zone, layer: &Layer) -> BTreeMap<String, PropertyType> {
    let mut seen = Seen::default();
    for (position, feature) in layer.features.iter().enumerate() {
        if layer.kind == LayerKind::Plots {
            zone.visit_plot_card(Some(position), feature, |name, value| {
                seen.add_prop(name, value)
            });
        } else {
            for (name, value) in feature.properties.iter() {
                seen.add_prop(name, value);
            }
        }
    }
    let mut found = seen.finish();
    if layer.kind == LayerKind::Plots && !zone.register().is_empty() {
        // The register's public fields, by their own types: an edit never changes the list.
        use crate::register::facts::{FieldType, PUBLIC_TYPES};
        for (name, kind) in PUBLIC_TYPES {
            let t = match kind {
                FieldType::Text => PropertyType::String,
                FieldType::Number => PropertyType::Number,
                FieldType::Boolean => PropertyType::Boolean,
            };
            found.insert(name.to_string(), t);
        }
    }
    found
}

/// Types seen per property name; None marks conflicting types (not queryable).
#[derive(Default)]
struct Seen(BTreeMap<String, Option<PropertyType>>);

impl Seen {
    fn add(&mut self, name: &str, t: Option<PropertyType>, is_null: bool) {
        let Some(t) = t else {
            if !is_null {
                self.0.insert(name.to_string(), None);
            }
            return;
        };
        let merged = match self.0.get(name) {
            None => Some(t),
            Some(None) => None,
            Some(Some(prev)) => prev.merge(t),
        };
        match self.0.get_mut(name) {
            Some(slot) => *slot = merged,
            None => {
                self.0.insert(name.to_string(), merged);
            }
        }
    }

    fn add_prop(&mut self, name: &str, value: &PropValue) {
        let t = match value {
            PropValue::Text(_) => Some(PropertyType::String),
            PropValue::Bool(_) => Some(PropertyType::Boolean),
            PropValue::Number(n) if n.is_i64() || n.is_u64() => Some(PropertyType::Integer),
            PropValue::Number(_) => Some(PropertyType::Number),
            _ => None,
        };
        self.add(name, t, matches!(value, PropValue::Null));
    }

    fn finish(self) -> BTreeMap<String, PropertyType> {
        self.0
            .into_iter()
            .filter_map(|(name, t)| Some((name, t?)))
            .collect()
    }
}

/// The properties features can be filtered on: every property with scalar values of one
/// type, taken from the properties the features are served with (so data that brings
/// other fields, such as an official cadastral export, brings its own queryables).
pub fn queryables<'a>(
    properties: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> BTreeMap<String, PropertyType> {
    let mut seen = Seen::default();
    for props in properties {
        for (name, value) in props {
            seen.add(name, PropertyType::of(value), value.is_null());
        }
    }
    seen.finish()
}

/// The JSON Schema document of `/collections/{id}/queryables`.
pub fn queryables_json(
    kind: LayerKind,
    queryables: &BTreeMap<String, PropertyType>,
    base: &str,
) -> Value {
    let mut properties = Map::new();
    // The features' geometry, for the spatial functions of a CQL2 filter (Part 3 names its
    // role; it is not a property to compare or to filter by with `name=value`).
    properties.insert(
        GEOMETRY.to_string(),
        json!({"title": "geometry", "format": "geometry-any", "x-ogc-role": "primary-geometry"}),
    );
    for (name, t) in queryables {
        properties.insert(name.clone(), json!({"title": name, "type": t.name()}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": format!("{base}/collections/{}/queryables", kind.name()),
        "type": "object",
        "title": describe(kind).0,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// One equality filter from the query string, its value already of the property's type.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub property: String,
    value: FilterValue,
}

#[derive(Debug, Clone, PartialEq)]
enum FilterValue {
    Text(String),
    Number(f64),
    Boolean(bool),
}

impl Filter {
    /// `stage=2` on an integer property, `has_power=true` on a boolean one, etc.
    pub fn parse(property: &str, text: &str, t: PropertyType) -> Result<Filter, ParamError> {
        let value = match t {
            PropertyType::String => FilterValue::Text(text.to_string()),
            PropertyType::Integer | PropertyType::Number => {
                let n = text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| {
                        ParamError::new(property, format!("{text:?} is not a number"))
                    })?;
                if t == PropertyType::Integer && n.fract() != 0.0 {
                    return Err(ParamError::new(
                        property,
                        format!(
                            "{text:?} is not a whole number, and `{property}` holds whole numbers"
                        ),
                    ));
                }
                FilterValue::Number(n)
            }
            PropertyType::Boolean => match text.trim() {
                "true" => FilterValue::Boolean(true),
                "false" => FilterValue::Boolean(false),
                _ => {
                    return Err(ParamError::new(
                        property,
                        format!("{text:?} is not true or false"),
                    ))
                }
            },
        };
        Ok(Filter {
            property: property.to_string(),
            value,
        })
    }

    pub fn matches(&self, properties: &Map<String, Value>) -> bool {
        match (&self.value, properties.get(&self.property)) {
            (FilterValue::Text(want), Some(Value::String(have))) => want == have,
            (FilterValue::Number(want), Some(Value::Number(have))) => have.as_f64() == Some(*want),
            (FilterValue::Boolean(want), Some(Value::Bool(have))) => want == have,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_compare_by_type() {
        let props: Map<String, Value> =
            serde_json::from_value(json!({"stage": 2, "has_power": false, "status": "sold"}))
                .unwrap();
        let q = queryables([&props]);
        assert_eq!(q["stage"], PropertyType::Integer);
        assert!(Filter::parse("stage", "2", q["stage"])
            .unwrap()
            .matches(&props));
        assert!(Filter::parse("stage", "2.0", q["stage"])
            .unwrap()
            .matches(&props));
        assert!(!Filter::parse("stage", "1", q["stage"])
            .unwrap()
            .matches(&props));
        assert!(Filter::parse("stage", "two", q["stage"]).is_err());
        assert!(Filter::parse("has_power", "false", q["has_power"])
            .unwrap()
            .matches(&props));
        assert!(Filter::parse("has_power", "no", q["has_power"]).is_err());
        assert!(!Filter::parse("status", "Sold", q["status"])
            .unwrap()
            .matches(&props));
    }

    #[test]
    fn mixed_types_are_not_queryable() {
        let a: Map<String, Value> = serde_json::from_value(json!({"x": 1, "y": 1})).unwrap();
        let b: Map<String, Value> = serde_json::from_value(json!({"x": "one", "y": 1.5})).unwrap();
        let q = queryables([&a, &b]);
        assert!(!q.contains_key("x"));
        assert_eq!(q["y"], PropertyType::Number);
    }
}
