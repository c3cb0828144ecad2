//! The zone's geodata: reading GeoJSON layers, deciding their CRS and axis order,
//! reprojecting them with PROJ, validating them and indexing them.
//!
//! A [`Dataset`] is immutable once built: [`Dataset::load`] reads a whole folder, and
//! either every layer is good or the caller gets every [`Problem`] found, each naming
//! the file, the feature (and line) and the field. Nothing downstream re-validates.

pub mod cadastral;
pub mod crs;
mod decide;
pub mod manifest;
mod parse;
pub mod properties;
mod read;
pub mod report;
mod scan;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use geo::{Geometry, Rect};
use rayon::slice::ParallelSliceMut;
use time::OffsetDateTime;

pub use cadastral::{CadastralId, CadastralIdError};
pub use crs::{AxisOrder, Crs, CrsError, Transform};
pub use properties::{PropValue, Properties};

use crate::index::LayerIndex;

/// The layers of the zone, in drawing order (bottom first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Stages,
    Plots,
    Roads,
    Rail,
    Poi,
}

impl LayerKind {
    pub const ALL: [LayerKind; 5] = [
        LayerKind::Stages,
        LayerKind::Plots,
        LayerKind::Roads,
        LayerKind::Rail,
        LayerKind::Poi,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LayerKind::Stages => "stages",
            LayerKind::Plots => "plots",
            LayerKind::Roads => "roads",
            LayerKind::Rail => "rail",
            LayerKind::Poi => "poi",
        }
    }

    pub fn from_name(name: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The GeoJSON geometry types a layer accepts.
    pub fn allowed_geometries(self) -> &'static [&'static str] {
        match self {
            LayerKind::Stages | LayerKind::Plots => &["Polygon", "MultiPolygon"],
            LayerKind::Roads | LayerKind::Rail => &["LineString", "MultiLineString"],
            LayerKind::Poi => &["Point"],
        }
    }

    /// Whether the service cannot work without this layer.
    pub fn required(self) -> bool {
        self == LayerKind::Plots
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One feature, in its source CRS and in WGS84 (tiles project WGS84 to Web Mercator as
/// they encode: a stored copy would cost a third of the geometry memory).
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature's identifier: the cadastral identifier for plots, else the GeoJSON `id`
    /// (or `id` property), else `<layer>-<n>`.
    pub id: String,
    /// A stable numeric id (the same for the same layer and identifier in every run),
    /// below 2^53 so JavaScript clients (`setFeatureState`) keep it exact.
    pub numeric_id: u64,
    /// The parsed cadastral identifier (plots only).
    pub cadastral_id: Option<CadastralId>,
    /// Properties under the service's field names (see [`manifest`]), in the file's order.
    pub properties: Properties,
    /// Geometry in the source CRS, easting first, exactly as read (for output in that CRS).
    pub source: Geometry<f64>,
    /// Geometry in WGS84 longitude/latitude.
    pub lonlat: Geometry<f64>,
    /// Geodesic area on the WGS84 ellipsoid, m² (polygons).
    pub area_m2: Option<f64>,
    /// Geodesic length on the WGS84 ellipsoid, m (lines).
    pub length_m: Option<f64>,
    /// Line of the source file where the feature starts.
    pub line: usize,
}

impl Feature {
    /// A property as a string, if it is one.
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(PropValue::as_str)
    }

    /// A property as a number, if it is one.
    pub fn num_prop(&self, name: &str) -> Option<f64> {
        self.properties.get(name).and_then(PropValue::as_f64)
    }

    /// The stage a plot or stage outline belongs to.
    pub fn stage(&self) -> Option<i64> {
        self.properties.get("stage").and_then(PropValue::as_i64)
    }
}

/// How a layer's CRS was decided, for the check report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrsSource {
    /// The file's own `crs` member.
    FileMember,
    /// The layer's entry in `manifest.toml`.
    Manifest,
    /// Neither said: RFC 7946's WGS84 default.
    Rfc7946Default,
}

impl fmt::Display for CrsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrsSource::FileMember => "from the file's crs member",
            CrsSource::Manifest => "from manifest.toml",
            CrsSource::Rfc7946Default => "no crs given: WGS84 per RFC 7946",
        })
    }
}

/// One layer, read and indexed.
#[derive(Debug)]
pub struct Layer {
    pub kind: LayerKind,
    pub file: PathBuf,
    pub source_crs: Crs,
    pub crs_source: CrsSource,
    pub axis_order: AxisOrder,
    /// Why that axis order was assumed, in words.
    pub axis_reason: String,
    pub features: Vec<Feature>,
    /// Extent in WGS84 longitude/latitude (None when the layer is empty).
    pub extent: Option<Rect<f64>>,
    pub index: LayerIndex,
    /// Positions in `features`, ordered by identifier (then position): the identifier
    /// lookup, without a second copy of every identifier.
    by_id: Vec<usize>,
}

impl Layer {
    fn new(meta: read::LayerMeta, features: Vec<Feature>) -> Layer {
        let index = LayerIndex::build(&features);
        let extent = index.extent();
        let mut by_id: Vec<usize> = (0..features.len()).collect();
        // Stable: of features sharing an identifier (an error the check reports), the last
        // one is found, as a map filled in file order would find it.
        by_id.par_sort_by(|&a, &b| features[a].id.cmp(&features[b].id));
        Layer {
            kind: meta.kind,
            file: meta.file,
            source_crs: meta.crs,
            crs_source: meta.crs_source,
            axis_order: meta.axis_order,
            axis_reason: meta.axis_reason,
            features,
            extent,
            index,
            by_id,
        }
    }

    /// The position in [`Layer::features`] of the feature with this identifier.
    pub fn position(&self, id: &str) -> Option<usize> {
        let after = self
            .by_id
            .partition_point(|&i| self.features[i].id.as_str() <= id);
        let last = *self.by_id.get(after.checked_sub(1)?)?;
        (self.features[last].id == id).then_some(last)
    }

    /// The feature with this identifier.
    pub fn get(&self, id: &str) -> Option<&Feature> {
        self.position(id).map(|i| &self.features[i])
    }
}

/// How serious a problem in the data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing wrong with the data, located as precisely as the reader can.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// "feature 3 (27214.33.1)"
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(feature) = &self.feature {
            write!(f, ": {feature}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a folder could not become a [`Dataset`].
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{} error(s) in {dir}:\n{}", .problems.iter().filter(|p| p.severity == Severity::Error).count(), list(.problems))]
    Invalid { dir: String, problems: Vec<Problem> },
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
    #[error("PROJ cannot build the transforms the service needs: {0}")]
    Proj(#[from] CrsError),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every layer of the zone, validated, reprojected and indexed.
#[derive(Debug)]
pub struct Dataset {
    pub dir: PathBuf,
    /// Layers present in the folder, in [`LayerKind`] order.
    pub layers: Vec<Layer>,
    /// A short content hash of every file read: changes exactly when the data does.
    pub version: String,
    pub loaded_at: OffsetDateTime,
    /// Warnings found while loading (errors never make it into a Dataset).
    pub warnings: Vec<Problem>,
}

/// The result of reading a folder: what could be read, and everything wrong with it.
#[derive(Debug)]
pub struct Checked {
    pub dataset: Dataset,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

impl Dataset {
    /// Reads, reprojects, validates and indexes every layer in `dir`, reporting every
    /// problem found (errors and warnings) alongside whatever could be read.
    pub fn check(dir: &Path) -> Result<Checked, DataError> {
        read::read_folder(dir)
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

    pub fn layer(&self, kind: LayerKind) -> Option<&Layer> {
        self.layers.iter().find(|l| l.kind == kind)
    }

    /// The plots layer's feature with this cadastral identifier.
    pub fn plot(&self, id: &CadastralId) -> Option<&Feature> {
        self.layer(LayerKind::Plots)?.get(&id.to_string())
    }

    /// Extent of all layers in WGS84.
    pub fn extent(&self) -> Option<Rect<f64>> {
        self.layers.iter().filter_map(|l| l.extent).reduce(|a, b| {
            Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
    }

    /// Feature counts per layer, for `/health` and the report.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.layers
            .iter()
            .map(|l| (l.kind.name(), l.features.len()))
            .collect()
    }
}

/// A stable 53-bit id from a layer name and a feature identifier (FNV-1a, 64-bit, masked).
pub(crate) fn numeric_id(kind: LayerKind, id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in kind.name().bytes().chain([b'/']).chain(id.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash & ((1 << 53) - 1)
}
