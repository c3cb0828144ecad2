//! The zone's geodata: reading each layer through its layer source, deciding its CRS and axis order,
//! reprojecting them with PROJ and validating them. (The spatial index over them is the next
//! layer up, [`crate::index`].)
//!
//! A [`Dataset`] is immutable once built: [`Dataset::load`] reads a whole folder, and
//! either every layer is good or the caller gets every [`Problem`] found, each naming
//! the file, the feature (and line) and the field. Nothing downstream re-validates.

//!
//! - [`model`] — the data model: layers, features, the dataset;
//! - [`problem`], [`error`] — what can be wrong with the data, and why loading failed;
//! - [`manifest`] — `manifest.toml`: which file holds each layer, CRS and field names;
//! - [`source`] — the layer source seam: where each layer's features come from;
//! - `read`, `parse`, `decide`, `validate` — reading a folder;
//! - [`crs`], [`cadastral`], [`properties`] — the validated types;
//! - [`report`] — what `zagore check` prints; `progress` — what reading shows meanwhile.

pub mod cadastral;
pub mod crs;
mod decide;
pub mod error;
mod fast_feature;
pub mod manifest;
pub mod model;
mod open;
mod parse;
pub mod prj;
pub mod problem;
mod progress;
pub mod properties;
mod read;
pub mod report;
mod select;
pub mod source;
mod validate;

pub use cadastral::{CadastralId, CadastralIdError};
pub use crs::{AxisOrder, Crs, CrsError, Transform};
pub use error::DataError;
pub use model::{
    Checked, CrsSource, Dataset, Feature, Layer, LayerKind, LayerName, Locating, Location,
};
pub use problem::{Problem, Severity};
pub use properties::{PropValue, Properties};
