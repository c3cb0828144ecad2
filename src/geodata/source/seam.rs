//! The seam itself: the [`LayerSource`] trait every source implements, what a source hands
//! over ([`Records`], [`Outcome`]), and the data version hash each folds its bytes into.

use std::path::Path;

use super::super::crs::Crs;
use super::super::model::{CrsSource, Locating};
use super::super::parse::ParsedFeature;
use super::super::problem::{Problem, Problems};
use super::super::progress::LayerProgress;

/// What a source read from a file it could open.
pub(crate) struct Records {
    /// The CRS the source declares and how that was decided, or why it cannot be (a message
    /// about the layer's `crs`). When it cannot, the records' own problems are not reported.
    pub crs: Result<(Crs, CrsSource), String>,
    /// How the records are located.
    pub locating: Locating,
    /// The records, parsed, in pieces (each piece's memory goes once it is reprojected).
    pub windows: Vec<Vec<ParsedFeature>>,
    /// The problems of single records, in source order.
    pub feature_problems: Vec<Problem>,
}

/// The outcome of reading a source.
pub(crate) enum Outcome {
    /// The source was read: its records (None when a problem with the source as a whole,
    /// already reported, stops the layer), and the data version hash with the source's bytes
    /// folded in.
    Read(Option<Records>, u64),
    /// The file could not be opened or read (a missing file is `NotFound`).
    Unreadable(std::io::Error),
}

/// Where one layer's features come from.
pub(crate) trait LayerSource {
    /// The file the layer is read from, as problems name it.
    fn file(&self) -> &Path;

    /// Reads every record. `version` is the data version hash so far; problems with the file
    /// as a whole go to `problems`, each record's problems to [`Records::feature_problems`].
    /// `progress` counts the bytes read of the file (for the progress bar and log lines).
    fn read(&self, version: u64, problems: &mut Problems, progress: &LayerProgress) -> Outcome;
}

/// The data version: FNV-1a over each file's bytes with a separator after each, folded one
/// file at a time.
pub(crate) const VERSION_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Folds a whole file into the version hash.
pub(crate) fn hash_part(hash: u64, bytes: &[u8]) -> u64 {
    end_part(fold_bytes(hash, bytes))
}

/// Folds bytes into the hash; a file may be folded piece by piece.
pub(crate) fn fold_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The separator after each file.
pub(crate) fn end_part(hash: u64) -> u64 {
    (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3)
}
