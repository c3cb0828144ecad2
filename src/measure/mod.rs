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
pub mod render;

use geo::{Coord, GeodesicArea, Geometry};
use serde_json::Value;

use crate::zone::distance::geodesic;

/// Why a geometry cannot be measured.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("the body is not a GeoJSON geometry or feature: {0}")]
    NotGeoJson(String),
    #[error("the feature has no geometry")]
    NoGeometry,
    #[error("a {0} has neither a length nor an area to measure; send a LineString, MultiLineString, Polygon or MultiPolygon")]
    Unsupported(String),
    #[error("coordinates must be finite WGS84 longitude/latitude (-180..180, -90..90), found [{0}, {1}]")]
    NotLonLat(f64, f64),
    #[error("a line needs at least two positions")]
    TooShort,
}

/// What `POST /measure` answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    Length { length_m: f64 },
    Area { area_m2: f64, perimeter_m: f64 },
}

/// The geodesic length of a (multi)line or the geodesic area of a (multi)polygon, from a
/// GeoJSON geometry or feature in WGS84 lon/lat.
pub fn measure_geometry(value: Value) -> Result<Measured, MeasureError> {
    let gj = serde_json::from_value::<geojson::GeoJson>(value)
        .map_err(|e| MeasureError::NotGeoJson(e.to_string()))?;
    let geometry = match gj {
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::Feature(f) => f.geometry.ok_or(MeasureError::NoGeometry)?,
        geojson::GeoJson::FeatureCollection(_) => {
            return Err(MeasureError::Unsupported("FeatureCollection".into()))
        }
    };
    let geometry: Geometry<f64> = geometry
        .try_into()
        .map_err(|e: geojson::Error| MeasureError::NotGeoJson(e.to_string()))?;
    use geo::CoordsIter;
    for c in geometry.coords_iter() {
        if !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0) {
            return Err(MeasureError::NotLonLat(c.x, c.y));
        }
    }
    let line_length = |coords: &[Coord]| {
        if coords.len() < 2 {
            Err(MeasureError::TooShort)
        } else {
            Ok(geodesic::path_length(coords))
        }
    };
    match geometry {
        Geometry::LineString(l) => Ok(Measured::Length {
            length_m: line_length(&l.0)?,
        }),
        Geometry::MultiLineString(m) => Ok(Measured::Length {
            length_m: m
                .0
                .iter()
                .map(|l| line_length(&l.0))
                .sum::<Result<f64, _>>()?,
        }),
        Geometry::Polygon(p) => {
            let (perimeter_m, area_m2) = p.geodesic_perimeter_area_unsigned();
            Ok(Measured::Area {
                area_m2,
                perimeter_m,
            })
        }
        Geometry::MultiPolygon(m) => {
            let (perimeter_m, area_m2) = m.geodesic_perimeter_area_unsigned();
            Ok(Measured::Area {
                area_m2,
                perimeter_m,
            })
        }
        Geometry::Point(_) | Geometry::MultiPoint(_) => {
            Err(MeasureError::Unsupported("Point".into()))
        }
        _ => Err(MeasureError::Unsupported("GeometryCollection".into())),
    }
}
