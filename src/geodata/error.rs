//! Why a folder could not become a [`super::Dataset`].

use super::crs::CrsError;
use super::manifest;
use super::problem::{Problem, Severity};

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
