//! # zagore — the map and geodata service of Industrial Zone Zagore, Stara Zagora
//!
//! Data flows one way, and so do the modules: each may use the ones before it in this tour,
//! never one after it (`tests/suite/layers.rs` checks every `use crate::…` against this order).
//!
//! 1. [`config`] — defaults, the TOML config file, environment variables and flags.
//! 2. [`geodata`] — reads the zone's layers (the layer source seam), decides each file's CRS
//!    and axis order, reprojects every coordinate with PROJ and validates it all;
//!    [`geodata::CadastralId`] and [`geodata::Crs`] are the validated types.
//!    ([`synth`] sits beside it: it writes synthetic data for geodata to read.)
//! 3. [`index`] — one R*-tree per layer, answering bbox and point queries; [`index::BBox`].
//! 4. [`register`] — the sales register: each plot's business facts (status, price,
//!    investor, …) in SQLite behind the [`register::Register`] seam, the audit trail, the
//!    accounts; [`register::Book`] is one immutable version of it in memory.
//! 5. [`zone`] — [`zone::Zone`], one immutable snapshot of everything served and everything
//!    derived from it (indexes, road network, distance table, plot cards with the register's
//!    facts laid over them, and the facts the modules below derive once per data version),
//!    and [`zone::ZoneCell`], which a reload or a register edit swaps.
//! 6. [`tiles`] | [`features`] | [`measure`] — given a zone and validated parameters, they
//!    return values or bytes: vector tiles behind the tile source seam, TileJSON and the
//!    style; OGC API – Features and the plot look-ups; distances and geodesic measures.
//! 7. [`http`] — the axum handlers of every endpoint family, [`http::AppState`], the one
//!    error type at the edge ([`http::ApiError`]), the public base URL, the middleware.
//! 8. [`server`] — [`server::Application`]: `build` + `run`, which `main` and the tests both
//!    call; the watcher that triggers reloads; the other commands.
//!
//! Where each capability lives and how to add a layer source or a tile source:
//! `docs/architecture.md`.

// In the tour's order (blank lines keep rustfmt from sorting them).
pub mod config;

pub mod geodata;
pub mod synth;

pub mod index;

pub mod register;

pub mod zone;

pub mod features;
pub mod measure;
pub mod tiles;

pub mod http;

pub mod server;

pub use config::Config;
pub use server::{Application, StartError};
