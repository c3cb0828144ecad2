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

pub fn routes() -> Router<AppState> {
    Router::new()
}
