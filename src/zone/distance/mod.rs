//! The distance engine every plot card leans on: nearest points on the WGS84 ellipsoid
//! ([`geodesic`]), an R*-tree of the targets' segments ([`segment_index`]), the road graph
//! and its routes to the interchange ([`network`]), and every plot's distances ([`table`]).
//!
//! It lives in the zone because the plot card (served by the tiles and by the features
//! alike) carries each plot's distance summary: the network and the table are facts derived
//! from one snapshot, built with it. [`crate::measure`] answers questions with it.

pub mod geodesic;
pub mod network;
pub mod segment_index;
pub mod table;

pub use network::{RoadNetwork, Route};
pub use segment_index::SegmentIndex;
pub use table::{DistanceTable, Distances, PlotDistances};
