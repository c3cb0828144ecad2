//! [`SegmentIndex`]: an R*-tree over the segments (and lone points) of a target shape, so
//! the nearest-point search looks at the few segments near a plot or point instead of
//! every road of a province, with the answer identical to the whole-shape search.
//!
//! The tree holds each segment's box in Earth-centred (ECEF) coordinates, metres. The
//! straight chord between two points of the ellipsoid is never longer than the geodesic
//! between them, so the Euclidean distance between two boxes that contain the geodesics is
//! a lower bound of every geodesic distance between them — on the ellipsoid itself, with no
//! projected plane. Boxes are widened by a margin covering how far a geodesic (and the
//! straight lon/lat segment that crossings are found on) strays from its end points' box.
//!
//! A search visits segments in order of that lower bound (rstar's nearest-neighbour
//! iterator) and stops once the bound exceeds a proven upper bound of the nearest distance
//! (the nearest vertex pair seen) plus the slack; the segments visited, in the shape's own
//! order, then go through the exact geodesic search of [`geodesic::nearly_nearest_among`].

use geo::Coord;
use rstar::{PointDistance, RTree, RTreeObject, AABB};

use super::geodesic::{self, Nearest, Shape};

/// WGS84 semi-major axis (m) and first eccentricity squared.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_E2: f64 = 0.006_694_379_990_141_317;
/// The smallest radius of curvature of the WGS84 ellipsoid (meridional, at the equator), m.
const MIN_RADIUS_M: f64 = 6_335_439.0;

/// Earth-centred, Earth-fixed coordinates of a lon/lat point on the ellipsoid, metres.
fn ecef(c: Coord) -> [f64; 3] {
    let (lon, lat) = (c.x.to_radians(), c.y.to_radians());
    let (sin_lat, cos_lat) = lat.sin_cos();
    let n = WGS84_A / (1.0 - WGS84_E2 * sin_lat * sin_lat).sqrt();
    [
        n * cos_lat * lon.cos(),
        n * cos_lat * lon.sin(),
        n * (1.0 - WGS84_E2) * sin_lat,
    ]
}

/// How far the points of a geodesic of about `chord_m` (and the straight lon/lat line
/// between the same ends) can lie outside the box of its two ends, with a fourfold safety
/// factor: the arc rises above the chord by at most L²/(8ρ) for the smallest radius of
/// curvature ρ, and the lon/lat line strays from the geodesic sideways by about
/// L²·tan(φ)/(8R) at latitude φ. A wider margin only makes the bound weaker, never wrong.
fn margin_m(chord_m: f64, max_abs_lat: f64) -> f64 {
    let length = chord_m * 1.001;
    let tan_lat = max_abs_lat.min(89.0).to_radians().tan();
    length * length * (1.0 + tan_lat) / (2.0 * MIN_RADIUS_M) + 0.001
}

/// The box of some lon/lat points in ECEF, widened by [`margin_m`] for its own diagonal
/// (which bounds every segment between the points, and a polygon's interior).
fn widened_box(points: impl Iterator<Item = Coord>) -> Option<AABB<[f64; 3]>> {
    let mut corners: Option<([f64; 3], [f64; 3])> = None;
    let mut max_abs_lat: f64 = 0.0;
    for c in points {
        let p = ecef(c);
        max_abs_lat = max_abs_lat.max(c.y.abs());
        let (lo, hi) = corners.get_or_insert((p, p));
        for d in 0..3 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    let (lo, hi) = corners?;
    let diagonal = (0..3).map(|d| (hi[d] - lo[d]).powi(2)).sum::<f64>().sqrt();
    let m = margin_m(diagonal, max_abs_lat);
    Some(AABB::from_corners(
        [lo[0] - m, lo[1] - m, lo[2] - m],
        [hi[0] + m, hi[1] + m, hi[2] + m],
    ))
}

/// One segment of a path (from vertex `vertex` to the next), or a path's only vertex.
#[derive(Debug, Clone)]
struct Piece {
    path: usize,
    vertex: usize,
    is_segment: bool,
    envelope: AABB<[f64; 3]>,
}

impl RTreeObject for Piece {
    type Envelope = AABB<[f64; 3]>;

    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

impl PointDistance for Piece {
    fn distance_2(&self, point: &[f64; 3]) -> f64 {
        self.envelope.distance_2(point)
    }
}

/// An R*-tree over one shape's segments; built once per data load, for shapes without an
/// area (lines and points: roads, railways, stations).
#[derive(Debug, Default)]
pub struct SegmentIndex {
    tree: RTree<Piece>,
    /// Whether the shape encloses an area (a polygon target): then searches use every
    /// segment, since the index does not know what lies inside.
    has_area: bool,
}

impl SegmentIndex {
    pub fn build(shape: &Shape) -> SegmentIndex {
        let mut pieces = Vec::new();
        for (p, path) in shape.paths.iter().enumerate() {
            if let [only] = path.as_slice() {
                if let Some(envelope) = widened_box(std::iter::once(*only)) {
                    pieces.push(Piece {
                        path: p,
                        vertex: 0,
                        is_segment: false,
                        envelope,
                    });
                }
            }
            for (i, w) in path.windows(2).enumerate() {
                if let Some(envelope) = widened_box(w.iter().copied()) {
                    pieces.push(Piece {
                        path: p,
                        vertex: i,
                        is_segment: true,
                        envelope,
                    });
                }
            }
        }
        SegmentIndex {
            tree: RTree::bulk_load(pieces),
            has_area: shape.area.is_some(),
        }
    }

    /// The nearest points of `from` and `to` (the shape this index was built from).
    pub fn nearest(&self, from: &Shape, to: &Shape) -> Option<Nearest> {
        self.nearly_nearest(from, to, 0.0).into_iter().next()
    }

    /// Exactly [`geodesic::nearly_nearest`]`(from, to, slack_m)`, looking only at the
    /// segments of `to` near `from`.
    pub fn nearly_nearest(&self, from: &Shape, to: &Shape, slack_m: f64) -> Vec<Nearest> {
        if self.has_area {
            return geodesic::nearly_nearest(from, to, slack_m);
        }
        let from_vertices: Vec<Coord> = from.paths.iter().flatten().copied().collect();
        let Some(from_box) = widened_box(from_vertices.iter().copied()) else {
            return Vec::new();
        };
        // Every point of `from` lies within `radius` of the box's centre, so a piece whose
        // box is `d` from the centre is at least `d - radius` from every point of `from`.
        let (lo, hi) = (from_box.lower(), from_box.upper());
        let centre = [0, 1, 2].map(|d| (lo[d] + hi[d]) / 2.0);
        let radius = (0..3).map(|d| (hi[d] - lo[d]).powi(2)).sum::<f64>().sqrt() / 2.0;
        let mut upper = f64::INFINITY;
        let mut view: Vec<(usize, usize)> = Vec::new();
        for (piece, distance_2) in self.tree.nearest_neighbor_iter_with_distance_2(&centre) {
            if distance_2.sqrt() - radius > upper + slack_m {
                break;
            }
            let Some(&start) = to.paths.get(piece.path).and_then(|p| p.get(piece.vertex)) else {
                continue;
            };
            // Any vertex pair's distance is at least the nearest distance.
            for &f in &from_vertices {
                upper = upper.min(geodesic::distance(f, start));
            }
            view.push((piece.path, piece.vertex));
            if piece.is_segment {
                view.push((piece.path, piece.vertex + 1));
            }
        }
        // The candidates in the order the whole-shape search meets them.
        view.sort_unstable();
        view.dedup();
        let view: Vec<(usize, usize, Coord)> = view
            .into_iter()
            .filter_map(|(p, i)| Some((p, i, *to.paths.get(p)?.get(i)?)))
            .collect();
        geodesic::nearly_nearest_among(from, to, &view, slack_m)
    }
}
