//! The GeoJSON layer source: a FeatureCollection file, its CRS from its `crs` member (else
//! the manifest, else RFC 7946's WGS84), each feature located by the line it starts on.
//!
//! The file is read piece by piece (see `geodata::scan`): only a window of its text is in
//! memory at a time, each window parsed on every core as soon as it is read. A file the
//! scanner finds unusual (a syntax error, a byte-order mark, …) is read whole instead, so
//! its problem is reported exactly as serde finds it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::super::decide;
use super::super::manifest::LayerManifest;
use super::super::model::LayerKind;
use super::super::model::Locating;
use super::super::open::{open_regular, read_regular};
use super::super::parse::{parse_window, NotJson, ParsedFeature};
use super::super::problem::{Problem, Problems};
use super::super::properties::Interner;
use super::super::scan::{self, RawFeature, Scan};
use super::seam::{end_part, fold_bytes, hash_part, LayerSource, Outcome, Records};

/// A layer's GeoJSON file.
pub(crate) struct GeoJsonFile<'a> {
    pub kind: LayerKind,
    /// The data folder (files are opened only inside it).
    pub dir: &'a Path,
    pub file: PathBuf,
    pub settings: &'a LayerManifest,
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

/// The outcome of the streaming read.
pub(crate) enum Streamed {
    Done(Outcome),
    /// Something unusual in the file: the whole-file parser reports it exactly.
    Unusual,
}

impl LayerSource for GeoJsonFile<'_> {
    fn file(&self) -> &Path {
        &self.file
    }

    fn read(&self, version: u64, problems: &mut Problems) -> Outcome {
        match self.stream(version, problems) {
            Streamed::Done(outcome) => outcome,
            Streamed::Unusual => match read_regular(self.dir, &self.file) {
                Ok(bytes) => {
                    let (records, hashed) = rayon::join(
                        || self.whole(&bytes, problems),
                        || hash_part(version, &bytes),
                    );
                    Outcome::Read(records, hashed)
                }
                Err(e) => Outcome::Unreadable(e),
            },
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

    /// Reads a whole layer file at once: the path for files the scanner finds unusual, which
    /// reports their problems exactly as serde finds them. Nothing returned borrows the text.
    pub(crate) fn whole(&self, bytes: &[u8], problems: &mut Problems) -> Option<Records> {
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
        let window = parse_window(
            self.kind,
            &raw,
            0,
            self.settings,
            &interner,
            true,
            &mut sink,
        )
        .ok()?;
        drop(raw);
        Some(self.records(collection.crs.as_ref(), vec![window], feature_problems))
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

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
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
