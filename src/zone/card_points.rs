//! Each plot's centroid and a point guaranteed to lie inside it, computed once per snapshot
//! for the plot card (labels and markers; the centroid of an L-shaped plot can fall outside).

use crate::geodata::{crs, Layer};

/// A plot's centroid and a point inside it, WGS84 longitude/latitude.
pub type CardPoints = [Option<(f64, f64)>; 2];

/// Each plot's centroid and a point guaranteed to lie inside it (for labels and markers; the
/// centroid of an L-shaped plot can fall outside), as WGS84 longitude/latitude
/// (`centroid_lon`, `centroid_lat`, `inside_lon`, `inside_lat`). Both are computed in the
/// layer's source CRS — the cadastral plane, where the cadastre measures — then transformed.
pub(super) fn card_points(plots: &Layer) -> Vec<CardPoints> {
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
