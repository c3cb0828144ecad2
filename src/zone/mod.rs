//! The zone being served: one immutable snapshot ([`Zone`]) of the validated geodata, its
//! spatial indexes, and everything derived from them — the road network, every plot's
//! distances, each plot's card points, and the facts the modules above derive once per data
//! version ([`Derived`]). A reload builds a new snapshot off to the side and swaps it into
//! the [`ZoneCell`] in one step; requests hold on to the snapshot they started with.
//!
//! - [`snapshot`] — the [`Zone`] itself and the [`Derived`] trait;
//! - [`card`], [`card_points`] — the plot card, the same in the tiles and in every JSON answer;
//! - [`distance`] — the distance engine (geodesics, the road graph, the distance table);
//! - [`derived`] — the cells holding derived facts, under one policy;
//! - [`cell`] — the swappable current snapshot and reloading it, never with bad data.

pub mod card;
pub mod card_points;
pub mod cell;
pub mod derived;
pub mod distance;
pub mod snapshot;

pub use cell::{
    reload, reload_async, Prepare, ReloadError, ReloadFailure, ReloadLog, Reloaded, ZoneCell,
};
pub use distance::{DistanceTable, PlotDistances, RoadNetwork};
pub use snapshot::{BaseParts, Derived, Zone};
