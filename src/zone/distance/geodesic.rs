//! Nearest points on the WGS84 ellipsoid: from a point or a polygon's boundary to lines and
//! points, every distance a geodesic (Karney's algorithm, through geo's [`Geodesic`]).
//!
//! A segment between two lon/lat vertices is the geodesic joining them (as in geo's
//! geodesic length). The nearest point on a segment is found on that geodesic itself: the
//! distance from a point to the points of a short geodesic is unimodal along it, so a
//! golden-section search over the arc length finds it to well below a millimetre. Which
//! segments to search is decided exactly, with triangle-inequality bounds from the
//! vertices' geodesic distances, so no projected plane ever decides a result.

use geo::{Bearing, Contains, Coord, Destination, Distance, Geodesic, Line, MultiPolygon, Point};

/// Golden-section stops when the bracket is shorter than this (metres along the segment).
const ARC_TOLERANCE_M: f64 = 1e-5;

/// Geodesic distance between two lon/lat coordinates, metres.
pub fn distance(a: Coord, b: Coord) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

/// Geodesic length of a path of lon/lat coordinates, metres.
pub fn path_length(path: &[Coord]) -> f64 {
    path.windows(2).map(|w| distance(w[0], w[1])).sum()
}

/// The nearest point to `p` on the geodesic segment `a`→`b`.
#[derive(Debug, Clone, Copy)]
pub struct SegmentHit {
    pub distance_m: f64,
    pub point: Coord,
    /// Arc length from `a` to `point`, metres.
    pub along_m: f64,
}

/// Finds the point of the geodesic segment `a`→`b` nearest to `p`, on the ellipsoid.
pub fn nearest_on_segment(p: Coord, a: Coord, b: Coord) -> SegmentHit {
    let length = distance(a, b);
    let at_a = SegmentHit {
        distance_m: distance(p, a),
        point: a,
        along_m: 0.0,
    };
    if length < ARC_TOLERANCE_M {
        return at_a;
    }
    let azimuth = Geodesic.bearing(Point(a), Point(b));
    let point_at = |s: f64| -> Coord {
        if s >= length {
            b
        } else {
            Geodesic.destination(Point(a), azimuth, s).0
        }
    };
    let eval = |s: f64| -> SegmentHit {
        let point = point_at(s);
        SegmentHit {
            distance_m: distance(p, point),
            point,
            along_m: s,
        }
    };
    // Golden-section search for the minimum of the (unimodal) distance along the arc.
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0, length);
    let mut x1 = hi - ratio * (hi - lo);
    let mut x2 = lo + ratio * (hi - lo);
    let mut f1 = eval(x1);
    let mut f2 = eval(x2);
    while hi - lo > ARC_TOLERANCE_M {
        if f1.distance_m <= f2.distance_m {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - ratio * (hi - lo);
            f1 = eval(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + ratio * (hi - lo);
            f2 = eval(x2);
        }
    }
    let at_b = SegmentHit {
        distance_m: distance(p, b),
        point: b,
        along_m: length,
    };
    [f1, f2, at_a, at_b]
        .into_iter()
        .min_by(|x, y| x.distance_m.total_cmp(&y.distance_m))
        .unwrap_or(at_a)
}

/// A shape to measure from or to: paths (lines, polygon rings, or single points as paths of
/// one vertex) and, for polygons, the area they enclose (distance 0 inside it).
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub paths: Vec<Vec<Coord>>,
    pub area: Option<MultiPolygon>,
}

impl Shape {
    pub fn point(c: Coord) -> Shape {
        Shape {
            paths: vec![vec![c]],
            area: None,
        }
    }

    /// A polygonal WGS84 geometry (a plot) as its boundary rings and its area; empty for
    /// any other geometry.
    pub fn polygonal(geometry: &geo::Geometry) -> Shape {
        let area = match geometry {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
            geo::Geometry::MultiPolygon(m) => m.clone(),
            _ => return Shape::default(),
        };
        let paths = area
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|ring| ring.0.clone())
            .collect();
        Shape {
            paths,
            area: Some(area),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.iter().all(Vec::is_empty)
    }

    fn vertices(&self) -> impl Iterator<Item = (usize, usize, Coord)> + '_ {
        self.paths
            .iter()
            .enumerate()
            .flat_map(|(p, path)| path.iter().enumerate().map(move |(i, c)| (p, i, *c)))
    }

    fn contains(&self, c: Coord) -> bool {
        self.area.as_ref().is_some_and(|a| a.contains(&Point(c)))
    }
}

/// The nearest pair of points between two shapes.
#[derive(Debug, Clone, Copy)]
pub struct Nearest {
    pub distance_m: f64,
    /// The point of the `from` shape.
    pub from: Coord,
    /// The point of the `to` shape.
    pub to: Coord,
    /// Which path of `to` the point lies on, which segment of it, and how far along it.
    pub to_path: usize,
    pub to_segment: usize,
    pub to_along_m: f64,
}

/// The nearest points of two shapes on the ellipsoid (0 where they touch or overlap).
///
/// Two geodesic segments that do not cross are nearest at an endpoint of one of them (for
/// segments far shorter than the Earth's radius), so the search is vertex-to-segment both
/// ways. Returns None when either shape is empty.
pub fn nearest(from: &Shape, to: &Shape) -> Option<Nearest> {
    nearly_nearest(from, to, 0.0).into_iter().next()
}

/// The nearest pair and every other vertex-to-segment pair within `slack_m` of it, nearest
/// first: where a plot's edge runs parallel to a road the nearest point is ill-defined
/// (equally near all along), and these discrete candidates (the ends of such stretches)
/// let the caller choose among them by another criterion.
pub fn nearly_nearest(from: &Shape, to: &Shape, slack_m: f64) -> Vec<Nearest> {
    let to_vertices: Vec<_> = to.vertices().collect();
    nearly_nearest_among(from, to, &to_vertices, slack_m)
}

/// [`nearly_nearest`] over some of `to`'s vertices and the segments between consecutive
/// ones (a spatial index's candidates), given as (path, index in path, position) in the
/// order [`Shape::vertices`] gives them. Every pair is measured and ordered exactly as over
/// the whole shape, so when `view` holds every vertex and segment that can be within
/// `slack_m` of the nearest, the answer is identical to the whole shape's.
pub(crate) fn nearly_nearest_among(
    from: &Shape,
    to: &Shape,
    view: &[(usize, usize, Coord)],
    slack_m: f64,
) -> Vec<Nearest> {
    if from.is_empty() || view.is_empty() {
        return Vec::new();
    }
    if let Some(touch) = touching(from, to, view) {
        return vec![touch];
    }
    let to_vertices = view;
    let from_vertices: Vec<_> = from.vertices().collect();
    // Geodesic distance between every pair of vertices: the exact bounds for pruning.
    let mut vertex_distance = vec![vec![0.0; to_vertices.len()]; from_vertices.len()];
    let mut best_upper = f64::INFINITY;
    for (i, (_, _, f)) in from_vertices.iter().enumerate() {
        for (j, (_, _, t)) in to_vertices.iter().enumerate() {
            let d = distance(*f, *t);
            vertex_distance[i][j] = d;
            best_upper = best_upper.min(d);
        }
    }
    let segment_starts = |vertices: &[(usize, usize, Coord)]| -> Vec<usize> {
        (0..vertices.len().saturating_sub(1))
            .filter(|&k| is_segment(vertices, k))
            .collect()
    };
    // Candidates: (lower bound, from-vertex or to-vertex, segment start on the other shape).
    enum Pair {
        Vertices(usize, usize),
        FromVertexToSegment(usize, usize),
        ToVertexFromSegment(usize, usize),
    }
    let mut candidates: Vec<(f64, Pair)> = Vec::new();
    // Vertex pairs matter on their own only where a shape is a single point.
    for (i, row) in vertex_distance.iter().enumerate() {
        for (j, &d) in row.iter().enumerate() {
            if d <= best_upper + slack_m {
                candidates.push((d, Pair::Vertices(i, j)));
            }
        }
    }
    for k in segment_starts(to_vertices) {
        let length = distance(to_vertices[k].2, to_vertices[k + 1].2);
        for (i, row) in vertex_distance.iter().enumerate() {
            // d(p, X) ≥ d(p, A) − d(A, X) ≥ d(p, A) − |AB| for every X on AB; same for B.
            let lower = row[k].max(row[k + 1]) - length;
            if lower <= best_upper + slack_m {
                candidates.push((lower, Pair::FromVertexToSegment(i, k)));
            }
        }
    }
    for k in segment_starts(&from_vertices) {
        let length = distance(from_vertices[k].2, from_vertices[k + 1].2);
        let (row_a, row_b) = (&vertex_distance[k], &vertex_distance[k + 1]);
        for (j, (a, b)) in row_a.iter().zip(row_b).enumerate() {
            let lower = a.max(*b) - length;
            if lower <= best_upper + slack_m {
                candidates.push((lower, Pair::ToVertexFromSegment(j, k)));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut found_all: Vec<Nearest> = Vec::new();
    let mut best = f64::INFINITY;
    for (lower, pair) in candidates {
        if lower > best + slack_m {
            break;
        }
        let found = match pair {
            Pair::Vertices(i, j) => {
                let (p, s, t) = to_vertices[j];
                let (to_segment, to_along_m) = segment_of_vertex(to, p, s);
                Nearest {
                    distance_m: vertex_distance[i][j],
                    from: from_vertices[i].2,
                    to: t,
                    to_path: p,
                    to_segment,
                    to_along_m,
                }
            }
            Pair::FromVertexToSegment(i, k) => {
                let (p, s, a) = to_vertices[k];
                let hit = nearest_on_segment(from_vertices[i].2, a, to_vertices[k + 1].2);
                Nearest {
                    distance_m: hit.distance_m,
                    from: from_vertices[i].2,
                    to: hit.point,
                    to_path: p,
                    to_segment: s,
                    to_along_m: hit.along_m,
                }
            }
            Pair::ToVertexFromSegment(j, k) => {
                let (p, s, t) = to_vertices[j];
                let hit = nearest_on_segment(t, from_vertices[k].2, from_vertices[k + 1].2);
                let (to_segment, along) = segment_of_vertex(to, p, s);
                Nearest {
                    distance_m: hit.distance_m,
                    from: hit.point,
                    to: t,
                    to_path: p,
                    to_segment,
                    to_along_m: along,
                }
            }
        };
        best = best.min(found.distance_m);
        found_all.push(found);
    }
    found_all.retain(|f| f.distance_m <= best + slack_m);
    found_all.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    found_all
}

/// Vertex `s` of path `p` as a place on a segment: the start of segment `s`, or the end of
/// the path's last segment.
fn segment_of_vertex(shape: &Shape, p: usize, s: usize) -> (usize, f64) {
    let path = &shape.paths[p];
    if s + 1 < path.len() || s == 0 {
        (s, 0.0)
    } else {
        (s - 1, distance(path[s - 1], path[s]))
    }
}

/// Whether vertices `k` and `k + 1` of a list from [`Shape::vertices`] (or a part of it)
/// are the two ends of one segment.
fn is_segment(vertices: &[(usize, usize, Coord)], k: usize) -> bool {
    match (vertices.get(k), vertices.get(k + 1)) {
        (Some(&(p, i, _)), Some(&(q, j, _))) => p == q && j == i + 1,
        _ => false,
    }
}

/// A point where the shapes cross or one lies inside the other, at distance 0, looking at
/// the `view` of `to` (see [`nearly_nearest_among`]) in its order. Crossings are found in
/// the lon/lat plane: at the zone's segment lengths a geodesic strays from the straight
/// lon/lat segment by millimetres.
fn touching(from: &Shape, to: &Shape, view: &[(usize, usize, Coord)]) -> Option<Nearest> {
    for (k, &(tp, ts, t)) in view.iter().enumerate() {
        if ts == 0 && from.contains(t) {
            return Some(Nearest {
                distance_m: 0.0,
                from: t,
                to: t,
                to_path: tp,
                to_segment: 0,
                to_along_m: 0.0,
            });
        }
        if !is_segment(view, k) {
            continue;
        }
        let (start, end) = (t, view[k + 1].2);
        let target = Line::new(start, end);
        for fpath in &from.paths {
            for fw in fpath.windows(2) {
                let crossing =
                    geo::line_intersection::line_intersection(Line::new(fw[0], fw[1]), target);
                let point = match crossing {
                    Some(geo::LineIntersection::SinglePoint { intersection, .. }) => intersection,
                    Some(geo::LineIntersection::Collinear { intersection }) => intersection.start,
                    None => continue,
                };
                return Some(Nearest {
                    distance_m: 0.0,
                    from: point,
                    to: point,
                    to_path: tp,
                    to_segment: ts,
                    to_along_m: distance(start, point),
                });
            }
        }
    }
    for fpath in &from.paths {
        if let Some(&first) = fpath.first() {
            if to.contains(first) {
                return Some(Nearest {
                    distance_m: 0.0,
                    from: first,
                    to: first,
                    to_path: 0,
                    to_segment: 0,
                    to_along_m: 0.0,
                });
            }
        }
    }
    None
}
