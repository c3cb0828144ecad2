//! `zagore distances`: loads the geodata and prints every plot's distances as a Markdown
//! table, CSV or JSON (the same table as `GET /plots/distances`).

use std::path::Path;
use std::process::ExitCode;

use super::render;
use crate::config::Config;
use crate::geodata::Dataset;
use crate::zone::{DistanceTable, RoadNetwork};

/// The output forms of `zagore distances`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Markdown table (what docs/distances.md holds).
    Table,
    Csv,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" | "markdown" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format {other:?}: use table, csv or json")),
        }
    }
}

/// Prints the distance table of the geodata in `dir`. Exit status 1 when the data cannot
/// be loaded, 2 when PROJ cannot be set up.
pub fn run(config: &Config, dir: &Path, format: Format) -> ExitCode {
    if let Err(e) = crate::geodata::crs::init_proj(config) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let dataset = match Dataset::load(dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let network = RoadNetwork::build(&dataset);
    let table = DistanceTable::build(&dataset, &network);
    match format {
        Format::Table => print!("{}", render::markdown(&table)),
        Format::Csv => print!("{}", render::csv(&table)),
        Format::Json => println!("{:#}", render::json(&table)),
    }
    ExitCode::SUCCESS
}
