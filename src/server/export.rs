//! `zagore export --out FILE.pmtiles|FILE.mbtiles`: loads the data as `serve` does, then
//! writes every non-empty tile of the live tile source ([`crate::tiles::LiveTiles`], the one
//! the server encodes with) over a zoom range into a static archive
//! ([`crate::tiles::archive`]), on every core, with a progress bar on a terminal and a log
//! line per zoom otherwise. With `--style FILE --public-url URL` (PMTiles only) it also
//! writes a style that reads the archive through MapLibre's `pmtiles://` protocol, and the
//! glyphs beside it, so that the map works from any static host.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::load_zone;
use crate::config::Config;
use crate::geodata::crs;
use crate::index::BBox;
use crate::tiles::archive::{export, static_site, ArchiveFormat, ExportPlan, Progress};
use crate::tiles::LiveTiles;

/// What `zagore export` was asked for.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub out: PathBuf,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub bbox: Option<BBox>,
    /// The style (and glyphs beside it) for a static host, and the public address of the
    /// folder the archive, the style and `fonts/` are published in.
    pub style: Option<(PathBuf, String)>,
}

/// Runs the export; exit status 0 on success, 1 on a data or write error, 2 when PROJ or the
/// configuration cannot be set up.
pub fn run(config: Config, request: &ExportRequest) -> ExitCode {
    let config = match config.validate() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // A wrong name or address is known before the data is loaded.
    let format = match ArchiveFormat::from_path(&request.out) {
        Ok(format) => format,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let style = match &request.style {
        None => None,
        Some(_) if format != ArchiveFormat::PmTiles => {
            eprintln!("error: --style needs a .pmtiles archive: browsers cannot read MBTiles");
            return ExitCode::FAILURE;
        }
        Some((file, url)) => match static_site::public_url(url) {
            Ok(url) => Some((file.clone(), url)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    if let Err(e) = crs::init_proj(&config) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let started = Instant::now();
    // The register's facts (status, …) are in the tiles as the server serves them.
    let (cell, _register) = match load_zone(&config) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let zone = cell.current();
    super::prepare(&zone);
    let source = LiveTiles::new(Arc::clone(&zone), config.tile_buffer, config.max_zoom);
    let plan = ExportPlan {
        min_zoom: request.min_zoom,
        max_zoom: request.max_zoom,
        bbox: request.bbox,
    };
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>4} [{bar:40}] {pos}/{len} tiles, {msg} written, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    let mut current_zoom = None;
    let mut on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            if current_zoom != Some(p.zoom) {
                bar.reset();
                bar.set_length(p.total as u64);
                bar.set_prefix(format!("z{}", p.zoom));
            }
            bar.set_position(p.done as u64);
            bar.set_message(p.written.to_string());
        } else if p.done == p.total {
            tracing::info!(
                zoom = p.zoom,
                tiles = p.total,
                written = p.written,
                "export: zoom done"
            );
        }
        current_zoom = Some(p.zoom);
    };
    let encode_started = Instant::now();
    let summary = match export(&source, &plan, &request.out, &mut on_progress) {
        Ok(summary) => summary,
        Err(e) => {
            if let Some(bar) = &bar {
                bar.abandon();
            }
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    for (zoom, tiles) in &summary.per_zoom {
        eprintln!("  z{zoom}: {tiles} tiles");
    }
    println!(
        "wrote {} tiles (z{}–z{}) to {}: {:.1} MB in {:.1} s ({:.1} s loading, {:.1} s tiles); {} empty tiles skipped",
        summary.tiles(),
        plan.min_zoom,
        plan.max_zoom,
        request.out.display(),
        summary.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        (encode_started - started).as_secs_f64(),
        encode_started.elapsed().as_secs_f64(),
        summary.empty,
    );
    if let Some((file, url)) = style {
        let archive = request
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let style = static_site::archive_style(&zone, &url, &archive);
        match static_site::write(&style, &file) {
            Ok(glyphs) => println!(
                "wrote the style {} (tiles from {url}/{archive}) and {glyphs} glyph files in fonts/ beside it: publish the archive, the style and fonts/ together at {url}",
                file.display()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
