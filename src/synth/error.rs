//! Why the synthetic cadastre could not be written.

use std::path::Path;

/// Why the cadastre could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("--plots must be at least 1")]
    NoPlots,
    #[error("--plots {0} is more than this generator lays out (at most 4,000,000)")]
    TooMany(usize),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

pub(super) fn write_error(path: &Path, source: std::io::Error) -> SynthError {
    SynthError::Write {
        path: path.display().to_string(),
        source,
    }
}
