//! What a planner asks of a plot or point: the distances to the A1 motorway, its
//! interchange (straight and by road), the I-5 ring road, the railway and the nearest
//! station, and [`DistanceTable`], those answers for every plot, computed once per data load.

use std::collections::HashMap;

use geo::{Coord, Geometry};
use serde_json::{json, Map, Value};

use super::geodesic::Shape;
use super::network::{display_name, RoadNetwork, Route};
use super::segment_index::SegmentIndex;
use crate::geodata::{Dataset, Feature, LayerKind};

/// The things distances are measured to, gathered from the layers once.
#[derive(Debug, Default)]
struct Targets {
    motorway: Target,
    ring_road: Target,
    rail: Target,
    station: Target,
    interchange: Target,
}

/// One kind of target: its geometry, with the feature each path comes from.
#[derive(Debug, Default)]
struct Target {
    shape: Shape,
    index: SegmentIndex,
    owners: Vec<Owner>,
    /// Said when the data has none of it.
    missing: String,
}

#[derive(Debug, Clone)]
struct Owner {
    id: String,
    name: String,
    name_en: String,
}

impl Target {
    fn collect<'a>(features: impl Iterator<Item = &'a Feature>, missing: &str) -> Target {
        let mut target = Target {
            missing: missing.to_string(),
            ..Target::default()
        };
        for f in features {
            let paths = match &f.lonlat {
                Geometry::Point(p) => vec![vec![p.0]],
                Geometry::LineString(l) => vec![l.0.clone()],
                Geometry::MultiLineString(m) => m.0.iter().map(|l| l.0.clone()).collect(),
                _ => Vec::new(),
            };
            for path in paths {
                target.shape.paths.push(path);
                target.owners.push(Owner {
                    id: f.id.clone(),
                    name: f.str_prop("name").unwrap_or_default().to_string(),
                    name_en: f.str_prop("name_en").unwrap_or_default().to_string(),
                });
            }
        }
        target.index = SegmentIndex::build(&target.shape);
        target
    }

    fn measure(&self, from: &Shape) -> Result<Hit, String> {
        let nearest = self
            .index
            .nearest(from, &self.shape)
            .ok_or_else(|| self.missing.clone())?;
        let owner = self
            .owners
            .get(nearest.to_path)
            .cloned()
            .ok_or_else(|| self.missing.clone())?;
        Ok(Hit {
            distance_m: nearest.distance_m,
            nearest: nearest.to,
            from: nearest.from,
            feature: owner,
        })
    }
}

impl Targets {
    fn collect(dataset: &Dataset) -> Targets {
        let features = |kind| {
            dataset
                .layer(kind)
                .map(|l| l.features.as_slice())
                .unwrap_or_default()
                .iter()
        };
        let roads_of = |class: &'static str| {
            features(LayerKind::Roads).filter(move |f| f.str_prop("class") == Some(class))
        };
        let poi_of = |kind: &'static str| {
            features(LayerKind::Poi).filter(move |f| f.str_prop("kind") == Some(kind))
        };
        Targets {
            motorway: Target::collect(
                roads_of("motorway"),
                "the data has no motorway (road of class `motorway`)",
            ),
            ring_road: Target::collect(
                roads_of("ring_road"),
                "the data has no ring road (road of class `ring_road`)",
            ),
            rail: Target::collect(features(LayerKind::Rail), "the data has no railway"),
            station: Target::collect(
                poi_of("station"),
                "the data has no station (poi of kind `station`)",
            ),
            interchange: Target::collect(
                poi_of("interchange"),
                "the data has no motorway interchange (poi of kind `interchange`)",
            ),
        }
    }
}

/// The nearest point of one target.
#[derive(Debug, Clone)]
pub struct Hit {
    pub distance_m: f64,
    /// The target's nearest point, lon/lat.
    pub nearest: Coord,
    /// The measured plot's or point's nearest point, lon/lat.
    pub from: Coord,
    feature: Owner,
}

/// Every distance of one plot or point; each target either measured or why not.
#[derive(Debug, Clone)]
pub struct Distances {
    pub motorway: Result<Hit, String>,
    pub interchange: Result<Hit, String>,
    pub route: Result<Route, String>,
    pub ring_road: Result<Hit, String>,
    pub rail: Result<Hit, String>,
    pub station: Result<Hit, String>,
}

fn lonlat(c: Coord) -> Value {
    json!([c.x, c.y])
}

/// Metres to the millimetre, for JSON answers.
fn mm(m: f64) -> f64 {
    (m * 1000.0).round() / 1000.0
}

fn hit_json(hit: &Result<Hit, String>) -> Value {
    match hit {
        Ok(h) => json!({
            "distance_m": mm(h.distance_m),
            "nearest": lonlat(h.nearest),
            "from": lonlat(h.from),
            "feature": h.feature.id,
            "name": h.feature.name,
            "name_en": h.feature.name_en,
        }),
        Err(reason) => json!({ "distance_m": null, "reason": reason }),
    }
}

impl Distances {
    fn measure(targets: &Targets, network: &RoadNetwork, from: &Shape) -> Distances {
        Distances {
            motorway: targets.motorway.measure(from),
            interchange: targets.interchange.measure(from),
            route: network.route_from(from),
            ring_road: targets.ring_road.measure(from),
            rail: targets.rail.measure(from),
            station: targets.station.measure(from),
        }
    }

    /// The JSON answer: one object per target.
    pub fn to_json(&self) -> Value {
        let mut interchange = hit_json(&self.interchange);
        if let Value::Object(obj) = &mut interchange {
            match &self.route {
                Ok(route) => {
                    obj.insert("road_distance_m".into(), json!(mm(route.road_distance_m)));
                    obj.insert("along_roads_m".into(), json!(mm(route.along_roads_m)));
                    obj.insert(
                        "drive_time_s".into(),
                        json!((route.drive_time_s * 10.0).round() / 10.0),
                    );
                    obj.insert(
                        "route".into(),
                        json!({
                            "type": "LineString",
                            "coordinates": route.path.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>(),
                        }),
                    );
                    obj.insert("route_interchange".into(), json!(route.interchange_id));
                    obj.insert(
                        "access".into(),
                        json!({
                            "point": lonlat(route.access_point),
                            "from": lonlat(route.access_from),
                            "distance_m": mm(route.access_distance_m),
                            "road": route.access_road,
                        }),
                    );
                    obj.insert(
                        "roads".into(),
                        Value::Array(
                            route
                                .roads
                                .iter()
                                .map(|(road, length)| {
                                    json!({
                                        "id": road.id,
                                        "ref": road.reference,
                                        "name": road.name,
                                        "name_en": road.name_en,
                                        "length_m": mm(*length),
                                        "speed_kmh": road.speed_kmh(),
                                    })
                                })
                                .collect(),
                        ),
                    );
                }
                Err(reason) => {
                    obj.insert("road_distance_m".into(), Value::Null);
                    obj.insert("along_roads_m".into(), Value::Null);
                    obj.insert("drive_time_s".into(), Value::Null);
                    obj.insert("route".into(), Value::Null);
                    obj.insert("road_reason".into(), json!(reason));
                }
            }
        }
        json!({
            "motorway": hit_json(&self.motorway),
            "interchange": interchange,
            "ring_road": hit_json(&self.ring_road),
            "rail": hit_json(&self.rail),
            "station": hit_json(&self.station),
        })
    }

    /// Flat scalar values (metres to 0.1 m), for plot cards, tiles and the table. A target
    /// that could not be measured is left out, and the reason given in `distance_notes`.
    pub fn summary(&self) -> Map<String, Value> {
        let dm = |m: f64| json!((m * 10.0).round() / 10.0);
        let mut out = Map::new();
        let mut notes = Vec::new();
        let put = |key: &str,
                   hit: &Result<Hit, String>,
                   out: &mut Map<String, Value>,
                   notes: &mut Vec<String>| match hit {
            Ok(h) => {
                out.insert(key.into(), dm(h.distance_m));
            }
            Err(reason) => notes.push(format!("{key}: {reason}")),
        };
        put("motorway_m", &self.motorway, &mut out, &mut notes);
        put("interchange_m", &self.interchange, &mut out, &mut notes);
        match &self.route {
            Ok(route) => {
                out.insert("interchange_road_m".into(), dm(route.road_distance_m));
                out.insert(
                    "interchange_drive_min".into(),
                    json!((route.drive_time_s / 6.0).round() / 10.0),
                );
                out.insert(
                    "nearest_access_road".into(),
                    json!(display_name(&route.access_road)),
                );
                out.insert("access_m".into(), dm(route.access_distance_m));
            }
            Err(reason) => notes.push(format!("interchange_road_m: {reason}")),
        }
        put("ring_road_m", &self.ring_road, &mut out, &mut notes);
        put("rail_m", &self.rail, &mut out, &mut notes);
        put("station_m", &self.station, &mut out, &mut notes);
        if let Ok(h) = &self.station {
            out.insert("station_name".into(), json!(h.feature.name));
        }
        if !notes.is_empty() {
            out.insert("distance_notes".into(), json!(notes.join("; ")));
        }
        out
    }
}

/// One plot's row of the table.
#[derive(Debug, Clone)]
pub struct PlotDistances {
    pub plot_id: String,
    pub stage: Option<i64>,
    pub distances: Distances,
}

/// Up to this many plots every plot's distances are computed at load (in parallel); above
/// it (a municipality's or a province's cadastre) each plot's are computed when asked for.
/// With the segment index a plot costs about 9 ms of CPU against a province's 26,000 roads
/// (measured on the synthetic 1M cadastre), so 5,000 plots take under a minute of CPU at
/// load, but a million would take about 2.6 CPU-hours: too long at start-up or after each
/// reload, even in the background on the two cores the service runs on.
pub const EAGER_PLOTS: usize = 5_000;

/// The fields [`DistanceTable::summary`] can give a card, in their order.
pub const SUMMARY_FIELDS: [&str; 11] = [
    "motorway_m",
    "interchange_m",
    "interchange_road_m",
    "interchange_drive_min",
    "nearest_access_road",
    "access_m",
    "ring_road_m",
    "rail_m",
    "station_m",
    "station_name",
    "distance_notes",
];

/// Every plot's distances, computed once per data version (for up to [`EAGER_PLOTS`]
/// plots), and what point queries need.
#[derive(Debug, Default)]
pub struct DistanceTable {
    targets: Targets,
    rows: Vec<PlotDistances>,
    by_id: HashMap<String, usize>,
    /// Plots in the data when the rows were not computed at load.
    deferred: Option<usize>,
}

fn measure_plot(targets: &Targets, network: &RoadNetwork, plot: &Feature) -> PlotDistances {
    PlotDistances {
        plot_id: plot.id.clone(),
        stage: plot.stage(),
        distances: Distances::measure(targets, network, &Shape::polygonal(&plot.lonlat)),
    }
}

impl DistanceTable {
    pub fn build(dataset: &Dataset, network: &RoadNetwork) -> DistanceTable {
        let targets = Targets::collect(dataset);
        let plots = dataset
            .layer(LayerKind::Plots)
            .map(|l| l.features.as_slice())
            .unwrap_or_default();
        if plots.len() > EAGER_PLOTS {
            return DistanceTable {
                targets,
                deferred: Some(plots.len()),
                ..DistanceTable::default()
            };
        }
        use rayon::prelude::*;
        let rows: Vec<PlotDistances> = plots
            .par_iter()
            .map(|plot| measure_plot(&targets, network, plot))
            .collect();
        let by_id = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.plot_id.clone(), i))
            .collect();
        DistanceTable {
            targets,
            rows,
            by_id,
            deferred: None,
        }
    }

    /// The number of plots when their distances are computed on request rather than held
    /// here (more than [`EAGER_PLOTS`]); `None` when [`DistanceTable::rows`] has every plot.
    pub fn deferred(&self) -> Option<usize> {
        self.deferred
    }

    /// One plot's distances, computed now (for data above [`EAGER_PLOTS`] plots).
    pub fn measure_plot(&self, network: &RoadNetwork, plot: &Feature) -> PlotDistances {
        measure_plot(&self.targets, network, plot)
    }

    /// Every plot's row, in the layer's order (empty when [`DistanceTable::deferred`]).
    pub fn rows(&self) -> &[PlotDistances] {
        &self.rows
    }

    /// One plot's distances.
    pub fn plot(&self, plot_id: &str) -> Option<&PlotDistances> {
        self.by_id.get(plot_id).map(|&i| &self.rows[i])
    }

    /// The distances from any point (lon/lat).
    pub fn point(&self, network: &RoadNetwork, point: Coord) -> Distances {
        Distances::measure(&self.targets, network, &Shape::point(point))
    }

    /// The fields [`DistanceTable::summary`] can give: only `distance_notes` above
    /// [`EAGER_PLOTS`] plots.
    pub fn summary_fields(&self) -> &'static [&'static str] {
        match self.deferred {
            Some(_) => &SUMMARY_FIELDS[SUMMARY_FIELDS.len() - 1..],
            None => &SUMMARY_FIELDS,
        }
    }

    /// A plot's distances as flat scalar card properties (`motorway_m`, …). Above
    /// [`EAGER_PLOTS`] plots the card says where to ask instead.
    pub fn summary(&self, plot_id: &str) -> Map<String, Value> {
        if let Some(plots) = self.deferred {
            let mut out = Map::new();
            out.insert(
                "distance_notes".into(),
                json!(format!(
                    "with {plots} plots distances are computed per plot: GET /plots/{plot_id}/distances"
                )),
            );
            return out;
        }
        self.plot(plot_id)
            .map(|row| row.distances.summary())
            .unwrap_or_default()
    }
}
