//! The application: [`AppState`] (configuration plus the data currently served) and the one
//! function that builds it, [`build_state`], which `main` and the tests both call.

use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use crate::config::Config;
use crate::geodata::Feature;
use crate::geodata::{crs, DataError, Dataset};
use crate::measure::{DistanceTable, RoadNetwork};
use crate::tiles::TileCache;

/// Everything derived from one version of the geodata, replaced as a whole.
#[derive(Debug)]
pub struct Data {
    pub dataset: Dataset,
    /// The road graph for routing, built from the `roads` layer.
    pub network: RoadNetwork,
    /// Each plot's distances to the motorway, interchange, ring road and railway.
    pub distances: DistanceTable,
}

impl Data {
    pub fn new(dataset: Dataset) -> Data {
        let network = RoadNetwork::build(&dataset);
        let distances = DistanceTable::build(&dataset, &network);
        Data {
            dataset,
            network,
            distances,
        }
    }

    /// The properties of a plot's card, the same in the tiles' `plots` layer and in every
    /// JSON answer about a plot: its own properties, its computed geodesic area (m² and
    /// decares) and its distance summary (flat, scalar values only).
    pub fn plot_card(&self, plot: &Feature) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let mut card = plot.properties.clone();
        if let Some(area) = plot.area_m2 {
            card.insert("area_m2".into(), json!((area * 10.0).round() / 10.0));
            card.insert("area_decares".into(), json!((area / 100.0).round() / 10.0));
        }
        card.extend(self.distances.summary(&plot.id));
        card
    }
}

struct Inner {
    config: Config,
    data: RwLock<Arc<Data>>,
    tiles: TileCache,
    started_at: OffsetDateTime,
}

/// Shared state of the running service. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Proj(#[from] crs::CrsError),
    #[error("refusing to serve {0}")]
    Data(#[from] DataError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

impl AppState {
    /// The configuration the service started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The data currently served; a request holds on to one version from start to end.
    pub fn data(&self) -> Arc<Data> {
        match self.inner.data.read() {
            Ok(guard) => Arc::clone(&guard),
            // A writer never panics while holding the lock (it only swaps an Arc), but if
            // one did, the Arc inside is still a complete, consistent version.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the served data in one step; requests in flight finish on the old version.
    pub fn replace_data(&self, data: Data) {
        let new = Arc::new(data);
        match self.inner.data.write() {
            Ok(mut guard) => *guard = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
        self.inner.tiles.clear();
    }

    pub fn tiles(&self) -> &TileCache {
        &self.inner.tiles
    }

    pub fn started_at(&self) -> OffsetDateTime {
        self.inner.started_at
    }
}

/// Finds PROJ's database and checks it knows the cadastral CRS; done once at start-up.
pub fn init_proj(config: &Config) -> Result<(), crs::CrsError> {
    if let Some(dir) = config.resolve_proj_data() {
        crs::use_proj_data(&dir);
    }
    crs::check_proj_database()
}

/// Builds the application state: checks the configuration and PROJ, then reads, validates
/// and indexes the geodata. Data with errors is refused with every problem listed.
pub fn build_state(config: Config) -> Result<AppState, StartError> {
    let config = config.validate()?;
    init_proj(&config)?;
    let dataset = Dataset::load(&config.data_dir)?;
    for warning in &dataset.warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        version = %dataset.version,
        layers = ?dataset.counts(),
        "geodata loaded from {}",
        config.data_dir.display()
    );
    let tiles = TileCache::new(config.tile_cache_mb * 1024 * 1024);
    Ok(AppState {
        inner: Arc::new(Inner {
            data: RwLock::new(Arc::new(Data::new(dataset))),
            tiles,
            config,
            started_at: OffsetDateTime::now_utc(),
        }),
    })
}
