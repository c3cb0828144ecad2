//! Reading one geodata folder: each layer's GeoJSON file, its CRS and axis order, each
//! feature's identifier, properties and geometry, and the reprojection of all of it.
//!
//! Problems are collected, never thrown: one bad feature is reported with its file, line and
//! identifier, and the reader goes on, so a user fixes every problem in one round.

use std::path::{Path, PathBuf};

use geo::{GeodesicArea, Geometry, Length};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::crs::{AxisOrder, Crs, Transform};
use super::manifest::{LayerManifest, Manifest};
use super::{decide, validate};
use super::{
    numeric_id, CadastralId, Checked, CrsSource, DataError, Dataset, Feature, Layer, LayerKind,
    Problem, Severity,
};

/// What was decided about a layer before its features were read.
pub(super) struct LayerMeta {
    pub kind: LayerKind,
    pub file: PathBuf,
    pub crs: Crs,
    pub crs_source: CrsSource,
    pub axis_order: AxisOrder,
    pub axis_reason: String,
}

/// The top of a GeoJSON file, with each feature left as raw text so that its line can be found.
#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    crs: Option<Value>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

/// Collects problems for one file.
struct Problems<'a> {
    file: &'a str,
    list: &'a mut Vec<Problem>,
}

impl Problems<'_> {
    fn push(
        &mut self,
        severity: Severity,
        line: Option<usize>,
        feature: Option<String>,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(Problem {
            severity,
            file: self.file.to_string(),
            line,
            feature,
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    fn file_error(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.push(Severity::Error, line, None, None, message);
    }
}

pub(super) fn read_folder(dir: &Path) -> Result<Checked, DataError> {
    let manifest = Manifest::read(dir)?;
    // Every layer needs this transform (built per worker thread): fail early if PROJ cannot.
    Transform::new(&Crs::Epsg(4326), &Crs::Epsg(3857))?;
    let mut problems = Vec::new();
    let mut layers = Vec::new();
    // The version hash is folded in file by file, so no file's bytes outlive its reading.
    let mut version = VERSION_HASH_START;
    if let Ok(bytes) = std::fs::read(dir.join(super::manifest::MANIFEST_FILE)) {
        version = hash_part(version, &bytes);
    }
    for kind in LayerKind::ALL {
        let settings = manifest.layer(kind);
        let file = dir.join(settings.file_name(kind));
        let shown = file.display().to_string();
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let explicit = manifest.layers.contains_key(kind.name());
                let severity = if kind.required() || explicit {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                problems.push(Problem {
                    severity,
                    file: shown,
                    line: None,
                    feature: None,
                    field: None,
                    message: format!("the {kind} layer's file is missing"),
                });
                continue;
            }
            Err(e) => {
                problems.push(Problem {
                    severity: Severity::Error,
                    file: shown,
                    line: None,
                    feature: None,
                    field: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let mut sink = Problems {
            file: &shown,
            list: &mut problems,
        };
        // Hashing a large file is sequential work: it runs beside the parallel reading.
        let (layer, hashed) = rayon::join(
            || read_layer(kind, &file, &bytes, &settings, &mut sink),
            || hash_part(version, &bytes),
        );
        version = hashed;
        layers.extend(layer);
    }
    validate::check_duplicates(&layers, &mut problems);
    validate::check_declared_areas(&layers, &mut problems);
    let dataset = Dataset {
        dir: dir.to_path_buf(),
        layers,
        version: format!("{version:016x}"),
        loaded_at: OffsetDateTime::now_utc(),
        warnings: Vec::new(),
    };
    Ok(Checked { dataset, problems })
}

/// The data version: FNV-1a over each file's bytes with a separator after each, folded one
/// file at a time.
const VERSION_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

fn hash_part(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= 0xff;
    hash.wrapping_mul(0x0100_0000_01b3)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn read_layer(
    kind: LayerKind,
    file: &Path,
    bytes: &[u8],
    settings: &LayerManifest,
    problems: &mut Problems,
) -> Option<Layer> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = line_of(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                usize::MAX,
            );
            problems.file_error(Some(line), format!("not UTF-8 text: {e}"));
            return None;
        }
    };
    let collection: RawCollection = match serde_json::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            let what = if e.is_data() {
                "not GeoJSON"
            } else {
                "not JSON"
            };
            problems.file_error(Some(e.line()), format!("{what}: {e}"));
            return None;
        }
    };
    if collection.kind.as_deref() != Some("FeatureCollection") {
        problems.file_error(
            None,
            format!(
                "not GeoJSON: a layer file must be a FeatureCollection, found type {}",
                collection.kind.as_deref().unwrap_or("(none)")
            ),
        );
        return None;
    }
    let Some(raw_features) = collection.features else {
        problems.file_error(
            None,
            "not GeoJSON: the FeatureCollection has no `features` array",
        );
        return None;
    };
    let (crs, crs_source) = match decide::crs(collection.crs.as_ref(), settings) {
        Ok(decided) => decided,
        Err(message) => {
            problems.push(Severity::Error, None, None, Some("crs"), message);
            return None;
        }
    };
    let to_lonlat = match Transform::new(&crs, &Crs::Epsg(4326)) {
        Ok(t) => t,
        Err(e) => {
            problems.file_error(None, e.to_string());
            return None;
        }
    };
    let area_of_use = crs.area_of_use();

    // Each feature's line, counted in one pass (offsets only grow), not from the start each time.
    let lines = feature_lines(text, &raw_features);
    let file_name = problems.file;
    // Parsing and reprojecting are independent per feature: both cores share them. Each
    // feature's problems are kept with it and appended in file order afterwards, so the
    // report reads exactly as a sequential read would write it.
    let parsed: Vec<(Option<ParsedFeature>, Vec<Problem>)> = raw_features
        .par_iter()
        .zip(lines.par_iter())
        .enumerate()
        .with_min_len(256)
        .map(|(index, (raw, &line))| {
            let mut list = Vec::new();
            let mut sink = Problems {
                file: file_name,
                list: &mut list,
            };
            let parsed = parse_feature(kind, index, line, raw.get(), settings, &mut sink);
            (parsed, list)
        })
        .collect();
    drop(raw_features);
    let mut kept = Vec::with_capacity(parsed.len());
    for (feature, mut list) in parsed {
        problems.list.append(&mut list);
        kept.extend(feature);
    }
    let parsed = kept;

    let (axis_order, axis_reason) = decide::axis_order(
        &crs,
        settings,
        first_coord(&parsed),
        &to_lonlat,
        area_of_use,
    );
    drop(to_lonlat);
    // PROJ objects are not Send, and building one costs about a millisecond: each worker
    // builds its transform once per chunk of a few thousand features, on its own thread. It
    // was built once above, so it cannot fail here unless PROJ itself does.
    let chunk = (parsed.len() / (rayon::current_num_threads() * 2)).max(2048);
    let crs_ref = &crs;
    let outcomes: Vec<Result<Feature, Problem>> = parsed
        .into_par_iter()
        .chunks(chunk)
        .flat_map_iter(|features| {
            let crs = crs_ref;
            let to_lonlat = Transform::new(crs, &Crs::Epsg(4326));
            features.into_iter().map(move |p| {
                let problem = |line, label, message: String| Problem {
                    severity: Severity::Error,
                    file: file_name.to_string(),
                    line: Some(line),
                    feature: Some(label),
                    field: None,
                    message,
                };
                let to_lonlat = match &to_lonlat {
                    Ok(t) => t,
                    Err(e) => return Err(problem(p.line, p.label, e.to_string())),
                };
                finish_feature(kind, p, axis_order, to_lonlat, crs, area_of_use)
                    .map_err(|(line, label, message)| problem(line, label, message))
            })
        })
        .collect();
    let mut features = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(feature) => features.push(feature),
            Err(problem) => problems.list.push(problem),
        }
    }
    let meta = LayerMeta {
        kind,
        file: file.to_path_buf(),
        crs,
        crs_source,
        axis_order,
        axis_reason,
    };
    Some(Layer::new(meta, features))
}

/// The line each raw feature starts on, counting newlines once through the text.
fn feature_lines(text: &str, raw: &[&RawValue]) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut at = 0;
    raw.iter()
        .map(|r| {
            let offset = (r.get().as_ptr() as usize - text.as_ptr() as usize).min(bytes.len());
            if offset >= at {
                line += bytes[at..offset].iter().filter(|&&b| b == b'\n').count();
                at = offset;
            }
            line
        })
        .collect()
}

/// Puts a parsed feature in its axis order, reprojects and validates it, and measures it;
/// or says (line, feature, message) why not.
fn finish_feature(
    kind: LayerKind,
    p: ParsedFeature,
    axis_order: AxisOrder,
    to_lonlat: &Transform,
    crs: &Crs,
    area_of_use: Option<[f64; 4]>,
) -> Result<Feature, (usize, String, String)> {
    let source = match axis_order {
        AxisOrder::EastNorth => p.geometry,
        AxisOrder::NorthEast => decide::swap_axes(&p.geometry),
    };
    let fail = |message: String| (p.line, p.label.clone(), message);
    let lonlat = to_lonlat
        .geometry(&source)
        .map_err(|e| fail(e.to_string()))?;
    if let Some(area) = area_of_use {
        if let Some(outside) = validate::outside_area(&lonlat, area) {
            return Err(fail(format!(
                "coordinates outside the area of use of {crs} ({outside}); wrong CRS or axis order?"
            )));
        }
    }
    validate::geometry(&source).map_err(fail)?;
    let area_m2 = matches!(lonlat, Geometry::Polygon(_) | Geometry::MultiPolygon(_))
        .then(|| lonlat.geodesic_area_unsigned());
    let length_m = match &lonlat {
        Geometry::LineString(l) => Some(geo::Geodesic.length(l)),
        Geometry::MultiLineString(m) => Some(m.0.iter().map(|l| geo::Geodesic.length(l)).sum()),
        _ => None,
    };
    Ok(Feature {
        numeric_id: numeric_id(kind, &p.id),
        id: p.id,
        cadastral_id: p.cadastral_id,
        properties: p.properties,
        source,
        lonlat,
        area_m2,
        length_m,
        line: p.line,
    })
}

/// The first coordinate of the first feature, the sample the axis order is decided on.
fn first_coord(features: &[ParsedFeature]) -> Option<geo::Coord<f64>> {
    features
        .iter()
        .find_map(|f| geo::CoordsIter::coords_iter(&f.geometry).next())
}

/// A feature whose identifier, properties and geometry have been read but not yet reprojected.
struct ParsedFeature {
    id: String,
    label: String,
    cadastral_id: Option<CadastralId>,
    properties: Map<String, Value>,
    geometry: Geometry<f64>,
    line: usize,
}

fn parse_feature(
    kind: LayerKind,
    index: usize,
    line: usize,
    raw: &str,
    settings: &LayerManifest,
    problems: &mut Problems,
) -> Option<ParsedFeature> {
    let position = format!("feature {}", index + 1);
    let feature: geojson::Feature = match serde_json::from_str(raw) {
        Ok(f) => f,
        Err(e) => {
            problems.push(
                Severity::Error,
                Some(line + e.line() - 1),
                Some(position),
                None,
                format!("not a GeoJSON Feature: {e}"),
            );
            return None;
        }
    };
    let mut properties = Map::new();
    for (name, value) in feature.properties.unwrap_or_default() {
        properties.insert(settings.canonical_field(kind, &name).to_string(), value);
    }
    let (id, cadastral_id) = if kind == LayerKind::Plots {
        let Some(value) = properties.get("cadastral_id") else {
            problems.push(
                Severity::Error,
                Some(line),
                Some(position),
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
                    Some(line),
                    Some(format!("{position} ({text})")),
                    Some("cadastral_id"),
                    format!("malformed cadastral identifier {text:?}: {e}"),
                );
                return None;
            }
        }
    } else {
        let id = match (&feature.id, properties.get("id")) {
            (Some(geojson::feature::Id::String(s)), _) => s.clone(),
            (Some(geojson::feature::Id::Number(n)), _) => n.to_string(),
            (None, Some(Value::String(s))) => s.clone(),
            (None, Some(Value::Number(n))) => n.to_string(),
            _ => format!("{}-{}", kind.name(), index + 1),
        };
        (id, None)
    };
    let label = format!("{position} ({id})");
    if let Err(message) = validate::property_values(kind, &properties) {
        problems.push(
            Severity::Error,
            Some(line),
            Some(label),
            Some(message.0),
            message.1,
        );
        return None;
    }
    let Some(geometry) = feature.geometry else {
        problems.push(
            Severity::Error,
            Some(line),
            Some(label),
            Some("geometry"),
            "the feature has no geometry",
        );
        return None;
    };
    let type_name = geometry.value.type_name();
    if !kind.allowed_geometries().contains(&type_name) {
        problems.push(
            Severity::Error,
            Some(line),
            Some(label),
            Some("geometry"),
            format!(
                "a {type_name} is not allowed in the {kind} layer (allowed: {})",
                kind.allowed_geometries().join(", ")
            ),
        );
        return None;
    }
    if let Err(message) = validate::positions(&geometry.value) {
        problems.push(
            Severity::Error,
            Some(line),
            Some(label),
            Some("geometry"),
            message,
        );
        return None;
    }
    let geometry = match Geometry::<f64>::try_from(&geometry.value) {
        Ok(g) => g,
        Err(e) => {
            problems.push(
                Severity::Error,
                Some(line),
                Some(label),
                Some("geometry"),
                e.to_string(),
            );
            return None;
        }
    };
    Some(ParsedFeature {
        id,
        label,
        cadastral_id,
        properties,
        geometry,
        line,
    })
}
