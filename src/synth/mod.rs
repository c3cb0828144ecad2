//! `zagore synth`: a deterministic synthetic cadastre of N land plots over Stara Zagora
//! province, **for benchmarks only** — the shapes, identifiers and roads are invented and
//! say so in every feature's `provenance` property. Nothing here is committed as data; it
//! is written on demand by `scripts/bench.sh`.
//!
//! How the plots are laid out (see [`lattice`]): a lattice of quadrilateral cells, each
//! cell one plot, pulled towards the province's towns by a smooth radial contraction, so
//! plots are small (≈ 200 m²) in town centres and large (up to ≈ 40,000 m²) in the fields.
//! Neighbouring plots share their corners and every extra boundary vertex exactly. Every
//! 8th row and 12th column of cells is left empty as a road corridor; the roads run along
//! the corridors' centres and meet at shared vertices, so they form one network. The
//! output is streamed feature by feature, so a million plots never sit in memory as text.

mod error;
mod lattice;
mod write;

use std::path::PathBuf;

pub use error::SynthError;
pub use lattice::{Lattice, Settlement, Shape, SETTLEMENTS};

use error::write_error;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Number of land plots to write.
    pub plots: usize,
    /// The folder to write `plots.geojson`, `roads.geojson`, `poi.geojson` and
    /// `manifest.toml` into (created if missing).
    pub out: PathBuf,
    /// Seed of every jitter: the same seed and count give the same bytes.
    pub seed: u64,
    /// The layout: the province (sparse fields, dense towns) or a dense, uniform cadastre.
    pub shape: Shape,
}

/// What was written, for the command's summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSummary {
    pub plots: usize,
    pub roads: usize,
    pub poi: usize,
}

/// Writes the synthetic cadastre described by `options`.
pub fn generate(options: &SynthOptions) -> Result<SynthSummary, SynthError> {
    if options.plots == 0 {
        return Err(SynthError::NoPlots);
    }
    if options.plots > 4_000_000 {
        return Err(SynthError::TooMany(options.plots));
    }
    std::fs::create_dir_all(&options.out).map_err(|source| write_error(&options.out, source))?;
    let lattice = Lattice::new(options.plots, options.seed, options.shape);
    let plots = write::plots(&lattice, &options.out.join("plots.geojson"))?;
    let roads = write::roads(&lattice, &options.out.join("roads.geojson"))?;
    let poi = write::poi(&lattice, &options.out.join("poi.geojson"))?;
    write::manifest(&options.out.join("manifest.toml"))?;
    Ok(SynthSummary { plots, roads, poi })
}

#[cfg(test)]
mod tests;
