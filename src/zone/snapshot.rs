//! [`Zone`]: one version of the zone — the validated geodata, its spatial indexes, and
//! everything derived from them — and [`Derived`], the facts other modules derive from it.

use std::borrow::Cow;
use std::sync::Arc;

use super::card_points::{card_points, CardPoints};
use super::derived::DerivedFacts;
use super::distance::{DistanceTable, PlotDistances, RoadNetwork};
use crate::geodata::{Dataset, Feature, Layer, LayerKind};
use crate::index::LayerIndex;

/// A fact computed from one zone snapshot by a module above the zone (the tiles' shared
/// vertices, the features' queryables, …): see [`super::derived`] for the policy.
pub trait Derived: std::any::Any + Send + Sync + Sized {
    /// Computes the fact. Called at most once per snapshot.
    fn derive(zone: &Zone) -> Self;
}

/// One version of the zone: the data and everything derived from it, replaced as a whole.
#[derive(Debug)]
pub struct Zone {
    pub dataset: Dataset,
    /// One R*-tree per layer, in the order of `dataset.layers`.
    indexes: Vec<LayerIndex>,
    /// The road graph for routing, built from the `roads` layer.
    pub network: RoadNetwork,
    /// Each plot's distances to the motorway, interchange, ring road and railway.
    pub distances: DistanceTable,
    /// Each plot's centroid and a point inside it (lon/lat), by position in the plots layer.
    plot_points: Vec<CardPoints>,
    derived: DerivedFacts,
}

/// An index with nothing in it, for a layer the data does not have.
static NO_INDEX: std::sync::LazyLock<LayerIndex> = std::sync::LazyLock::new(LayerIndex::default);

impl Zone {
    /// Builds the snapshot: indexes every layer, builds the road network, computes the
    /// distance table and the card points. Blocking (seconds for a province).
    pub fn build(dataset: Dataset) -> Zone {
        use rayon::prelude::*;
        let indexes = dataset
            .layers
            .par_iter()
            .map(|layer| LayerIndex::build(&layer.features))
            .collect();
        let network = RoadNetwork::build(&dataset);
        let distances = DistanceTable::build(&dataset, &network);
        let plot_points = match dataset.layer(LayerKind::Plots) {
            Some(plots) => card_points(plots),
            None => Vec::new(),
        };
        Zone {
            dataset,
            indexes,
            network,
            distances,
            plot_points,
            derived: DerivedFacts::default(),
        }
    }

    /// The data version: a content hash of every file read.
    pub fn version(&self) -> &str {
        &self.dataset.version
    }

    pub fn layer(&self, kind: LayerKind) -> Option<&Layer> {
        self.dataset.layer(kind)
    }

    /// The spatial index of a layer (an empty one when the data has no such layer).
    pub fn spatial_index(&self, kind: LayerKind) -> &LayerIndex {
        self.dataset
            .layers
            .iter()
            .position(|l| l.kind == kind)
            .and_then(|i| self.indexes.get(i))
            .unwrap_or(&NO_INDEX)
    }

    /// A fact derived from this snapshot (see [`super::derived`]): computed on first use, once.
    /// Blocks when it is not derived yet: call it off the async workers.
    pub fn get<T: Derived>(&self) -> Arc<T> {
        self.derived.get_or_init(|| T::derive(self))
    }

    /// Whether a derived fact is ready (so that getting it will not block).
    pub fn has<T: Derived>(&self) -> bool {
        self.derived.has::<T>()
    }

    /// Derives a fact now (after loading, before the snapshot is served).
    pub fn warm<T: Derived>(&self) {
        let _ = self.get::<T>();
    }

    /// The centroid and inside point of the plot at `position` in the plots layer.
    pub(super) fn card_points_of(&self, position: Option<usize>) -> Option<&CardPoints> {
        position.and_then(|i| self.plot_points.get(i))
    }

    /// A plot's distances: from the table, or computed now when the data has more plots
    /// than the table holds ([`super::distance::table::EAGER_PLOTS`]). Blocking.
    pub fn plot_distances(&self, plot: &Feature) -> Cow<'_, PlotDistances> {
        match self.distances.plot(&plot.id) {
            Some(row) => Cow::Borrowed(row),
            None => Cow::Owned(self.distances.measure_plot(&self.network, plot)),
        }
    }
}
