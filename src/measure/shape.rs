//! The geometry of a `POST /measure` body, read strictly from the JSON before anything else
//! touches it: every position is checked (two or three finite numbers, longitude within
//! ±180°, latitude within ±90°) and named by its path when it is not, every line has two
//! distinct positions, every ring is closed, has four positions and does not cross itself.
//!
//! Ours rather than the geojson crate's conversion: that conversion indexes positions
//! without checking their length (`[[0],[1]]` panicked inside it) and closes rings silently,
//! so an unclosed ring was measured as if it were closed.

use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};
use serde_json::Value;

use super::error::MeasureError;

/// A geometry that has a length or an area.
#[derive(Debug, Clone)]
pub enum Shape {
    Lines(Vec<Vec<Coord>>),
    Polygons(MultiPolygon<f64>),
}

/// Reads a GeoJSON geometry, or a feature's geometry, into a [`Shape`].
pub fn read(value: &Value) -> Result<Shape, MeasureError> {
    let kind = value.get("type").and_then(Value::as_str).ok_or_else(|| {
        MeasureError::NotGeoJson("the body has no \"type\" naming a GeoJSON geometry".into())
    })?;
    match kind {
        "Feature" => match value.get("geometry") {
            None | Some(Value::Null) => Err(MeasureError::NoGeometry),
            Some(geometry) => read_geometry(geometry, "geometry."),
        },
        _ => read_geometry(value, ""),
    }
}

fn read_geometry(value: &Value, prefix: &str) -> Result<Shape, MeasureError> {
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let coordinates = || {
        value
            .get("coordinates")
            .ok_or_else(|| MeasureError::NotGeoJson(format!("{prefix}coordinates is missing")))
    };
    let path = format!("{prefix}coordinates");
    match kind {
        "LineString" => Ok(Shape::Lines(vec![line(coordinates()?, &path)?])),
        "MultiLineString" => {
            let lines = array(coordinates()?, &path)?
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if lines.is_empty() {
                return Err(MeasureError::Empty("MultiLineString"));
            }
            Ok(Shape::Lines(lines))
        }
        "Polygon" => Ok(Shape::Polygons(MultiPolygon(vec![polygon(
            coordinates()?,
            &path,
        )?]))),
        "MultiPolygon" => {
            let polygons = array(coordinates()?, &path)?
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if polygons.is_empty() {
                return Err(MeasureError::Empty("MultiPolygon"));
            }
            let all = MultiPolygon(polygons);
            if let Err(e) = all.check_validation() {
                return Err(MeasureError::Invalid(format!("{path}: {e}")));
            }
            Ok(Shape::Polygons(all))
        }
        "Point" | "MultiPoint" => Err(MeasureError::Unsupported(kind.to_string())),
        "GeometryCollection" | "FeatureCollection" => {
            Err(MeasureError::Unsupported(kind.to_string()))
        }
        "" => Err(MeasureError::NotGeoJson(format!(
            "{prefix}type is missing or not a string"
        ))),
        other => Err(MeasureError::NotGeoJson(format!(
            "{prefix}type {other:?} is not a GeoJSON geometry type"
        ))),
    }
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, MeasureError> {
    value.as_array().ok_or_else(|| MeasureError::Position {
        path: path.to_string(),
        reason: "must be an array".into(),
    })
}

/// One position: two or three finite numbers, lon/lat in range.
fn position(value: &Value, path: &str) -> Result<Coord, MeasureError> {
    let bad = |reason: &str| MeasureError::Position {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    let items = value
        .as_array()
        .ok_or_else(|| bad("must be a position [lon, lat]"))?;
    if !(2..=3).contains(&items.len()) {
        return Err(bad(&format!(
            "must have 2 or 3 numbers, has {}",
            items.len()
        )));
    }
    let numbers: Vec<f64> = items
        .iter()
        .map(Value::as_f64)
        .collect::<Option<_>>()
        .ok_or_else(|| bad("must hold numbers only"))?;
    let (lon, lat) = (numbers[0], numbers[1]);
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        return Err(bad(&format!("longitude {lon} is outside -180..180")));
    }
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        return Err(bad(&format!("latitude {lat} is outside -90..90")));
    }
    Ok(Coord { x: lon, y: lat })
}

fn positions(value: &Value, path: &str) -> Result<Vec<Coord>, MeasureError> {
    array(value, path)?
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{path}[{i}]")))
        .collect()
}

fn line(value: &Value, path: &str) -> Result<Vec<Coord>, MeasureError> {
    let coords = positions(value, path)?;
    if coords.len() < 2 {
        return Err(MeasureError::Invalid(format!(
            "{path}: a line needs at least two positions, has {}",
            coords.len()
        )));
    }
    if coords.windows(2).all(|w| w[0] == w[1]) {
        return Err(MeasureError::Invalid(format!(
            "{path}: every position of the line is the same point"
        )));
    }
    check_edges(&coords, path)?;
    Ok(coords)
}

/// An edge across more than 180° of longitude is ambiguous (which way round the Earth?).
fn check_edges(coords: &[Coord], path: &str) -> Result<(), MeasureError> {
    for (i, w) in coords.windows(2).enumerate() {
        if (w[1].x - w[0].x).abs() > 180.0 {
            return Err(MeasureError::Invalid(format!(
                "{path}: the edge from position {i} to {} spans more than 180° of longitude; split it",
                i + 1
            )));
        }
    }
    Ok(())
}

fn ring(value: &Value, path: &str) -> Result<LineString<f64>, MeasureError> {
    let coords = positions(value, path)?;
    if coords.len() < 4 {
        return Err(MeasureError::Invalid(format!(
            "{path}: a ring needs at least four positions (the last repeating the first), has {}",
            coords.len()
        )));
    }
    if coords.first() != coords.last() {
        return Err(MeasureError::Invalid(format!(
            "{path}: the ring is not closed: its last position must repeat its first"
        )));
    }
    check_edges(&coords, path)?;
    Ok(LineString(coords))
}

fn polygon(value: &Value, path: &str) -> Result<Polygon<f64>, MeasureError> {
    let rings = array(value, path)?;
    let Some((exterior, interiors)) = rings.split_first() else {
        return Err(MeasureError::Empty("Polygon"));
    };
    let exterior = ring(exterior, &format!("{path}[0]"))?;
    let interiors = interiors
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{path}[{}]", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let polygon = Polygon::new(exterior, interiors);
    if let Err(e) = polygon.check_validation() {
        return Err(MeasureError::Invalid(format!("{path}: {e}")));
    }
    Ok(polygon)
}
