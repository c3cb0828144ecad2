//! # zagore — the map and geodata service of Industrial Zone Zagore, Stara Zagora
//!
//! A tour of the modules, in the order a request meets them:
//!
//! - [`config`] — defaults, the TOML config file, environment variables and flags.
//! - [`geodata`] — reads the zone's GeoJSON layers (plots, stages, roads, rail, points of
//!   interest), decides each file's CRS and axis order, reprojects every coordinate with PROJ
//!   to WGS84 and Web Mercator, and validates it all; [`geodata::CadastralId`] and
//!   [`geodata::Crs`] are the validated types for identifiers and coordinate systems.
//! - [`index`] — one R*-tree per layer, answering bbox and point queries; [`index::BBox`].
//! - [`app`] — [`app::AppState`], built by [`app::build_state`] for `main` and the tests alike.
//! - [`reload`] — replacing the data without downtime (file watch, SIGHUP, admin endpoint),
//!   never with bad data.
//! - [`http`] — the router, middleware, server loop and the one error type at the edge,
//!   [`http::ApiError`], which turns every failure into a JSON problem body.
//! - [`tiles`] — vector tiles (MVT), TileJSON and the MapLibre style.
//! - [`features`] — OGC API – Features and the plot look-ups maps use.
//! - [`measure`] — geodesic distances and routing to the motorway, ring road and railway.
//! - [`web`] — the MapLibre map viewer investors open, served from `web/`.
//! - [`metrics`] — Prometheus metrics of requests, the tile cache and the data.
//! - [`synth`] — `zagore synth`: a synthetic province-scale cadastre for benchmarks only.

pub mod app;
pub mod config;
pub mod features;
pub mod geodata;
pub mod http;
pub mod index;
pub mod measure;
pub mod metrics;
pub mod reload;
pub mod synth;
pub mod tiles;
pub mod web;

use std::process::ExitCode;

pub use app::{build_state, AppState, StartError};
pub use config::Config;

/// `zagore serve`: loads the data and serves it until SIGINT/SIGTERM.
pub fn serve(config: Config) -> Result<(), StartError> {
    let listen = config.listen;
    let state = build_state(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(StartError::Serve)?;
    runtime.block_on(async move {
        let listener = http::bind(listen).await?;
        let addr = listener.local_addr().map_err(StartError::Serve)?;
        // The watcher stops when dropped: keep it for as long as the server runs.
        let _reloader = reload::start(&state);
        tracing::info!("serving the zone on http://{addr}/");
        http::serve(listener, state).await
    })
}

/// `zagore check DIR`: validates a geodata folder and prints the report. Exit status 0 when
/// there are no errors.
pub fn check(config: &Config, dir: &std::path::Path, json: bool) -> ExitCode {
    if let Err(e) = app::init_proj(config) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let checked = match geodata::Dataset::check(dir) {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        let body = serde_json::json!({
            "dir": dir.display().to_string(),
            "version": checked.dataset.version,
            "layers": checked.dataset.counts(),
            "stages": geodata::report::stage_areas(&checked),
            "problems": checked.problems,
        });
        println!("{body:#}");
    } else {
        print!("{}", geodata::report::render(&checked));
    }
    if checked.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
