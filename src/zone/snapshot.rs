//! [`Zone`]: one version of the zone — the validated geodata, its spatial indexes, and
//! everything derived from them, with the sales register's facts laid over the plots — and
//! [`Derived`], the facts other modules derive from it.
//!
//! A zone is two parts: the heavy [`ZoneBase`] (data, indexes, road network, distance table,
//! card points), built once per data version, and the register's [`Book`], replaced by every
//! committed edit. An edit publishes a new `Zone` sharing the base (an `Arc`): nothing heavy
//! is rebuilt, and facts derived from the cards ([`Derived::READS_CARDS`]) are derived again.

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;

use geo::BoundingRect;

use super::card_points::{card_points, CardPoints};
use super::derived::DerivedFacts;
use super::distance::{DistanceTable, PlotDistances, RoadNetwork};
use crate::geodata::{Dataset, Feature, Layer, LayerKind};
use crate::index::{BBox, LayerIndex};
use crate::register::Book;

/// A fact computed from one zone snapshot by a module above the zone (the tiles' shared
/// vertices, the features' queryables, …): see [`super::derived`] for the policy.
pub trait Derived: std::any::Any + Send + Sync + Sized {
    /// Whether the fact reads the plots' cards (which a register edit changes): then it is
    /// derived once per register version, else once per data version.
    const READS_CARDS: bool = false;
    /// Computes the fact. Called at most once per snapshot.
    fn derive(zone: &Zone) -> Self;
}

/// What one data version holds, shared by every register version laid over it.
#[derive(Debug)]
pub struct ZoneBase {
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

/// What a data version derives from the dataset alone, before any register is laid over it.
pub struct BaseParts {
    indexes: Vec<LayerIndex>,
    network: RoadNetwork,
    distances: DistanceTable,
    plot_points: Vec<CardPoints>,
}

impl BaseParts {
    /// Indexes every layer, builds the road network and the distance table, and computes
    /// the card points: independent of one another, so built side by side (an R-tree's bulk
    /// load, the network and the table's set-up are sequential work). Blocking.
    pub fn build(dataset: &Dataset) -> BaseParts {
        use rayon::prelude::*;
        let ((indexes, plot_points), (network, distances)) = rayon::join(
            || {
                rayon::join(
                    || {
                        dataset
                            .layers
                            .par_iter()
                            .map(|layer| LayerIndex::build(&layer.features))
                            .collect()
                    },
                    || match dataset.layer(LayerKind::Plots) {
                        Some(plots) => card_points(plots),
                        None => Vec::new(),
                    },
                )
            },
            || {
                let network = RoadNetwork::build(dataset);
                let distances = DistanceTable::build(dataset, &network);
                (network, distances)
            },
        );
        BaseParts {
            indexes,
            network,
            distances,
            plot_points,
        }
    }
}

/// One version of the zone: the data, everything derived from it, and the register's facts.
#[derive(Debug)]
pub struct Zone {
    base: Arc<ZoneBase>,
    register: Arc<Book>,
    /// The WGS84 box of each plot edited since the register's import, with the revision
    /// of its last change: what tells a tile its own revision.
    edited: Vec<(BBox, u64)>,
    /// Facts derived from the cards, for this register version.
    card_derived: DerivedFacts,
}

impl Deref for Zone {
    type Target = ZoneBase;
    fn deref(&self) -> &ZoneBase {
        &self.base
    }
}

/// An index with nothing in it, for a layer the data does not have.
static NO_INDEX: std::sync::LazyLock<LayerIndex> = std::sync::LazyLock::new(LayerIndex::default);

impl Zone {
    /// Builds the snapshot without register facts (the plots as their file has them).
    /// Blocking (seconds for a province).
    pub fn build(dataset: Dataset) -> Zone {
        Zone::build_with(dataset, Arc::new(Book::default()))
    }

    /// Builds the snapshot: indexes every layer, builds the road network, computes the
    /// distance table and the card points, and lays `register` over the plots. Blocking
    /// (seconds for a province).
    pub fn build_with(dataset: Dataset, register: Arc<Book>) -> Zone {
        let parts = BaseParts::build(&dataset);
        Zone::assemble(dataset, parts, register)
    }

    /// The snapshot from a dataset and its heavy parts, built by [`BaseParts::build`] (for
    /// a caller that builds them while it opens the register).
    pub fn assemble(dataset: Dataset, parts: BaseParts, register: Arc<Book>) -> Zone {
        let BaseParts {
            indexes,
            network,
            distances,
            plot_points,
        } = parts;
        let base = Arc::new(ZoneBase {
            dataset,
            indexes,
            network,
            distances,
            plot_points,
            derived: DerivedFacts::default(),
        });
        Zone::over(base, register)
    }

    fn over(base: Arc<ZoneBase>, register: Arc<Book>) -> Zone {
        let plots = base.dataset.layer(LayerKind::Plots);
        let edited = register
            .edited()
            .filter_map(|entry| {
                let rect = plots?.get(&entry.plot)?.lonlat.bounding_rect()?;
                let bbox = BBox {
                    west: rect.min().x,
                    south: rect.min().y,
                    east: rect.max().x,
                    north: rect.max().y,
                };
                Some((bbox, entry.revision))
            })
            .collect();
        Zone {
            base,
            register,
            edited,
            card_derived: DerivedFacts::default(),
        }
    }

    /// The same data with another version of the register laid over it: shares everything
    /// heavy (cheap: it visits only the edited entries).
    pub fn with_register(&self, register: Arc<Book>) -> Zone {
        Zone::over(Arc::clone(&self.base), register)
    }

    /// The register version laid over the plots.
    pub fn register(&self) -> &Book {
        &self.register
    }

    /// The register version, shared.
    pub fn register_arc(&self) -> Arc<Book> {
        Arc::clone(&self.register)
    }

    /// The register's revision among the plots touching `bbox` (WGS84): the largest
    /// revision of an edited plot whose box meets it, 0 when none does. A tile's content
    /// changes only when this does (or the data version). Costs one box test per edited plot.
    pub fn register_revision_within(&self, bbox: &BBox) -> u64 {
        self.edited
            .iter()
            .filter(|(b, _)| {
                b.west <= bbox.east
                    && bbox.west <= b.east
                    && b.south <= bbox.north
                    && bbox.south <= b.north
            })
            .map(|(_, revision)| *revision)
            .max()
            .unwrap_or(0)
    }

    /// Whether two snapshots share the same data (they differ at most in register version).
    pub fn same_data(&self, other: &Zone) -> bool {
        Arc::ptr_eq(&self.base, &other.base)
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
            .and_then(|i| self.base.indexes.get(i))
            .unwrap_or(&NO_INDEX)
    }

    /// A fact derived from this snapshot (see [`super::derived`]): computed on first use, once.
    /// Blocks when it is not derived yet: call it off the async workers.
    pub fn get<T: Derived>(&self) -> Arc<T> {
        if T::READS_CARDS {
            self.card_derived.get_or_init(|| T::derive(self))
        } else {
            self.base.derived.get_or_init(|| T::derive(self))
        }
    }

    /// Whether a derived fact is ready (so that getting it will not block).
    pub fn has<T: Derived>(&self) -> bool {
        if T::READS_CARDS {
            self.card_derived.has::<T>()
        } else {
            self.base.derived.has::<T>()
        }
    }

    /// Derives a fact now (after loading, before the snapshot is served).
    pub fn warm<T: Derived>(&self) {
        let _ = self.get::<T>();
    }

    /// The centroid and inside point of the plot at `position` in the plots layer.
    pub(super) fn card_points_of(&self, position: Option<usize>) -> Option<&CardPoints> {
        position.and_then(|i| self.base.plot_points.get(i))
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
