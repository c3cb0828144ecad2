//! The application: [`AppState`] (configuration plus the data currently served) and the one
//! function that builds it, [`build_state`], which `main` and the tests both call.

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use crate::config::Config;
use crate::geodata::{crs, DataError, Dataset};
use crate::geodata::{Feature, Layer, LayerKind, PropValue};
use crate::measure::table::PlotDistances;
use crate::measure::{DistanceTable, RoadNetwork};
use crate::metrics::Metrics;
use crate::reload::ReloadLog;
use crate::tiles::TileCache;

/// Everything derived from one version of the geodata, replaced as a whole.
#[derive(Debug)]
pub struct Data {
    pub dataset: Dataset,
    /// The road graph for routing, built from the `roads` layer.
    pub network: RoadNetwork,
    /// Each plot's distances to the motorway, interchange, ring road and railway.
    pub distances: DistanceTable,
    /// Each plot's centroid and a point inside it (lon/lat), by position in the plots layer.
    plot_points: Vec<CardPoints>,
}

/// A plot's centroid and a point inside it, WGS84 longitude/latitude.
type CardPoints = [Option<(f64, f64)>; 2];

impl Data {
    pub fn new(dataset: Dataset) -> Data {
        let network = RoadNetwork::build(&dataset);
        let distances = DistanceTable::build(&dataset, &network);
        let plot_points = match dataset.layer(LayerKind::Plots) {
            Some(plots) => card_points(plots),
            None => Vec::new(),
        };
        Data {
            dataset,
            network,
            distances,
            plot_points,
        }
    }

    /// The properties of a plot's card, the same in the tiles' `plots` layer and in every
    /// JSON answer about a plot: its own properties, its computed geodesic area (m² and
    /// decares), its centroid and a point inside it, and its distance summary (flat, scalar
    /// values only).
    pub fn plot_card(&self, plot: &Feature) -> serde_json::Map<String, serde_json::Value> {
        let position = self
            .dataset
            .layer(LayerKind::Plots)
            .and_then(|plots| plots.position(&plot.id));
        let mut card = serde_json::Map::new();
        self.visit_plot_card(position, plot, |key, value| {
            card.insert(key.to_string(), value.to_value());
        });
        card
    }

    /// The fields of [`Data::plot_card`] one by one, in the card's order, without building
    /// the card: the tile encoder writes a million plots' cards this way without cloning
    /// each plot's properties. `position` is the plot's position in the plots layer (None
    /// when it is not there: the card then has no centroid or inside point).
    pub fn visit_plot_card(
        &self,
        position: Option<usize>,
        plot: &Feature,
        mut visit: impl FnMut(&str, &PropValue),
    ) {
        let number =
            |v: f64| serde_json::Number::from_f64(v).map_or(PropValue::Null, PropValue::Number);
        let mut computed: Vec<(Cow<'static, str>, PropValue)> = Vec::with_capacity(16);
        if let Some(area) = plot.area_m2 {
            computed.push((
                Cow::Borrowed("area_m2"),
                number((area * 10.0).round() / 10.0),
            ));
            computed.push((
                Cow::Borrowed("area_decares"),
                number((area / 100.0).round() / 10.0),
            ));
        }
        let points = position.and_then(|i| self.plot_points.get(i));
        // 8 decimals of a degree is about a millimetre.
        let round = |v: f64| number((v * 1e8).round() / 1e8);
        for ((lon_name, lat_name), point) in [
            ("centroid_lon", "centroid_lat"),
            ("inside_lon", "inside_lat"),
        ]
        .into_iter()
        .zip(points.into_iter().flatten())
        {
            if let Some((lon, lat)) = point {
                computed.push((Cow::Borrowed(lon_name), round(*lon)));
                computed.push((Cow::Borrowed(lat_name), round(*lat)));
            }
        }
        computed.extend(
            self.distances
                .summary(&plot.id)
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), PropValue::from_value(v))),
        );
        // A computed field replaces a property of the same name where the property stood
        // (as inserting into the card would); the rest follow in order.
        let mut emitted = vec![false; computed.len()];
        for (key, value) in plot.properties.iter() {
            match computed.iter().rposition(|(k, _)| k == key) {
                Some(i) => {
                    emitted[i] = true;
                    visit(key, &computed[i].1);
                }
                None => visit(key, value),
            }
        }
        for (i, (key, _)) in computed.iter().enumerate() {
            // A name computed twice keeps its first place and its last value, as in a map.
            let first = computed[..i].iter().all(|(k, _)| k != key);
            let last = computed.iter().rposition(|(k, _)| k == key).unwrap_or(i);
            if first && !emitted[last] {
                emitted[last] = true;
                visit(key, &computed[last].1);
            }
        }
    }

    /// A plot's distances: from the table, or computed now when the data has more plots
    /// than the table holds ([`crate::measure::table::EAGER_PLOTS`]).
    pub fn plot_distances(&self, plot: &Feature) -> Cow<'_, PlotDistances> {
        match self.distances.plot(&plot.id) {
            Some(row) => Cow::Borrowed(row),
            None => Cow::Owned(self.distances.measure_plot(&self.network, plot)),
        }
    }
}

/// Each plot's centroid and a point guaranteed to lie inside it (for labels and markers; the
/// centroid of an L-shaped plot can fall outside), as WGS84 longitude/latitude
/// (`centroid_lon`, `centroid_lat`, `inside_lon`, `inside_lat`). Both are computed in the
/// layer's source CRS — the cadastral plane, where the cadastre measures — then transformed.
fn card_points(plots: &Layer) -> Vec<CardPoints> {
    use geo::{Centroid, InteriorPoint};
    use rayon::prelude::*;
    // PROJ objects are not Send: one per piece of plots, built on the worker's thread.
    let chunk = (plots.features.len() / (rayon::current_num_threads() * 2)).max(2048);
    let mut points = Vec::new();
    // An indexed collect: written straight into one exact-size vector.
    plots
        .features
        .par_iter()
        .with_min_len(chunk)
        .map_init(
            // The layer was reprojected with this very transform when it loaded; should PROJ
            // refuse it now, the cards go without these points rather than fail.
            || crs::Transform::new(&plots.source_crs, &crs::Crs::Crs84).ok(),
            |to_lonlat, plot| {
                let lonlat = |p: Option<geo::Point>| {
                    let (p, t) = (p?, to_lonlat.as_ref()?);
                    t.apply(p.x(), p.y()).ok()
                };
                [
                    lonlat(plot.source.centroid()),
                    lonlat(plot.source.interior_point()),
                ]
            },
        )
        .collect_into_vec(&mut points);
    points
}

struct Inner {
    config: Config,
    data: RwLock<Arc<Data>>,
    tiles: TileCache,
    metrics: Metrics,
    reload_log: ReloadLog,
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

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn reload_log(&self) -> &ReloadLog {
        &self.inner.reload_log
    }
}

/// Finds PROJ's database and checks it knows the cadastral CRS; done once at start-up.
pub fn init_proj(config: &Config) -> Result<(), crs::CrsError> {
    // A folder the user named must hold the database; PROJ itself would quietly fall back
    // to its built-in path, which may hold another version.
    if let Some(dir) = &config.proj_data {
        if !dir.join("proj.db").is_file() {
            return Err(crs::CrsError::Database {
                searched: dir.display().to_string(),
                reason: "there is no proj.db in that folder".to_string(),
            });
        }
    }
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
    let state = AppState {
        inner: Arc::new(Inner {
            data: RwLock::new(Arc::new(Data::new(dataset))),
            tiles,
            metrics: Metrics::new(),
            reload_log: ReloadLog::default(),
            config,
            started_at: OffsetDateTime::now_utc(),
        }),
    };
    state.metrics().data_loaded(&state);
    Ok(state)
}
