//! Measuring: geodesic distances from plots and points to the motorway, its interchange,
//! the ring road and the railway, and routing along the road network.

use axum::Router;

use crate::app::AppState;
use crate::geodata::Dataset;

/// The road graph for routing (filled in by the distances issue).
#[derive(Debug, Default)]
pub struct RoadNetwork {}

impl RoadNetwork {
    pub fn build(_dataset: &Dataset) -> RoadNetwork {
        RoadNetwork {}
    }
}

/// Every plot's distances, computed once per data version (filled in by the distances issue).
#[derive(Debug, Default)]
pub struct DistanceTable {}

impl DistanceTable {
    pub fn build(_dataset: &Dataset, _network: &RoadNetwork) -> DistanceTable {
        DistanceTable {}
    }

    /// A plot's distances as flat scalar card properties (`motorway_m`, …); empty until the
    /// distances issue computes them.
    pub fn summary(&self, _plot_id: &str) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
