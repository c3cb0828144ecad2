//! The per-folder layer manifest, `geodata/manifest.toml`: which file holds each layer, the
//! CRS and axis order to assume when a file does not say, and how source field names map to
//! the service's own (so an official cadastral export can be dropped in unedited).
//!
//! ```toml
//! [layers.plots]
//! file = "ЗЕМЛИ.geojson"      # default: plots.geojson
//! crs = "EPSG:7801"           # only for files without a `crs` member
//! axis_order = "east_north"   # or "north_east"; default: decided from the coordinates
//! [layers.plots.fields]       # source name = service name
//! cadnum = "cadastral_id"
//! AREA = "declared_area_m2"
//! ```
//!
//! A layer's `file` may also be the cadastre agency's shapefile, zipped (`zemi-27214.zip`) or
//! not (`zemi.shp`); with a whole settlement's export, `within = "stages"` keeps only the
//! plots inside the zone's stage outlines, and `select = ["27214.33.1", …]` only the features
//! listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::crs::AxisOrder;
use super::model::{LayerKind, LayerName};

/// The manifest's file name inside a geodata folder.
pub const MANIFEST_FILE: &str = "manifest.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub layers: BTreeMap<String, LayerManifest>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerManifest {
    pub file: Option<String>,
    pub crs: Option<String>,
    pub axis_order: Option<AxisOrder>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Only the features with these identifiers.
    pub select: Option<Vec<String>>,
    /// Only the features inside these outlines.
    pub within: Option<Within>,
    /// The layer's title, in Bulgarian and in English (the collection, the legend).
    pub title: Option<String>,
    pub title_en: Option<String>,
}

/// Outlines a layer's features may be required to lie inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Within {
    /// The zone's stage outlines (the `stages` layer).
    Stages,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: [layers.{name}]: {message}")]
    BadLayerName {
        path: String,
        name: String,
        message: String,
    },
}

impl Manifest {
    /// Reads `manifest.toml` from `dir`; a folder without one uses the defaults.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST_FILE);
        let shown = path.display().to_string();
        let text = match super::open::read_regular(dir, &path).and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"))
        }) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
            Err(source) => {
                return Err(ManifestError::Io {
                    path: shown,
                    source,
                })
            }
        };
        let manifest: Manifest = toml::from_str(&text).map_err(|e| ManifestError::Syntax {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        // Any other name adds a layer: it must be well formed and not clash with a built-in one.
        for name in manifest.layers.keys() {
            if LayerKind::built_in(name).is_none() {
                LayerName::new(name).map_err(|message| ManifestError::BadLayerName {
                    path: shown.clone(),
                    name: name.clone(),
                    message,
                })?;
            }
        }
        Ok(manifest)
    }

    /// The layers the manifest adds to the five built in, in name order.
    pub fn extras(&self) -> Vec<LayerKind> {
        self.layers
            .keys()
            .filter(|name| LayerKind::built_in(name).is_none())
            .filter_map(|name| LayerName::new(name).ok().map(LayerKind::Extra))
            .collect()
    }

    /// The settings for one layer (defaults when the manifest does not mention it).
    pub fn layer(&self, kind: LayerKind) -> LayerManifest {
        self.layers.get(kind.name()).cloned().unwrap_or_default()
    }
}

impl LayerManifest {
    /// The file name of the layer inside the folder.
    pub fn file_name(&self, kind: LayerKind) -> String {
        self.file
            .clone()
            .unwrap_or_else(|| format!("{}.geojson", kind.name()))
    }

    /// The service's name for a source field: the manifest's mapping, then the names the
    /// cadastre agency's exports use, then the field's own name.
    pub fn canonical_field<'a>(&'a self, kind: LayerKind, source: &'a str) -> &'a str {
        if let Some(mapped) = self.fields.get(source) {
            return mapped;
        }
        if kind == LayerKind::Plots {
            match source {
                "cadnum" => return "cadastral_id",
                "AREA" => return "declared_area_m2",
                _ => {}
            }
        }
        source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mappings_adds_layers_and_rejects_clashing_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            "[layers.plots]\nfile = \"ZEMI.geojson\"\naxis_order = \"north_east\"\n[layers.plots.fields]\nNOMER = \"cadastral_id\"\n",
        )
        .unwrap();
        let m = Manifest::read(dir.path()).unwrap();
        let plots = m.layer(LayerKind::Plots);
        assert_eq!(plots.file_name(LayerKind::Plots), "ZEMI.geojson");
        assert_eq!(plots.axis_order, Some(AxisOrder::NorthEast));
        assert_eq!(
            plots.canonical_field(LayerKind::Plots, "NOMER"),
            "cadastral_id"
        );
        assert_eq!(
            plots.canonical_field(LayerKind::Plots, "cadnum"),
            "cadastral_id"
        );
        assert_eq!(
            m.layer(LayerKind::Roads).file_name(LayerKind::Roads),
            "roads.geojson"
        );

        // Another name adds a layer; one that clashes with a built-in layer, or is not a
        // plain name, is refused.
        std::fs::write(dir.path().join(MANIFEST_FILE), "[layers.parcels]\n").unwrap();
        let m = Manifest::read(dir.path()).unwrap();
        assert_eq!(m.extras().len(), 1);
        assert_eq!(m.extras()[0].name(), "parcels");
        for clash in ["Plots", "plot_labels", "POI", "plotlabels"] {
            std::fs::write(
                dir.path().join(MANIFEST_FILE),
                format!("[layers.{clash}]\n"),
            )
            .unwrap();
            let err = Manifest::read(dir.path()).unwrap_err().to_string();
            assert!(err.contains(clash) && err.contains("built-in"), "{err}");
        }
        std::fs::write(dir.path().join(MANIFEST_FILE), "[layers.\"water mains\"]\n").unwrap();
        let err = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("lower-case"), "{err}");
    }
}
