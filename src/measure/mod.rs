//! Measuring: what a planner asks — a plot's or any point's distances to the A1 Trakia
//! motorway, its interchange (straight and along the road network), the I-5 ring road, the
//! railway and the nearest station, answered from the zone's distance engine
//! ([`crate::zone::distance`]); the distance table rendered; the geodesic length and area of
//! any line or polygon drawn on the map.
//!
//! - [`render`] — the table as JSON, CSV and Markdown; [`cli`] — `zagore distances`.
//!
//! The endpoints are in `crate::http::measure`.

pub mod cli;
mod error;
pub mod render;
mod shape;

pub use error::{MeasureError, MAX_AREA_M2};

use geo::orient::{Direction, Orient};
use geo::GeodesicArea;
use serde_json::Value;

use crate::zone::distance::geodesic;
use shape::Shape;

/// What `POST /measure` answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    Length { length_m: f64 },
    Area { area_m2: f64, perimeter_m: f64 },
}

/// The geodesic length of a (multi)line or the geodesic area of a (multi)polygon, from a
/// GeoJSON geometry or feature in WGS84 lon/lat. The area is the same whichever way the
/// rings turn: they are oriented (exteriors counter-clockwise, holes clockwise) before the
/// geodesic area, so holes are subtracted and a clockwise ring is not taken for the rest of
/// the Earth.
pub fn measure_geometry(value: Value) -> Result<Measured, MeasureError> {
    // `+ 0.0` turns a negative zero into a positive one.
    match shape::read(&value)? {
        Shape::Lines(lines) => Ok(Measured::Length {
            length_m: lines.iter().map(|l| geodesic::path_length(l)).sum::<f64>() + 0.0,
        }),
        Shape::Polygons(polygons) => {
            let oriented = polygons.orient(Direction::Default);
            let (perimeter_m, area_m2) = oriented.geodesic_perimeter_area_unsigned();
            if !(area_m2.is_finite() && area_m2 <= MAX_AREA_M2) {
                return Err(MeasureError::TooLarge(area_m2));
            }
            if area_m2 <= 0.0 {
                return Err(MeasureError::Invalid("the polygon has no area".into()));
            }
            Ok(Measured::Area {
                area_m2: area_m2 + 0.0,
                perimeter_m: perimeter_m + 0.0,
            })
        }
    }
}
