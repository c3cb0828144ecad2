//! Reading one geodata folder: each layer's GeoJSON file, its CRS and axis order, each
//! feature's identifier, properties and geometry, and the reprojection of all of it.
//!
//! Problems are collected, never thrown: one bad feature is reported with its file, line and
//! identifier, and the reader goes on, so a user fixes every problem in one round.

use std::path::Path;

use geo::{GeodesicArea, Geometry, Length};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use time::OffsetDateTime;

use super::crs::{AxisOrder, Crs, Transform};
use super::error::DataError;
use super::manifest::{LayerManifest, Manifest};
use super::model::{numeric_id, Checked, Dataset, Feature, Layer, LayerKind, LayerMeta};
use super::open::{open_regular, read_regular};
use super::parse::{label, parse_window, NotJson, ParsedFeature};
use super::problem::{Problem, Problems, Severity};
use super::properties::Interner;
use super::scan::{self, RawFeature, Scan};
use super::{decide, validate};

/// The top of a GeoJSON file, with each feature left as raw text so that its line can be found.
#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    crs: Option<Value>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

impl Dataset {
    /// Reads, reprojects, validates and indexes every layer in `dir`, reporting every
    /// problem found (errors and warnings) alongside whatever could be read.
    pub fn check(dir: &Path) -> Result<Checked, DataError> {
        read_folder(dir)
    }

    /// Like [`Dataset::check`], but refuses data with errors.
    pub fn load(dir: &Path) -> Result<Dataset, DataError> {
        let checked = Dataset::check(dir)?;
        if checked.has_errors() {
            return Err(DataError::Invalid {
                dir: dir.display().to_string(),
                problems: checked.problems,
            });
        }
        let mut dataset = checked.dataset;
        dataset.warnings = checked.problems;
        Ok(dataset)
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
    if let Ok(bytes) = read_regular(dir, &dir.join(super::manifest::MANIFEST_FILE)) {
        version = hash_part(version, &bytes);
    }
    for kind in LayerKind::ALL {
        let settings = manifest.layer(kind);
        let file = dir.join(settings.file_name(kind));
        let shown = file.display().to_string();
        let cannot_read = |e: std::io::Error| {
            let (severity, message) = if e.kind() == std::io::ErrorKind::NotFound {
                let explicit = manifest.layers.contains_key(kind.name());
                let severity = if kind.required() || explicit {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                (severity, format!("the {kind} layer's file is missing"))
            } else {
                (Severity::Error, format!("cannot read: {e}"))
            };
            Problem {
                severity,
                file: shown.clone(),
                line: None,
                feature: None,
                field: None,
                message,
            }
        };
        let mut sink = Problems {
            file: &shown,
            list: &mut problems,
        };
        let parsed = match stream_layer(kind, dir, &file, &settings, version, &mut sink) {
            Streamed::Parsed(parsed, hashed) => {
                version = hashed;
                parsed
            }
            Streamed::Read(e) => {
                problems.push(cannot_read(e));
                continue;
            }
            // Something unusual in the file: the whole-file parser reports it exactly.
            Streamed::Unusual => {
                let bytes = match read_regular(dir, &file) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        problems.push(cannot_read(e));
                        continue;
                    }
                };
                let (parsed, hashed) = rayon::join(
                    || parse_layer(kind, &file, &bytes, &settings, &mut sink),
                    || hash_part(version, &bytes),
                );
                version = hashed;
                parsed
            }
        };
        layers.extend(parsed.map(|parsed| finish_layer(kind, parsed, &mut sink)));
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

fn hash_part(hash: u64, bytes: &[u8]) -> u64 {
    end_part(fold_bytes(hash, bytes))
}

/// Folds bytes into the hash; a file may be folded piece by piece.
fn fold_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The separator after each file.
fn end_part(hash: u64) -> u64 {
    (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A layer whose features have been parsed (each owning its text) but not yet reprojected,
/// in windows of the file (each window's memory goes as soon as it is reprojected).
struct ParsedLayer {
    meta: LayerMeta,
    windows: Vec<Vec<ParsedFeature>>,
}

enum Streamed {
    /// The layer (None when it has problems that stop it) and the version hash after it.
    Parsed(Option<ParsedLayer>, u64),
    Read(std::io::Error),
    Unusual,
}

/// Reads a layer's file piece by piece (see [`scan`]): only a window of its text is in
/// memory at a time, each window parsed on every core as soon as it is read.
fn stream_layer(
    kind: LayerKind,
    dir: &Path,
    file: &Path,
    settings: &LayerManifest,
    version: u64,
    problems: &mut Problems,
) -> Streamed {
    let reader = match open_regular(dir, file) {
        Ok(reader) => reader,
        Err(e) => return Streamed::Read(e),
    };
    let interner = Interner::new();
    let mut windows = Vec::new();
    // Kept aside: a problem with the file as a whole (its type, its CRS) replaces them.
    let mut feature_problems = Vec::new();
    let mut sink = Problems {
        file: problems.file,
        list: &mut feature_problems,
    };
    let size = reader.metadata().ok().map(|m| m.len());
    let scanned = scan::scan(reader, size, version, fold_bytes, |raw, first| {
        let window = parse_window(kind, raw, first, settings, &interner, false, &mut sink)
            .map_err(|NotJson| ())?;
        windows.push(window);
        Ok(())
    });
    let (header, hash) = match scanned {
        Scan::Done { header, hash } => (header, end_part(hash)),
        Scan::Read(e) => return Streamed::Read(e),
        Scan::Unusual => return Streamed::Unusual,
    };
    if !is_collection(header.kind.as_deref(), problems) {
        return Streamed::Parsed(None, hash);
    }
    let layer = decide_layer(
        kind,
        file,
        header.crs.as_ref(),
        settings,
        windows,
        feature_problems,
        problems,
    );
    Streamed::Parsed(layer, hash)
}

fn is_collection(kind: Option<&str>, problems: &mut Problems) -> bool {
    if kind == Some("FeatureCollection") {
        return true;
    }
    problems.file_error(
        None,
        format!(
            "not GeoJSON: a layer file must be a FeatureCollection, found type {}",
            kind.unwrap_or("(none)")
        ),
    );
    false
}

/// Reads a whole layer file at once: the path for files the scanner finds unusual, which
/// reports their problems exactly as serde finds them. Nothing returned borrows the text.
fn parse_layer(
    kind: LayerKind,
    file: &Path,
    bytes: &[u8],
    settings: &LayerManifest,
    problems: &mut Problems,
) -> Option<ParsedLayer> {
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
    if !is_collection(collection.kind.as_deref(), problems) {
        return None;
    }
    let Some(raw_features) = collection.features else {
        problems.file_error(
            None,
            "not GeoJSON: the FeatureCollection has no `features` array",
        );
        return None;
    };
    // Each feature's line, counted in one pass (offsets only grow), not from the start each time.
    let raw = feature_lines(text, &raw_features);
    drop(raw_features);
    let mut feature_problems = Vec::new();
    let mut sink = Problems {
        file: problems.file,
        list: &mut feature_problems,
    };
    let interner = Interner::new();
    // The whole text is JSON: parse_window cannot find a feature that is not.
    let window = parse_window(kind, &raw, 0, settings, &interner, true, &mut sink).ok()?;
    drop(raw);
    decide_layer(
        kind,
        file,
        collection.crs.as_ref(),
        settings,
        vec![window],
        feature_problems,
        problems,
    )
}

/// Decides a parsed layer's CRS and axis order; reports the features' problems unless the
/// layer's CRS is already a problem.
fn decide_layer(
    kind: LayerKind,
    file: &Path,
    crs_member: Option<&Value>,
    settings: &LayerManifest,
    windows: Vec<Vec<ParsedFeature>>,
    mut feature_problems: Vec<Problem>,
    problems: &mut Problems,
) -> Option<ParsedLayer> {
    let (crs, crs_source) = match decide::crs(crs_member, settings) {
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
    problems.list.append(&mut feature_problems);
    let (axis_order, axis_reason) = decide::axis_order(
        &crs,
        settings,
        first_coord(&windows),
        &to_lonlat,
        crs.area_of_use(),
    );
    let meta = LayerMeta {
        kind,
        file: file.to_path_buf(),
        crs,
        crs_source,
        axis_order,
        axis_reason,
    };
    Some(ParsedLayer { meta, windows })
}

/// Puts every parsed feature of a layer in its axis order, reprojects, validates, measures
/// and indexes it (in parallel).
fn finish_layer(kind: LayerKind, layer: ParsedLayer, problems: &mut Problems) -> Layer {
    let ParsedLayer { meta, windows } = layer;
    let file_name = problems.file;
    let area_of_use = meta.crs.area_of_use();
    let axis_order = meta.axis_order;
    // PROJ objects are not Send, and building one costs about a millisecond: each worker
    // builds its transform once per piece of a few thousand features, on its own thread.
    // It was built once before, so it cannot fail here unless PROJ itself does.
    let crs = &meta.crs;
    let total = windows.iter().map(Vec::len).sum();
    let mut outcomes: Vec<Result<Feature, Problem>> = Vec::with_capacity(total);
    for window in windows {
        // One piece per core and window: a window is large enough to share well.
        let chunk = (window.len() / rayon::current_num_threads()).max(2048);
        // Written straight into `outcomes`' spare room, in order; the window's own
        // memory goes as soon as it is done.
        outcomes.par_extend(window.into_par_iter().with_min_len(chunk).map_init(
            || Transform::new(crs, &Crs::Epsg(4326)),
            |to_lonlat, p| {
                let problem = |line, label, message: String| Problem {
                    severity: Severity::Error,
                    file: file_name.to_string(),
                    line: Some(line),
                    feature: Some(label),
                    field: None,
                    message,
                };
                let to_lonlat = match to_lonlat {
                    Ok(t) => &*t,
                    Err(e) => return Err(problem(p.line, p.label(), e.to_string())),
                };
                finish_feature(kind, p, axis_order, to_lonlat, crs, area_of_use)
                    .map_err(|(line, label, message)| problem(line, label, message))
            },
        ));
    }
    // In place: the outcomes' allocation becomes the features'.
    let features: Vec<Feature> = outcomes
        .into_iter()
        .filter_map(|outcome| match outcome {
            Ok(feature) => Some(feature),
            Err(problem) => {
                problems.list.push(problem);
                None
            }
        })
        .collect();
    Layer::new(meta, features)
}

/// Each raw feature with the line it starts on, counting newlines once through the text.
fn feature_lines<'a>(text: &str, raw: &[&'a RawValue]) -> Vec<RawFeature<'a>> {
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
            RawFeature {
                text: r.get(),
                line,
            }
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
    let fail = |message: String| (p.line, label(p.index, &p.id), message);
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
fn first_coord(windows: &[Vec<ParsedFeature>]) -> Option<geo::Coord<f64>> {
    windows
        .iter()
        .flatten()
        .find_map(|f| geo::CoordsIter::coords_iter(&f.geometry).next())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What reading a plots file gives: the problems, the features' ids and lines, the hash.
    type Outcome = (Vec<Problem>, Vec<(String, usize)>, u64);

    fn outcome(parsed: Option<ParsedLayer>, problems: Vec<Problem>, hash: u64) -> Outcome {
        let mut problems = problems;
        let features = parsed
            .map(|p| {
                let mut sink = Problems {
                    file: "plots.geojson",
                    list: &mut problems,
                };
                finish_layer(LayerKind::Plots, p, &mut sink)
                    .features
                    .iter()
                    .map(|f| (f.id.clone(), f.line))
                    .collect()
            })
            .unwrap_or_default();
        (problems, features, hash)
    }

    fn streamed(file: &Path) -> Option<Outcome> {
        let mut problems = Vec::new();
        let mut sink = Problems {
            file: "plots.geojson",
            list: &mut problems,
        };
        let settings = LayerManifest::default();
        match stream_layer(
            LayerKind::Plots,
            file.parent().unwrap(),
            file,
            &settings,
            1,
            &mut sink,
        ) {
            Streamed::Parsed(parsed, hash) => Some(outcome(parsed, problems, hash)),
            Streamed::Read(e) => panic!("{e}"),
            Streamed::Unusual => None,
        }
    }

    fn whole(file: &Path) -> Outcome {
        let bytes = std::fs::read(file).unwrap();
        let mut problems = Vec::new();
        let mut sink = Problems {
            file: "plots.geojson",
            list: &mut problems,
        };
        let settings = LayerManifest::default();
        let parsed = parse_layer(LayerKind::Plots, file, &bytes, &settings, &mut sink);
        outcome(parsed, problems, hash_part(1, &bytes))
    }

    #[test]
    fn reading_in_pieces_reports_exactly_what_reading_whole_does() {
        let plot = |id: &str, e: f64| {
            format!(
                r#"{{"type": "Feature", "properties": {{"cadastral_id": "{id}", "status": "sold"}},
 "geometry": {{"type": "Polygon", "coordinates": [[[{e},4693000],[{e1},4693000],[{e1},4693080],[{e},4693000]]]}}}}"#,
                e1 = e + 100.0
            )
        };
        let features = [
            plot("27214.33.1", 510000.0),
            plot("27214.33.x", 510200.0),
            r#"{"type": "Feature", "properties": {"cadastral_id": "27214.33.3"}, "geometry": null}"#
                .to_string(),
            r#"{"type": "Feature", "properties": {"cadastral_id": "27214.33.4", "status": "gone"}}"#
                .to_string(),
            r#"{"type": "Nope"}"#.to_string(),
            plot("27214.33.6", 9e9),
            "42".to_string(),
            plot("27214.33.8", 510400.0),
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plots.geojson");
        let crs =
            r#""crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::7801"}}"#;
        for text in [
            format!(
                "{{\"type\": \"FeatureCollection\", {crs},\n\"features\": [\n{}\n]}}\n",
                features.join(",\n")
            ),
            // The CRS after the features, and no CRS at all.
            format!(
                "{{\"features\": [{}],\n {crs}, \"type\": \"FeatureCollection\"}}",
                features.join(",")
            ),
            format!(
                "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
                features.join(",")
            ),
            format!(
                "{{\"type\": \"Collection\", \"features\": [{}]}}",
                features.join(",")
            ),
        ] {
            std::fs::write(&file, &text).unwrap();
            let streamed = streamed(&file).expect("the scanner reads this file");
            let whole = whole(&file);
            assert_eq!(streamed, whole, "{text}");
            assert!(!whole.0.is_empty());
        }
    }
}
