//! Reading one geodata folder: each layer through its layer source (see [`super::source`]),
//! its CRS and axis order, each feature's identifier, properties and geometry, and the
//! reprojection of all of it.
//!
//! Problems are collected, never thrown: one bad feature is reported with its file, location
//! and identifier, and the reader goes on, so a user fixes every problem in one round.

use std::path::Path;

use geo::{GeodesicArea, Geometry, Length};
use rayon::prelude::*;
use time::OffsetDateTime;

use super::crs::{AxisOrder, Crs, Transform};
use super::error::DataError;
use super::manifest::{LayerManifest, Manifest};
use super::model::{numeric_id, Checked, Dataset, Feature, Layer, LayerKind, LayerMeta, Location};
use super::open::read_regular;
use super::parse::{label, ParsedFeature};
use super::problem::{Problem, Problems, Severity};
use super::source::{self, hash_part, Outcome, Records, VERSION_HASH_START};
use super::{decide, select, validate};

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
    // The built-in layers first (the stages before any layer `within` them), then the extras.
    for kind in LayerKind::ALL.into_iter().chain(manifest.extras()) {
        let settings = manifest.layer(kind);
        let source = source::for_layer(kind, dir, &settings);
        let shown = source.file().display().to_string();
        let progress = super::progress::LayerProgress::start(kind.name(), source.file());
        let mut sink = Problems {
            file: &shown,
            list: &mut problems,
        };
        let records = match source.read(version, &mut sink, &progress) {
            Outcome::Read(records, hashed) => {
                version = hashed;
                records
            }
            Outcome::Unreadable(e) => {
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
                sink.push(severity, None, None, None, message);
                progress.finish(None);
                continue;
            }
        };
        let parsed = records
            .and_then(|records| decide_layer(kind, source.file(), records, &settings, &mut sink));
        let layer = parsed.map(|parsed| finish_layer(kind, parsed, &mut sink));
        let layer = layer.map(|layer| select::apply(layer, &settings, &layers, &mut sink));
        progress.finish(layer.as_ref().map(|l| l.features.len()));
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

/// A layer whose features have been parsed (each owning its text) but not yet reprojected,
/// in windows of the file (each window's memory goes as soon as it is reprojected).
struct ParsedLayer {
    meta: LayerMeta,
    windows: Vec<Vec<ParsedFeature>>,
}

/// Decides a read layer's CRS and axis order; reports the records' problems unless the
/// layer's CRS is already a problem.
fn decide_layer(
    kind: LayerKind,
    file: &Path,
    records: Records,
    settings: &LayerManifest,
    problems: &mut Problems,
) -> Option<ParsedLayer> {
    let Records {
        crs,
        locating,
        windows,
        mut feature_problems,
    } = records;
    let (crs, crs_source) = match crs {
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
        locating,
        title: settings.title.clone(),
        title_en: settings.title_en.clone(),
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
                let problem = |at: Location, label, message: String| Problem {
                    severity: Severity::Error,
                    file: file_name.to_string(),
                    line: at.line(),
                    feature: Some(label),
                    field: None,
                    message,
                };
                let to_lonlat = match to_lonlat {
                    Ok(t) => &*t,
                    Err(e) => return Err(problem(p.at, p.label(), e.to_string())),
                };
                finish_feature(kind, p, axis_order, to_lonlat, crs, area_of_use)
                    .map_err(|(at, label, message)| problem(at, label, message))
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

/// Puts a parsed feature in its axis order, reprojects and validates it, and measures it;
/// or says (location, feature, message) why not.
fn finish_feature(
    kind: LayerKind,
    p: ParsedFeature,
    axis_order: AxisOrder,
    to_lonlat: &Transform,
    crs: &Crs,
    area_of_use: Option<[f64; 4]>,
) -> Result<Feature, (Location, String, String)> {
    // Captures only the fields it names (the geometry moves below).
    let fail = |message: String| (p.at, label(p.at, p.index, Some(&p.id)), message);
    let source = match axis_order {
        AxisOrder::EastNorth => p.geometry,
        AxisOrder::NorthEast => decide::swap_axes(&p.geometry),
    };
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
        line: p.at.number(),
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
    use super::source::{GeoJsonFile, LayerSource};
    use super::*;

    /// What reading a plots file gives: the problems, the features' ids and lines, the hash.
    type Read = (Vec<Problem>, Vec<(String, usize)>, u64);

    fn outcome(records: Option<Records>, problems: Vec<Problem>, hash: u64) -> Read {
        let mut problems = problems;
        let settings = LayerManifest::default();
        let mut sink = Problems {
            file: "plots.geojson",
            list: &mut problems,
        };
        let parsed = records.and_then(|r| {
            decide_layer(
                LayerKind::Plots,
                Path::new("plots.geojson"),
                r,
                &settings,
                &mut sink,
            )
        });
        let features = parsed
            .map(|p| {
                finish_layer(LayerKind::Plots, p, &mut sink)
                    .features
                    .iter()
                    .map(|f| (f.id.clone(), f.line))
                    .collect()
            })
            .unwrap_or_default();
        (problems, features, hash)
    }

    fn source<'a>(file: &'a Path, settings: &'a LayerManifest) -> GeoJsonFile<'a> {
        GeoJsonFile {
            kind: LayerKind::Plots,
            dir: file.parent().unwrap(),
            file: file.to_path_buf(),
            settings,
        }
    }

    fn read(file: &Path) -> Read {
        let mut problems = Vec::new();
        let mut sink = Problems {
            file: "plots.geojson",
            list: &mut problems,
        };
        let settings = LayerManifest::default();
        let progress = super::super::progress::LayerProgress::start("plots", file);
        match source(file, &settings).read(1, &mut sink, &progress) {
            Outcome::Read(records, hash) => outcome(records, problems, hash),
            Outcome::Unreadable(e) => panic!("{e}"),
        }
    }

    #[test]
    fn every_feature_and_problem_has_the_line_the_feature_starts_on_in_any_member_order() {
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
            // The CRS after the features.
            format!(
                "{{\"features\": [{}],\n {crs}, \"type\": \"FeatureCollection\"}}",
                features.join(",")
            ),
            format!(
                "{{\"type\": \"Collection\", \"features\": [{}]}}",
                features.join(",")
            ),
        ] {
            std::fs::write(&file, &text).unwrap();
            let (problems, features, hash) = read(&file);
            let line_of = |marker: &str| {
                let at = text.find(marker).unwrap();
                1 + text[..at].matches('\n').count()
            };
            assert_eq!(
                hash,
                hash_part(1, text.as_bytes()),
                "every byte in the version"
            );
            if text.contains("\"Collection\"") {
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert!(problems[0].message.contains("found type Collection"));
                continue;
            }
            let good = ["27214.33.1", "27214.33.8"];
            let expected: Vec<_> = good
                .iter()
                .map(|id| (id.to_string(), line_of(id)))
                .collect();
            assert_eq!(features, expected, "{text}");
            let bad = [
                "27214.33.x",
                "27214.33.3",
                "27214.33.4",
                "Nope",
                "27214.33.6",
                "42,",
            ];
            // Parse problems come first, then those found later (the coordinates).
            let mut lines: Vec<_> = problems.iter().map(|p| p.line).collect();
            lines.sort();
            let expected: Vec<_> = bad.iter().map(|marker| Some(line_of(marker))).collect();
            assert_eq!(lines, expected, "{problems:?}");
        }
    }
}
