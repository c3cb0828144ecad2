//! Parsing one feature of a layer file: its identifier, its properties (under the service's
//! field names, made compact) and its source geometry, with every problem located by file,
//! line, feature and field. [`parse_window`] parses many at once on every core.

use geo::Geometry;
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::cadastral::CadastralId;
use super::manifest::LayerManifest;
use super::model::LayerKind;
use super::model::Location;
use super::problem::Problems;
use super::problem::{Problem, Severity};
use super::properties::{Interner, LocalInterner, Properties};
use super::validate;

/// A feature whose identifier, properties and geometry have been read but not yet reprojected.
pub(super) struct ParsedFeature {
    pub id: String,
    /// Position in the file's `features` array, from 0.
    pub index: usize,
    pub cadastral_id: Option<CadastralId>,
    pub properties: Properties,
    pub geometry: Geometry<f64>,
    pub at: Location,
}

impl ParsedFeature {
    pub fn label(&self) -> String {
        label(self.at, self.index, Some(&self.id))
    }
}

/// How problems name a feature: "feature 3 (27214.33.1)" in a text file, "record 3
/// (27214.33.1)" in a table; without an identifier, only the position.
pub(super) fn label(at: Location, index: usize, id: Option<&str>) -> String {
    let position = match at {
        Location::Line(_) => format!("feature {}", index + 1),
        Location::Record(n) => format!("record {n}"),
    };
    match id {
        Some(id) => format!("{position} ({id})"),
        None => position,
    }
}

/// One feature of a layer file, as raw JSON text (checked to be JSON).
pub(super) struct RawFeature<'a> {
    pub text: &'a str,
    /// Line of the file where the feature starts.
    pub line: usize,
}

/// Parses a window of a layer's features on every core, `first_index` being the first one's
/// position in the file. Each feature's problems are kept with it and appended in file order
/// afterwards, so the report reads exactly as a sequential read would write it.
pub(super) fn parse_window(
    kind: LayerKind,
    raw: &[RawFeature],
    first_index: usize,
    settings: &LayerManifest,
    interner: &Interner,
    problems: &mut Problems,
) -> Vec<ParsedFeature> {
    let file_name = problems.file;
    let mut outcomes: Vec<(Option<ParsedFeature>, Vec<Problem>)> = Vec::new();
    raw.par_iter()
        .enumerate()
        .with_min_len(1024)
        .map_init(
            || interner.local(),
            |interner, (i, raw)| {
                let mut list = Vec::new();
                let mut sink = Problems {
                    file: file_name,
                    list: &mut list,
                };
                let index = first_index + i;
                let parsed = parse_feature(kind, index, raw, settings, interner, &mut sink);
                (parsed, list)
            },
        )
        .collect_into_vec(&mut outcomes);
    // In place: the outcomes' allocation becomes the parsed features'.
    outcomes
        .into_iter()
        .filter_map(|(parsed, mut list)| {
            problems.list.append(&mut list);
            parsed
        })
        .collect()
}

fn parse_feature(
    kind: LayerKind,
    index: usize,
    raw: &RawFeature,
    settings: &LayerManifest,
    interner: &mut LocalInterner,
    problems: &mut Problems,
) -> Option<ParsedFeature> {
    let (line, raw) = (raw.line, raw.text);
    if let Some(quick) = super::fast_feature::read(raw) {
        let record = Record {
            index,
            at: Location::Line(line),
            id: quick.id,
            properties: quick.properties,
            geometry: quick
                .geometry
                .map(|(geometry, type_name)| SourceGeometry::Ready(geometry, type_name)),
        };
        return build_feature(kind, record, settings, interner, problems);
    }
    // Not plainly good: `geojson` reads it, and says what is wrong.
    let feature: geojson::Feature = match serde_json::from_str(raw) {
        Ok(f) => f,
        Err(e) => {
            problems.push(
                Severity::Error,
                Some(line + e.line() - 1),
                Some(label(Location::Line(line), index, None)),
                None,
                format!("not a GeoJSON Feature: {e}"),
            );
            return None;
        }
    };
    let record = Record {
        index,
        at: Location::Line(line),
        id: feature.id,
        properties: feature.properties.unwrap_or_default(),
        geometry: feature.geometry.map(|g| SourceGeometry::Json(g.value)),
    };
    build_feature(kind, record, settings, interner, problems)
}

/// One record of any layer source, as it was read: its position, its own identifier (if the
/// format has one), its properties under the source's field names and its geometry.
pub(super) struct Record {
    /// Position in the source, from 0.
    pub index: usize,
    pub at: Location,
    pub id: Option<geojson::feature::Id>,
    pub properties: Map<String, Value>,
    pub geometry: Option<SourceGeometry>,
}

/// A record's geometry as its source gave it.
pub(super) enum SourceGeometry {
    /// As GeoJSON positions, not checked yet.
    Json(geojson::GeometryValue),
    /// Read and checked already (see [`super::fast_feature`]), with its GeoJSON type name.
    Ready(Geometry<f64>, &'static str),
}

impl SourceGeometry {
    fn type_name(&self) -> &'static str {
        match self {
            SourceGeometry::Json(value) => value.type_name(),
            SourceGeometry::Ready(_, name) => name,
        }
    }
}

/// Turns a record into a parsed feature: field names mapped, identifier decided, property
/// values, geometry type and positions checked; or None, its problems saying why. Shared by
/// every layer source.
pub(super) fn build_feature(
    kind: LayerKind,
    record: Record,
    settings: &LayerManifest,
    interner: &mut LocalInterner,
    problems: &mut Problems,
) -> Option<ParsedFeature> {
    let Record {
        index,
        at,
        id: own_id,
        properties: source_properties,
        geometry,
    } = record;
    let line = at.line();
    // Worded only for a problem: most features have none.
    let position = || label(at, index, None);
    let renamed = source_properties
        .keys()
        .any(|name| settings.canonical_field(kind, name) != name);
    // Usually no field is renamed: the map is kept as it was read.
    let mut properties = match renamed {
        false => source_properties,
        true => {
            let mut properties = Map::new();
            for (name, value) in source_properties {
                properties.insert(settings.canonical_field(kind, &name).to_string(), value);
            }
            properties
        }
    };
    let (id, cadastral_id) = if kind == LayerKind::Plots {
        let Some(value) = properties.get("cadastral_id") else {
            problems.push(
                Severity::Error,
                line,
                Some(position()),
                Some("cadastral_id"),
                "a plot needs its cadastral identifier (map the source field in manifest.toml)",
            );
            return None;
        };
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            other => other.to_string(),
        };
        match text.parse::<CadastralId>() {
            Ok(cid) => {
                properties.insert("cadastral_id".into(), Value::String(cid.to_string()));
                (cid.to_string(), Some(cid))
            }
            Err(e) => {
                problems.push(
                    Severity::Error,
                    line,
                    Some(format!("{} ({text})", position())),
                    Some("cadastral_id"),
                    format!("malformed cadastral identifier {text:?}: {e}"),
                );
                return None;
            }
        }
    } else {
        let id = match (&own_id, properties.get("id")) {
            (Some(geojson::feature::Id::String(s)), _) => s.clone(),
            (Some(geojson::feature::Id::Number(n)), _) => n.to_string(),
            (None, Some(Value::String(s))) => s.clone(),
            (None, Some(Value::Number(n))) => n.to_string(),
            _ => format!("{}-{}", kind.name(), index + 1),
        };
        (id, None)
    };
    let label = || label(at, index, Some(&id));
    if let Err(message) = validate::property_values(kind, &properties) {
        problems.push(
            Severity::Error,
            line,
            Some(label()),
            Some(message.0),
            message.1,
        );
        return None;
    }
    let Some(geometry) = geometry else {
        problems.push(
            Severity::Error,
            line,
            Some(label()),
            Some("geometry"),
            "the feature has no geometry",
        );
        return None;
    };
    let type_name = geometry.type_name();
    if !kind.allowed_geometries().contains(&type_name) {
        problems.push(
            Severity::Error,
            line,
            Some(label()),
            Some("geometry"),
            format!(
                "a {type_name} is not allowed in the {kind} layer (allowed: {})",
                kind.allowed_geometries().join(", ")
            ),
        );
        return None;
    }
    let geometry = match geometry {
        SourceGeometry::Ready(geometry, _) => Ok(geometry),
        SourceGeometry::Json(value) => geometry_of(&value),
    };
    let geometry = match geometry {
        Ok(g) => g,
        Err(message) => {
            problems.push(
                Severity::Error,
                line,
                Some(label()),
                Some("geometry"),
                message,
            );
            return None;
        }
    };
    Some(ParsedFeature {
        id,
        index,
        cadastral_id,
        properties: interner.properties(properties),
        geometry,
        at,
    })
}

/// GeoJSON positions, checked (geo would silently close an open ring), as a geometry.
fn geometry_of(value: &geojson::GeometryValue) -> Result<Geometry<f64>, String> {
    validate::positions(value)?;
    Geometry::<f64>::try_from(value).map_err(|e| e.to_string())
}
