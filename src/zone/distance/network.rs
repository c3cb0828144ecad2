//! The road network as a graph, and routes along it to the motorway interchange.
//!
//! Nodes are the distinct vertices of the `roads` layer (roads meet at identical shared
//! vertices, compared exactly in lon/lat, which the reader derives deterministically from
//! the source coordinates); edges are the geodesic segments between consecutive vertices,
//! one-way where the road says `oneway` (drawn in its direction of travel). The shortest
//! path tree towards the interchange is computed once, with Dijkstra over the reversed
//! edges, so each route is a walk down the tree. It is our own few lines rather than
//! petgraph's `dijkstra`, which returns no predecessors, so no paths.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use geo::{Coord, Geometry};

use super::geodesic::{self, Nearest, Shape};
use super::segment_index::SegmentIndex;
use crate::geodata::{Dataset, Feature, LayerKind};

/// A plot or point farther than this from every accessible road has no road access.
pub const ACCESS_LIMIT_M: f64 = 500.0;

/// Access points this much farther than the nearest count as equally near (a plot edge
/// parallel to a road is equally near all along); the shortest way on decides among them.
pub const ACCESS_TIE_M: f64 = 1.0;

/// One road of the layer, as routes name it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Road {
    pub id: String,
    pub class: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub name_en: String,
    pub oneway: bool,
    /// The road's speed limit when the data gives a plausible one (1–200 km/h).
    pub maxspeed_kmh: Option<f64>,
}

/// The speed a road is driven at when its data gives none, by class (km/h): Bulgaria's
/// limits outside settlements for motorways (140) and other main roads (90), the urban limit
/// for local streets (50), and a slow pace for ramps and service roads inside the zone.
pub fn default_speed_kmh(class: &str) -> f64 {
    match class {
        "motorway" => 140.0,
        "ring_road" | "primary" => 90.0,
        "secondary" => 80.0,
        "ramp" => 40.0,
        "service" => 20.0,
        _ => 50.0,
    }
}

/// The speed of the short leg from a plot's edge to its access road (a driveway or yard).
pub const ACCESS_SPEED_KMH: f64 = 20.0;

impl Road {
    fn from_feature(f: &Feature) -> Road {
        let text = |k: &str| f.str_prop(k).unwrap_or_default().to_string();
        Road {
            id: f.id.clone(),
            class: text("class"),
            reference: text("ref"),
            name: text("name"),
            name_en: text("name_en"),
            oneway: f
                .properties
                .get("oneway")
                .and_then(crate::geodata::PropValue::as_bool)
                .unwrap_or(false),
            maxspeed_kmh: f
                .properties
                .get("maxspeed_kmh")
                .and_then(crate::geodata::PropValue::as_f64)
                .filter(|v| (1.0..=200.0).contains(v)),
        }
    }

    /// The speed this road is driven at: its limit, else its class's default.
    pub fn speed_kmh(&self) -> f64 {
        self.maxspeed_kmh
            .unwrap_or_else(|| default_speed_kmh(&self.class))
    }

    /// Whether a plot can be reached from this road: not from a motorway or its ramps.
    pub fn gives_access(&self) -> bool {
        !matches!(self.class.as_str(), "motorway" | "ramp")
    }
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    from: usize,
    to: usize,
    road: usize,
    length_m: f64,
    oneway: bool,
}

/// A road that leads to the interchange, found for a plot or point.
#[derive(Debug, Clone)]
pub struct Route {
    /// Where the plot or point joins the road network, and the road there.
    pub access_point: Coord,
    pub access_from: Coord,
    pub access_distance_m: f64,
    pub access_road: Road,
    /// The interchange the route ends at (its POI id).
    pub interchange_id: String,
    /// The route from the plot's nearest point via the access point to the interchange, lon/lat.
    pub path: Vec<Coord>,
    /// Geodesic length of `path` (the access leg plus the way along the roads), metres.
    pub road_distance_m: f64,
    /// The part of it along the roads, from the access point, metres.
    pub along_roads_m: f64,
    /// The roads followed, in order, with the length along each.
    pub roads: Vec<(Road, f64)>,
    /// Driving time along the route at each road's speed (and the access leg at
    /// [`ACCESS_SPEED_KMH`]), seconds. The route is the shortest by distance, not by time.
    pub drive_time_s: f64,
}

/// The road graph and the shortest-path tree towards the interchange(s).
#[derive(Debug, Default)]
pub struct RoadNetwork {
    nodes: Vec<Coord>,
    edges: Vec<Edge>,
    roads: Vec<Road>,
    /// Accessible roads' geometry; `access_edges[path]` is the edge of each path's first segment.
    access: Shape,
    access_index: SegmentIndex,
    access_edges: Vec<usize>,
    /// Per node: road distance to the nearest interchange and the next edge towards it.
    to_goal: Vec<f64>,
    next_edge: Vec<Option<usize>>,
    goal_of: Vec<Option<usize>>,
    /// Interchange POIs on the network: (id, node).
    interchanges: Vec<(String, usize)>,
    /// Why routing is impossible, when it is (no roads, no interchange on the network).
    problem: Option<String>,
    components: usize,
}

impl RoadNetwork {
    pub fn build(dataset: &Dataset) -> RoadNetwork {
        let mut net = RoadNetwork::default();
        let mut node_of: HashMap<(u64, u64), usize> = HashMap::new();
        let features = dataset
            .layer(LayerKind::Roads)
            .map(|l| l.features.as_slice())
            .unwrap_or_default();
        for feature in features {
            let road = Road::from_feature(feature);
            let road_index = net.roads.len();
            let lines = match &feature.lonlat {
                Geometry::LineString(l) => vec![l.0.clone()],
                Geometry::MultiLineString(m) => m.0.iter().map(|l| l.0.clone()).collect(),
                _ => Vec::new(),
            };
            for line in lines {
                let first_edge = net.edges.len();
                for w in line.windows(2) {
                    let from = net.node(&mut node_of, w[0]);
                    let to = net.node(&mut node_of, w[1]);
                    net.edges.push(Edge {
                        from,
                        to,
                        road: road_index,
                        length_m: geodesic::distance(w[0], w[1]),
                        oneway: road.oneway,
                    });
                }
                if road.gives_access() && line.len() >= 2 {
                    net.access.paths.push(line);
                    net.access_edges.push(first_edge);
                }
            }
            net.roads.push(road);
        }
        net.access_index = SegmentIndex::build(&net.access);
        net.components = net.count_components();
        net.find_interchanges(dataset, &node_of);
        net.shortest_path_tree();
        net
    }

    fn node(&mut self, node_of: &mut HashMap<(u64, u64), usize>, c: Coord) -> usize {
        *node_of
            .entry((c.x.to_bits(), c.y.to_bits()))
            .or_insert_with(|| {
                self.nodes.push(c);
                self.nodes.len() - 1
            })
    }

    fn find_interchanges(&mut self, dataset: &Dataset, node_of: &HashMap<(u64, u64), usize>) {
        let pois = dataset
            .layer(LayerKind::Poi)
            .map(|l| l.features.as_slice())
            .unwrap_or_default();
        let mut off_network = Vec::new();
        for poi in pois
            .iter()
            .filter(|f| f.str_prop("kind") == Some("interchange"))
        {
            let Geometry::Point(p) = poi.lonlat else {
                continue;
            };
            match node_of.get(&(p.x().to_bits(), p.y().to_bits())) {
                Some(&node) => self.interchanges.push((poi.id.clone(), node)),
                None => off_network.push(poi.id.clone()),
            }
        }
        if self.edges.is_empty() {
            self.problem = Some("the data has no roads".into());
        } else if self.interchanges.is_empty() {
            self.problem = Some(if off_network.is_empty() {
                "the data has no motorway interchange (poi of kind `interchange`)".into()
            } else {
                format!(
                    "the interchange ({}) is not on a road vertex, so no road reaches it",
                    off_network.join(", ")
                )
            });
        }
    }

    /// Dijkstra from the interchanges over reversed edges: for every node the road distance
    /// to the nearest interchange and the first edge of that way.
    fn shortest_path_tree(&mut self) {
        let n = self.nodes.len();
        self.to_goal = vec![f64::INFINITY; n];
        self.next_edge = vec![None; n];
        self.goal_of = vec![None; n];
        // Edges by the node they can be left from towards a given node: arriving[v] lists
        // (u, edge) such that the edge can be driven from u to v.
        let mut arriving: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for (e, edge) in self.edges.iter().enumerate() {
            arriving[edge.to].push((edge.from, e));
            if !edge.oneway {
                arriving[edge.from].push((edge.to, e));
            }
        }
        let mut heap = BinaryHeap::new();
        for (goal, &(_, node)) in self.interchanges.iter().enumerate() {
            self.to_goal[node] = 0.0;
            self.goal_of[node] = Some(goal);
            heap.push(Reverse((Ordered(0.0), node)));
        }
        while let Some(Reverse((Ordered(d), v))) = heap.pop() {
            if d > self.to_goal[v] {
                continue;
            }
            for &(u, e) in &arriving[v] {
                let candidate = d + self.edges[e].length_m;
                if candidate < self.to_goal[u] {
                    self.to_goal[u] = candidate;
                    self.next_edge[u] = Some(e);
                    self.goal_of[u] = self.goal_of[v];
                    heap.push(Reverse((Ordered(candidate), u)));
                }
            }
        }
    }

    /// Connected components of the graph, ignoring direction (the layer should be one).
    fn count_components(&self) -> usize {
        let mut parent: Vec<usize> = (0..self.nodes.len()).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for edge in &self.edges {
            let (a, b) = (root(&mut parent, edge.from), root(&mut parent, edge.to));
            parent[a] = b;
        }
        (0..self.nodes.len())
            .filter(|&x| root(&mut parent, x) == x)
            .count()
    }

    /// Number of nodes, edges and connected components, for logs and docs.
    pub fn stats(&self) -> (usize, usize, usize) {
        (self.nodes.len(), self.edges.len(), self.components)
    }

    /// The edge an access point lies on.
    fn access_edge(&self, access: &Nearest) -> usize {
        self.access_edges[access.to_path] + access.to_segment
    }

    /// The route from a plot or point to the interchange along the roads, or why there is none.
    pub fn route_from(&self, shape: &Shape) -> Result<Route, String> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        let candidates = self
            .access_index
            .nearly_nearest(shape, &self.access, ACCESS_TIE_M);
        let Some(nearest) = candidates.first() else {
            return Err("the data has no road a plot can be reached from".into());
        };
        if nearest.distance_m > ACCESS_LIMIT_M {
            let road = &self.roads[self.edges[self.access_edge(nearest)].road];
            return Err(format!(
                "no road access within {ACCESS_LIMIT_M:.0} m: the nearest road a plot can be reached from ({}) is {:.1} m away",
                display_name(road),
                nearest.distance_m
            ));
        }
        // Among the (nearly) nearest access points, the one with the shortest way on.
        let mut best: Option<(f64, Nearest, usize)> = None;
        for access in &candidates {
            let edge = self.edges[self.access_edge(access)];
            // Leave the access point towards either end of its edge (backwards only if two-way).
            let forward = (edge.length_m - access.to_along_m).max(0.0) + self.to_goal[edge.to];
            // At the edge's first node itself, that node's way on is open whatever the direction.
            let backward = if edge.oneway && access.to_along_m > 0.0 {
                f64::INFINITY
            } else {
                access.to_along_m + self.to_goal[edge.from]
            };
            let (cost, start) = if forward <= backward {
                (forward, edge.to)
            } else {
                (backward, edge.from)
            };
            let total = access.distance_m + cost;
            if best.is_none_or(|(b, _, _)| total < b) {
                best = Some((total, *access, start));
            }
        }
        let Some((total, access, start)) = best else {
            return Err("the data has no road a plot can be reached from".into());
        };
        let edge = self.edges[self.access_edge(&access)];
        let road = &self.roads[edge.road];
        if !total.is_finite() {
            return Err(format!(
                "the access road ({}) is not connected to the interchange",
                display_name(road)
            ));
        }
        // The route starts at the plot's (or point's) nearest point and joins the road at
        // the access point, so its length is never shorter than the straight line.
        let mut path = vec![access.from];
        if access.to != access.from {
            path.push(access.to);
        }
        let mut roads: Vec<(usize, f64)> = Vec::new();
        let mut push = |path: &mut Vec<Coord>, c: Coord, road: usize| {
            let last = path.last().copied().unwrap_or(c);
            if last != c {
                let length = geodesic::distance(last, c);
                path.push(c);
                match roads.last_mut() {
                    Some((r, l)) if *r == road => *l += length,
                    _ => roads.push((road, length)),
                }
            }
        };
        push(&mut path, self.nodes[start], edge.road);
        let mut node = start;
        // The tree has no cycles; the bound only guards against a bug looping forever.
        for _ in 0..self.edges.len() {
            let Some(e) = self.next_edge[node] else { break };
            let next = self.edges[e];
            node = if next.from == node {
                next.to
            } else {
                next.from
            };
            push(&mut path, self.nodes[node], next.road);
        }
        let goal = self.goal_of[node].and_then(|g| self.interchanges.get(g));
        let Some((interchange_id, _)) = goal else {
            return Err("the route does not reach the interchange".into());
        };
        let seconds = |length_m: f64, speed_kmh: f64| length_m / (speed_kmh / 3.6);
        let drive_time_s = seconds(access.distance_m, ACCESS_SPEED_KMH)
            + roads
                .iter()
                .map(|&(r, length)| seconds(length, self.roads[r].speed_kmh()))
                .sum::<f64>();
        Ok(Route {
            drive_time_s,
            access_point: access.to,
            access_from: access.from,
            access_distance_m: access.distance_m,
            access_road: road.clone(),
            interchange_id: interchange_id.clone(),
            road_distance_m: geodesic::path_length(&path),
            along_roads_m: geodesic::path_length(&path[usize::from(access.to != access.from)..]),
            path,
            roads: roads
                .into_iter()
                .map(|(r, l)| (self.roads[r].clone(), l))
                .collect(),
        })
    }
}

/// "II-66 Път II-66 (към Нова Загора)" or just the name when the road has no number.
pub fn display_name(road: &Road) -> String {
    if road.reference.is_empty() || road.name.contains(&road.reference) {
        road.name.clone()
    } else {
        format!("{} {}", road.reference, road.name)
    }
}

/// f64 ordered by `total_cmp`, for the heap (distances are finite and non-negative).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod speed_tests {
    use super::*;

    fn road(class: &str, maxspeed_kmh: Option<f64>) -> Road {
        Road {
            id: "r".into(),
            class: class.into(),
            reference: String::new(),
            name: String::new(),
            name_en: String::new(),
            oneway: false,
            maxspeed_kmh,
        }
    }

    #[test]
    fn a_road_without_a_speed_limit_is_driven_at_its_class_default() {
        assert_eq!(road("service", None).speed_kmh(), 20.0);
        assert_eq!(road("motorway", None).speed_kmh(), 140.0);
        assert_eq!(road("unknown", None).speed_kmh(), 50.0);
        assert_eq!(road("local", Some(30.0)).speed_kmh(), 30.0);
    }
}
