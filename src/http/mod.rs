//! The HTTP edge: the axum handlers of every endpoint family, the shared state
//! ([`AppState`]), the one error type ([`ApiError`]), the public base URL resolver, and the
//! middleware every request passes (request ids, tracing, CORS, limits, metrics). The server
//! loop is [`crate::server`]'s.
//!
//! - [`tiles`] (and `ogc_tiles`, OGC API – Tiles), [`features`] (and `export`, its downloads), [`measure`], [`viewer`], `sheet`
//!   (the printable plot sheet, its map in `sheet_map`) — the endpoint families;
//! - [`health`], [`admin`], [`metrics`] — operations;
//! - [`edit`], [`auth`] — editing the sales register (ETags, merge patches, history, audit)
//!   and who may (bearer tokens, roles; [`ratelimit`] for failed sign-ins; [`session`],
//!   [`sessions`] for browsers: a session cookie and its CSRF token);
//! - [`openapi`], `service_api`, [`api_doc`] — the OpenAPI document of the whole service
//!   (assembled by `utoipa` from the `#[utoipa::path]` beside each handler) and its HTML page;
//! - [`router`] — the routes and the middleware around them;
//! - [`state`], [`error`], [`base_url`], [`guard`], [`request_id`], [`blocking`] — the plumbing.

mod admin;
pub mod api_doc;
pub mod auth;
pub mod base_url;
mod blocking;
mod edge;
mod edit;
pub mod error;
mod export;
mod features;
mod guard;
mod health;
mod measure;
pub mod metrics;
mod ogc_tiles;
pub mod openapi;
pub mod query;
mod ratelimit;
mod request_id;
mod router;
mod service_api;
mod session;
mod sessions;
mod sheet;
mod sheet_map;
pub mod state;
mod tiles;
mod viewer;

pub use base_url::PublicBase;
pub use blocking::blocking;
pub use error::{ApiError, ApiPath};
pub use query::QueryPairs;
pub use router::{app, router};
pub use state::AppState;
