//! The GeoJSON layer source: a FeatureCollection file, its CRS from its `crs` member (else
//! the manifest, else RFC 7946's WGS84), each feature located by the line it starts on.
//!
//! The file is read piece by piece (see `geodata::scan`): only a window of its text is in
//! memory at a time, each window parsed on every core as soon as it is read. A file the
//! scanner finds unusual (a syntax error, a byte-order mark, …) is read again by serde's own
//! streaming deserializer (`serde_stream`), so its problem is reported exactly as serde finds
//! it; neither path holds the whole file.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::decide;
use super::super::manifest::LayerManifest;
use super::super::model::LayerKind;
use super::super::model::Locating;
use super::super::open::open_regular;
use super::super::parse::{parse_window, NotJson, ParsedFeature};
use super::super::problem::{Problem, Problems};
use super::super::properties::Interner;
use super::super::scan::{self, RawFeature, Scan};
use super::seam::{end_part, fold_bytes, LayerSource, Outcome, Records};
use super::serde_stream::{self, Failure};

/// A layer's GeoJSON file.
pub(crate) struct GeoJsonFile<'a> {
    pub kind: LayerKind,
    /// The data folder (files are opened only inside it).
    pub dir: &'a Path,
    pub file: PathBuf,
    pub settings: &'a LayerManifest,
}

/// The outcome of the streaming read.
pub(crate) enum Streamed {
    Done(Outcome),
    /// Something unusual in the file: serde's streaming deserializer reports it exactly.
    Unusual,
}

impl LayerSource for GeoJsonFile<'_> {
    fn file(&self) -> &Path {
        &self.file
    }

    fn read(&self, version: u64, problems: &mut Problems) -> Outcome {
        match self.stream(version, problems) {
            Streamed::Done(outcome) => outcome,
            Streamed::Unusual => self.strict(version, problems),
        }
    }
}

impl GeoJsonFile<'_> {
    /// Reads the file piece by piece (see [`scan`]).
    pub(crate) fn stream(&self, version: u64, problems: &mut Problems) -> Streamed {
        let reader = match open_regular(self.dir, &self.file) {
            Ok(reader) => reader,
            Err(e) => return Streamed::Done(Outcome::Unreadable(e)),
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
        let (kind, settings) = (self.kind, self.settings);
        let scanned = scan::scan(reader, size, version, fold_bytes, |raw, first| {
            let window = parse_window(kind, raw, first, settings, &interner, false, &mut sink)
                .map_err(|NotJson| ())?;
            windows.push(window);
            Ok(())
        });
        let (header, hash) = match scanned {
            Scan::Done { header, hash } => (header, end_part(hash)),
            Scan::Read(e) => return Streamed::Done(Outcome::Unreadable(e)),
            Scan::Unusual => return Streamed::Unusual,
        };
        if !is_collection(header.kind.as_deref(), problems) {
            return Streamed::Done(Outcome::Read(None, hash));
        }
        let records = self.records(header.crs.as_ref(), windows, feature_problems);
        Streamed::Done(Outcome::Read(Some(records), hash))
    }

    /// Reads the file with serde's streaming deserializer (see [`serde_stream`]): the path for
    /// files the scanner finds unusual, which reports their problems exactly as serde finds
    /// them, with bounded memory too.
    pub(crate) fn strict(&self, version: u64, problems: &mut Problems) -> Outcome {
        let reader = match open_regular(self.dir, &self.file) {
            Ok(reader) => reader,
            Err(e) => return Outcome::Unreadable(e),
        };
        let interner = Interner::new();
        let mut windows = Vec::new();
        let mut feature_problems = Vec::new();
        let mut sink = Problems {
            file: problems.file,
            list: &mut feature_problems,
        };
        let (kind, settings) = (self.kind, self.settings);
        let (read, hash) = serde_stream::read(reader, version, |window, first| {
            let raw: Vec<RawFeature> = window
                .iter()
                .map(|(text, line)| RawFeature {
                    text: text.get(),
                    line: *line,
                })
                .collect();
            // Each feature's text is JSON (serde checked it): parse_window cannot refuse one.
            if let Ok(parsed) =
                parse_window(kind, &raw, first, settings, &interner, true, &mut sink)
            {
                windows.push(parsed);
            }
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
