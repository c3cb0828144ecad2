//! Each plot's centroid and a point guaranteed to lie inside it, computed once per snapshot
//! for the plot card (labels and markers; the centroid of an L-shaped plot can fall outside).
//!
//! The point inside is geo's [`geo::InteriorPoint`], found the way geo finds it, with the
//! scan line met edge by edge and the candidate located by [`geo::CoordinatePosition`]
//! instead of geo's general sweep and `relate` (which builds a geometry graph per
//! candidate): the same point, a fraction of the time it took for a million plots.

use crate::geodata::{crs, Layer};

/// A plot's centroid and a point inside it, WGS84 longitude/latitude.
pub type CardPoints = [Option<(f64, f64)>; 2];

/// Each plot's centroid and a point guaranteed to lie inside it (for labels and markers; the
/// centroid of an L-shaped plot can fall outside), as WGS84 longitude/latitude
/// (`centroid_lon`, `centroid_lat`, `inside_lon`, `inside_lat`). Both are computed in the
/// layer's source CRS — the cadastral plane, where the cadastre measures — then transformed.
pub(super) fn card_points(plots: &Layer) -> Vec<CardPoints> {
    use geo::Centroid;
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
                    lonlat(interior_point(&plot.source)),
                ]
            },
        )
        .collect_into_vec(&mut points);
    points
}

/// geo's interior point of a geometry (see the module's note); other types than polygons
/// and multipolygons, and a scan line lying on an edge, are left to geo itself.
fn interior_point(g: &geo::Geometry<f64>) -> Option<geo::Point<f64>> {
    use geo::InteriorPoint;
    let found = match g {
        geo::Geometry::Polygon(p) => polygon_interior_point(p).map(|found| found.map(|(p, _)| p)),
        geo::Geometry::MultiPolygon(m) => m
            .iter()
            .map(polygon_interior_point)
            .collect::<Option<Vec<_>>>()
            .map(|all| {
                // As geo ranks the polygons' points: the longest scan segment wins.
                all.into_iter()
                    .flatten()
                    .min_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less))
                    .map(|(point, _)| point)
            }),
        _ => None,
    };
    found.unwrap_or_else(|| g.interior_point())
}

/// geo's `polygon_interior_point_with_segment_length`: the midpoint of the longest piece of
/// the horizontal line through the middle of the bounds that lies in the polygon, and that
/// length (0 on the boundary). None when the scan line lies on an edge (geo's sweep then
/// pairs edges with each other): the caller asks geo.
#[allow(clippy::type_complexity)]
fn polygon_interior_point(polygon: &geo::Polygon<f64>) -> Option<Option<(geo::Point<f64>, f64)>> {
    use geo::coordinate_position::CoordPos;
    use geo::line_intersection::{line_intersection, LineIntersection};
    use geo::{BoundingRect, Coord, CoordinatePosition, CoordsIter, Line, LinesIter, Point};
    if polygon.exterior().0.len() == 1 {
        return Some(Some((polygon.exterior().0[0].into(), 0.0)));
    }
    let Some(bounds) = polygon.bounding_rect() else {
        return Some(None);
    };
    let mut y_mid = (bounds.min().y + bounds.max().y) / 2.0;
    if polygon.coords_iter().any(|c| c.y == y_mid) {
        let next_closest = polygon
            .coords_iter()
            .filter(|c| c.y != y_mid)
            .map(|c| (c.y, (c.y - y_mid).abs()))
            .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Less));
        if let Some((closest, _)) = next_closest {
            y_mid = (y_mid + closest) / 2.0;
        }
    }
    let scan = Line::new(
        Coord {
            x: bounds.min().x,
            y: y_mid,
        },
        Coord {
            x: bounds.max().x,
            y: y_mid,
        },
    );
    let mut crossings: Vec<Point<f64>> = Vec::new();
    for edge in polygon.lines_iter() {
        if edge == scan {
            return None;
        }
        // geo's sweep orders the segments by their left end, the scan line after the edges
        // that start where it does, and intersects them in that order.
        let left = edge.start.x.min(edge.end.x);
        let met = match left.total_cmp(&bounds.min().x).is_le() {
            true => line_intersection(edge, scan),
            false => line_intersection(scan, edge),
        };
        match met {
            Some(LineIntersection::Collinear { intersection }) => {
                crossings.push(intersection.start.into());
                crossings.push(intersection.end.into());
            }
            Some(LineIntersection::SinglePoint { intersection, .. }) => {
                crossings.push(intersection.into());
            }
            None => {}
        }
    }
    crossings.sort_by(|a, b| a.x().total_cmp(&b.x()));
    let mut segments: Vec<(Point<f64>, f64)> = crossings
        .windows(2)
        .map(|pair| {
            let (start, end) = (pair[0], pair[1]);
            (
                Point::new((start.x() + end.x()) / 2.0, y_mid),
                end.x() - start.x(),
            )
        })
        .collect();
    segments.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (midpoint, length) in segments {
        match polygon.coordinate_position(&midpoint.0) {
            CoordPos::Inside => return Some(Some((midpoint, length))),
            CoordPos::OnBoundary => return Some(Some((midpoint, 0.0))),
            CoordPos::Outside => {}
        }
    }
    Some(polygon.coords_iter().next().map(|c| (c.into(), 0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Geometry, InteriorPoint, LineString, MultiPolygon, Polygon};

    /// A small deterministic generator (no dependency for a test's jitter).
    struct Jitter(u64);
    impl Jitter {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
    }

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        let mut points = points.to_vec();
        points.push(points[0]);
        LineString::from(points)
    }

    #[test]
    fn the_point_inside_is_geos_own() {
        let mut jitter = Jitter(7);
        let mut shapes: Vec<Geometry<f64>> = Vec::new();
        for i in 0..3000 {
            let (x, y) = (
                500_000.0 + 80.0 * (i % 50) as f64,
                4_690_000.0 + 80.0 * (i / 50) as f64,
            );
            let mut j = |d: f64| d + 6.0 * (jitter.next() - 0.5);
            // Jittered quadrilaterals and hexagons, as a cadastre has.
            shapes.push(
                Polygon::new(
                    ring(&[
                        (x, y),
                        (j(x + 70.0), j(y)),
                        (j(x + 70.0), j(y + 60.0)),
                        (j(x), j(y + 60.0)),
                    ]),
                    vec![],
                )
                .into(),
            );
            let hexagon: Vec<_> = (0..6)
                .map(|k| {
                    let a = k as f64 * std::f64::consts::PI / 3.0;
                    (j(x + 30.0 * a.cos()), j(y + 30.0 * a.sin()))
                })
                .collect();
            shapes.push(Polygon::new(ring(&hexagon), vec![]).into());
            // L- and U-shaped plots (the centroid falls outside), one with a hole.
            let l = ring(&[
                (x, y),
                (j(x + 60.0), y),
                (j(x + 60.0), j(y + 20.0)),
                (j(x + 20.0), j(y + 20.0)),
                (j(x + 20.0), j(y + 60.0)),
                (x, j(y + 60.0)),
            ]);
            shapes.push(Polygon::new(l.clone(), vec![]).into());
            let u = ring(&[
                (x, y),
                (x + 60.0, y),
                (x + 60.0, y + 60.0),
                (x + 45.0, y + 60.0),
                (x + 45.0, y + 15.0),
                (x + 15.0, y + 15.0),
                (x + 15.0, y + 60.0),
                (x, y + 60.0),
            ]);
            shapes.push(Polygon::new(u.clone(), vec![]).into());
            let hole = ring(&[
                (x + 5.0, y + 5.0),
                (x + 5.0, y + 10.0),
                (x + 10.0, y + 10.0),
                (x + 10.0, y + 5.0),
            ]);
            shapes.push(Polygon::new(u.clone(), vec![hole]).into());
            shapes
                .push(MultiPolygon(vec![Polygon::new(l, vec![]), Polygon::new(u, vec![])]).into());
        }
        // A scan line through vertices (the perturbed line) and a square (collinear edges).
        shapes.push(
            Polygon::new(
                ring(&[(0.0, 0.0), (2.0, 1.0), (4.0, 0.0), (4.0, 2.0), (0.0, 2.0)]),
                vec![],
            )
            .into(),
        );
        shapes.push(
            Polygon::new(
                ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]),
                vec![],
            )
            .into(),
        );
        for shape in &shapes {
            assert_eq!(interior_point(shape), shape.interior_point(), "{shape:?}");
            if let Geometry::Polygon(p) = shape {
                assert!(polygon_interior_point(p).is_some(), "left to geo: {p:?}");
            }
        }
    }
}
