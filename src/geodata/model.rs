//! The data model every layer is read into: [`LayerKind`], [`Feature`], [`Layer`] and the
//! whole [`Dataset`], immutable once built.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use geo::{Geometry, Rect};
use rayon::slice::ParallelSliceMut;
use time::OffsetDateTime;

use super::cadastral::CadastralId;
use super::crs::{AxisOrder, Crs};
use super::problem::{Problem, Severity};
use super::properties::{PropValue, Properties};

/// The layers of the zone, in drawing order (bottom first): the five built in, whose meaning
/// the service knows (plots with their cards, stage outlines, roads for routing, the railway,
/// points of interest), then any other layer the manifest names ([`LayerKind::Extra`]),
/// published as it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LayerKind {
    Stages,
    Plots,
    Roads,
    Rail,
    Poi,
    /// A layer named by the manifest (`[layers.utilities]`): points, lines or polygons.
    Extra(LayerName),
}

/// The name of a layer the manifest adds: lower-case letters, digits and `_`, starting with
/// a letter, at most [`LayerName::MAX_LEN`] characters, and not a built-in name.
///
/// Names are interned for the life of the process (each distinct name once), so a
/// [`LayerKind`] stays `Copy` and its name `&'static str` like the built-in ones. Only a
/// manifest adds names ([`LayerName::new`]); a request only looks up names already known
/// ([`LayerName::known`]), so it cannot grow the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LayerName(&'static str);

/// Every name a manifest has added.
static LAYER_NAMES: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

impl LayerName {
    pub const MAX_LEN: usize = 40;

    /// The interned name, or why it cannot name a layer.
    pub fn new(name: &str) -> Result<LayerName, String> {
        if let Some(clash) = BUILT_IN_NAMES
            .iter()
            .find(|b| b.eq_ignore_ascii_case(name) || b.replace('_', "") == name.replace('_', ""))
        {
            return Err(format!(
                "{name:?} clashes with the built-in layer {clash}; choose another name"
            ));
        }
        let mut chars = name.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && name.len() <= LayerName::MAX_LEN;
        if !well_formed {
            return Err(format!(
                "{name:?} cannot name a layer: use lower-case letters, digits and _, starting \
                 with a letter, at most {} characters",
                LayerName::MAX_LEN
            ));
        }
        // A poisoned lock only means another thread panicked while inserting: the set is whole.
        let mut names = LAYER_NAMES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = names.get(name) {
            return Ok(LayerName(known));
        }
        let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
        names.insert(leaked);
        Ok(LayerName(leaked))
    }

    /// The name, if a manifest has added it.
    pub fn known(name: &str) -> Option<LayerName> {
        let names = LAYER_NAMES.lock().unwrap_or_else(|p| p.into_inner());
        names.get(name).map(|n| LayerName(n))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// The names the service gives its own layers (the source layers and the tile layers drawn
/// from them): no manifest layer may take one.
pub const BUILT_IN_NAMES: [&str; 6] = ["stages", "plots", "roads", "rail", "poi", "plot_labels"];

impl LayerKind {
    /// The five built-in layers.
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
            LayerKind::Extra(name) => name.as_str(),
        }
    }

    /// The layer of this name: a built-in one, or one a manifest has added.
    pub fn from_name(name: &str) -> Option<LayerKind> {
        LayerKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .or_else(|| LayerName::known(name).map(LayerKind::Extra))
    }

    /// The built-in layer of this name.
    pub fn built_in(name: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this is a layer the manifest added.
    pub fn is_extra(self) -> bool {
        matches!(self, LayerKind::Extra(_))
    }

    /// The GeoJSON geometry types a layer accepts.
    pub fn allowed_geometries(self) -> &'static [&'static str] {
        match self {
            LayerKind::Stages | LayerKind::Plots => &["Polygon", "MultiPolygon"],
            LayerKind::Roads | LayerKind::Rail => &["LineString", "MultiLineString"],
            LayerKind::Poi => &["Point"],
            LayerKind::Extra(_) => &[
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
                "Polygon",
                "MultiPolygon",
            ],
        }
    }

    /// Whether the service cannot work without this layer.
    pub fn required(self) -> bool {
        self == LayerKind::Plots
    }
}

impl serde::Serialize for LayerKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
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
    /// Where the feature is in its source: the line of the file where it starts (GeoJSON),
    /// or its record number (a shapefile); [`Layer::locating`] says which.
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

/// Where a record is in its source, for problem reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The line of a text file where the record starts (GeoJSON).
    Line(usize),
    /// The record's number in a table, from 1 (a shapefile's `.dbf`).
    Record(usize),
}

impl Location {
    /// The line to name in a problem, when the source has lines.
    pub fn line(self) -> Option<usize> {
        match self {
            Location::Line(line) => Some(line),
            Location::Record(_) => None,
        }
    }

    /// The number stored with a feature ([`Feature::line`]): its line or record number.
    pub fn number(self) -> usize {
        match self {
            Location::Line(n) | Location::Record(n) => n,
        }
    }
}

/// How a layer's records are located: what [`Feature::line`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locating {
    Lines,
    Records,
}

impl Locating {
    /// The location of a feature whose stored number is `n`.
    pub fn at(self, n: usize) -> Location {
        match self {
            Locating::Lines => Location::Line(n),
            Locating::Records => Location::Record(n),
        }
    }
}

/// How a layer's CRS was decided, for the check report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrsSource {
    /// The file's own `crs` member.
    FileMember,
    /// The layer's entry in `manifest.toml`.
    Manifest,
    /// A shapefile's `.prj`, identified through PROJ.
    PrjFile,
    /// Neither said: RFC 7946's WGS84 default.
    Rfc7946Default,
}

impl fmt::Display for CrsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrsSource::FileMember => "from the file's crs member",
            CrsSource::Manifest => "from manifest.toml",
            CrsSource::PrjFile => "from the shapefile's .prj, identified by PROJ",
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
    /// What each feature's [`Feature::line`] counts.
    pub locating: Locating,
    /// The layer's title from the manifest, in Bulgarian and in English (extra layers).
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub features: Vec<Feature>,
    /// Extent in WGS84 longitude/latitude (None when the layer is empty).
    pub extent: Option<Rect<f64>>,
    /// Positions in `features`, ordered by identifier (then position): the identifier
    /// lookup, without a second copy of every identifier.
    pub(super) by_id: Vec<usize>,
}

impl Layer {
    pub(super) fn new(meta: LayerMeta, features: Vec<Feature>) -> Layer {
        let extent = extent_of(&features);
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
            locating: meta.locating,
            title: meta.title,
            title_en: meta.title_en,
            features,
            extent,
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

/// What was decided about a layer before its features were read.
pub struct LayerMeta {
    pub kind: LayerKind,
    pub file: PathBuf,
    pub crs: Crs,
    pub crs_source: CrsSource,
    pub axis_order: AxisOrder,
    pub axis_reason: String,
    pub locating: Locating,
    pub title: Option<String>,
    pub title_en: Option<String>,
}

/// The WGS84 box around every feature's geometry.
fn extent_of(features: &[Feature]) -> Option<Rect<f64>> {
    use geo::BoundingRect;
    features
        .iter()
        .filter_map(|f| f.lonlat.bounding_rect())
        .reduce(union)
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
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
    pub fn layer(&self, kind: LayerKind) -> Option<&Layer> {
        self.layers.iter().find(|l| l.kind == kind)
    }

    /// The plots layer's feature with this cadastral identifier.
    pub fn plot(&self, id: &CadastralId) -> Option<&Feature> {
        self.layer(LayerKind::Plots)?.get(&id.to_string())
    }

    /// Extent of all layers in WGS84.
    pub fn extent(&self) -> Option<Rect<f64>> {
        self.layers.iter().filter_map(|l| l.extent).reduce(union)
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
