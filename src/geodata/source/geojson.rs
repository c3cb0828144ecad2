//! The GeoJSON layer source: a FeatureCollection file, its CRS from its `crs` member (else
//! the manifest, else RFC 7946's WGS84), each feature located by the line it starts on.
//!
//! The file is read once, piece by piece, by serde_json (see `serde_stream`): only a window
//! of its text is in memory at a time, each window's features parsed on every core as soon as
//! it is read, and a problem with the file is reported exactly as a whole-file parse finds it,
//! with its line and column.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::decide;
use super::super::manifest::LayerManifest;
use super::super::model::LayerKind;
use super::super::model::Locating;
use super::super::open::open_regular;
use super::super::parse::{parse_window, ParsedFeature};
use super::super::problem::{Problem, Problems};
use super::super::progress::LayerProgress;
use super::super::properties::Interner;
use super::seam::{LayerSource, Outcome, Records};
use super::serde_stream::{self, Failure};

/// A layer's GeoJSON file.
pub(crate) struct GeoJsonFile<'a> {
    pub kind: LayerKind,
    /// The data folder (files are opened only inside it).
    pub dir: &'a Path,
    pub file: PathBuf,
    pub settings: &'a LayerManifest,
}

impl LayerSource for GeoJsonFile<'_> {
    fn file(&self) -> &Path {
        &self.file
    }

    /// Reads the file window by window (see [`serde_stream`]), each window's features parsed
    /// on every core as soon as it is read.
    fn read(&self, version: u64, problems: &mut Problems, progress: &LayerProgress) -> Outcome {
        let reader = match open_regular(self.dir, &self.file) {
            Ok(reader) => reader,
            Err(e) => return Outcome::Unreadable(e),
        };
        let size = reader.metadata().ok().map(|m| m.len());
        let interner = Interner::new();
        let mut windows = Vec::new();
        // Kept aside: a problem with the file as a whole (its type, its CRS) replaces them.
        let mut feature_problems = Vec::new();
        let mut sink = Problems {
            file: problems.file,
            list: &mut feature_problems,
        };
        let (kind, settings) = (self.kind, self.settings);
        let reader = progress.track(reader);
        let (read, hash) = serde_stream::read(reader, size, version, |raw, first| {
            windows.push(parse_window(
                kind, raw, first, settings, &interner, &mut sink,
            ));
        });
        let header = match read {
            Ok(header) => header,
            Err(Failure::Read(e)) => return Outcome::Unreadable(e),
            Err(Failure::Invalid { message, line }) => {
                problems.file_error(Some(line), message);
                return Outcome::Read(None, hash);
            }
        };
        if !is_collection(header.kind.as_deref(), problems) {
            return Outcome::Read(None, hash);
        }
        if !header.has_features {
            problems.file_error(
                None,
                "not GeoJSON: the FeatureCollection has no `features` array",
            );
            return Outcome::Read(None, hash);
        }
        let records = self.records(header.crs.as_ref(), windows, feature_problems);
        Outcome::Read(Some(records), hash)
    }
}

impl GeoJsonFile<'_> {
    fn records(
        &self,
        crs_member: Option<&Value>,
        windows: Vec<Vec<ParsedFeature>>,
        feature_problems: Vec<Problem>,
    ) -> Records {
        Records {
            crs: decide::crs(crs_member, self.settings),
            locating: Locating::Lines,
            windows,
            feature_problems,
        }
    }
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
