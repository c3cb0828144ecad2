//! The layer source seam: where a layer's features come from. A [`LayerSource`] opens its
//! file, says which CRS the file declares and how that was decided, and hands over every
//! record parsed into the service's field names, identifier and source geometry, each with
//! its location (`Location`: a line of a text file, a record number of a table) for problem
//! reports. Everything after that — the axis order, reprojection, validation, the check
//! report, the zone — is shared by every source (`geodata::read`).
//!
//! - [`geojson`] — a GeoJSON FeatureCollection, read in bounded windows (the default);
//! - [`shapefile`] — the cadastre agency's shapefile, zipped (`.zip`) or not (`.shp`).
//!
//! A source is chosen by the extension of the layer's `file` in `manifest.toml`
//! ([`for_layer`]).

mod collection;
mod geojson;
mod seam;
mod serde_stream;
mod shape_records;
mod shapefile;

use std::path::{Path, PathBuf};

use super::manifest::LayerManifest;
use super::model::LayerKind;

pub(super) use self::geojson::GeoJsonFile;
pub(super) use self::seam::{hash_part, LayerSource, Outcome, Records, VERSION_HASH_START};
pub(super) use self::shapefile::ShapefileSource;

/// The source of the `kind` layer of the folder `dir`, as the manifest's `settings` say.
pub(super) fn for_layer<'a>(
    kind: LayerKind,
    dir: &'a Path,
    settings: &'a LayerManifest,
) -> Box<dyn LayerSource + 'a> {
    let name = settings.file_name(kind);
    let file: PathBuf = dir.join(&name);
    if self::shapefile::is_shapefile(&name) {
        return Box::new(ShapefileSource {
            kind,
            dir,
            file,
            settings,
        });
    }
    Box::new(GeoJsonFile {
        kind,
        dir,
        file,
        settings,
    })
}
