//! A shapefile's records as the layer sources hand them over: a `.dbf` record's fields as JSON
//! values in the table's order, and a shape as a GeoJSON geometry in the file's coordinates
//! (rings turned to RFC 7946's orientation, heights and measures dropped).

use serde_json::{Map, Number, Value};
use shapefile::dbase::{self, FieldValue};
use shapefile::{Point, PolygonRing, Shape};

/// A record's fields in the table's order, as JSON values (empty fields are null).
pub(crate) fn properties(fields: &[String], mut record: dbase::Record) -> Map<String, Value> {
    fields
        .iter()
        .map(|name| {
            let value = record.remove(name).map_or(Value::Null, field_value);
            (name.clone(), value)
        })
        .collect()
}

fn number(value: f64) -> Value {
    // Whole numbers as integers (the `.dbf` stores AREA as "126933"), like the GeoJSON reads.
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::Number(Number::from(value as i64))
    } else {
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

fn field_value(value: FieldValue) -> Value {
    match value {
        FieldValue::Character(text) => text.map_or(Value::Null, Value::String),
        FieldValue::Memo(text) => Value::String(text),
        FieldValue::Numeric(n) => n.map_or(Value::Null, number),
        FieldValue::Float(n) => n.map_or(Value::Null, |n| number(f64::from(n))),
        FieldValue::Double(n) | FieldValue::Currency(n) => number(n),
        FieldValue::Integer(n) => Value::Number(Number::from(n)),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::Bool),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(t) => {
            let d = t.date();
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
    }
}

fn position(x: f64, y: f64) -> geojson::Position {
    geojson::Position::from(vec![x, y])
}

fn ring_positions<P: Copy>(points: &[P], xy: impl Fn(P) -> (f64, f64)) -> Vec<geojson::Position> {
    // Shapefile rings run clockwise outside and anticlockwise inside; GeoJSON (RFC 7946) the
    // other way round.
    points
        .iter()
        .rev()
        .map(|&p| {
            let (x, y) = xy(p);
            position(x, y)
        })
        .collect()
}

/// Polygons from a shapefile's rings: each outer ring starts a polygon, its holes follow it.
fn polygons<P: Copy>(
    rings: &[PolygonRing<P>],
    xy: impl Fn(P) -> (f64, f64) + Copy,
) -> Option<geojson::GeometryValue> {
    let mut polygons: Vec<Vec<Vec<geojson::Position>>> = Vec::new();
    for ring in rings {
        match ring {
            PolygonRing::Outer(points) => polygons.push(vec![ring_positions(points, xy)]),
            // A hole before any outer ring is kept as a ring of its own polygon: validation
            // reports it.
            PolygonRing::Inner(points) => match polygons.last_mut() {
                Some(polygon) => polygon.push(ring_positions(points, xy)),
                None => polygons.push(vec![ring_positions(points, xy)]),
            },
        }
    }
    match polygons.len() {
        0 => None,
        1 => polygons
            .pop()
            .map(|coordinates| geojson::GeometryValue::Polygon { coordinates }),
        _ => Some(geojson::GeometryValue::MultiPolygon {
            coordinates: polygons,
        }),
    }
}

fn lines<P: Copy>(
    parts: &[Vec<P>],
    xy: impl Fn(P) -> (f64, f64),
) -> Option<geojson::GeometryValue> {
    let mut lines: Vec<Vec<geojson::Position>> = parts
        .iter()
        .map(|part| {
            part.iter()
                .map(|&p| {
                    let (x, y) = xy(p);
                    position(x, y)
                })
                .collect()
        })
        .collect();
    match lines.len() {
        0 => None,
        1 => lines
            .pop()
            .map(|coordinates| geojson::GeometryValue::LineString { coordinates }),
        _ => Some(geojson::GeometryValue::MultiLineString { coordinates: lines }),
    }
}

/// A shape as a GeoJSON geometry in the file's own coordinates (heights and measures dropped);
/// None for a null shape.
pub(crate) fn geometry(shape: &Shape) -> Option<geojson::GeometryValue> {
    let xy = |p: Point| (p.x, p.y);
    let xym = |p: shapefile::PointM| (p.x, p.y);
    let xyz = |p: shapefile::PointZ| (p.x, p.y);
    let point = |x, y| {
        Some(geojson::GeometryValue::Point {
            coordinates: position(x, y),
        })
    };
    let multipoint = |points: Vec<(f64, f64)>| {
        Some(geojson::GeometryValue::MultiPoint {
            coordinates: points.into_iter().map(|(x, y)| position(x, y)).collect(),
        })
    };
    match shape {
        Shape::NullShape => None,
        Shape::Point(p) => point(p.x, p.y),
        Shape::PointM(p) => point(p.x, p.y),
        Shape::PointZ(p) => point(p.x, p.y),
        Shape::Polyline(l) => lines(l.parts(), xy),
        Shape::PolylineM(l) => lines(l.parts(), xym),
        Shape::PolylineZ(l) => lines(l.parts(), xyz),
        Shape::Polygon(p) => polygons(p.rings(), xy),
        Shape::PolygonM(p) => polygons(p.rings(), xym),
        Shape::PolygonZ(p) => polygons(p.rings(), xyz),
        Shape::Multipoint(m) => multipoint(m.points().iter().map(|p| (p.x, p.y)).collect()),
        Shape::MultipointM(m) => multipoint(m.points().iter().map(|p| (p.x, p.y)).collect()),
        Shape::MultipointZ(m) => multipoint(m.points().iter().map(|p| (p.x, p.y)).collect()),
        Shape::Multipatch(_) => None,
    }
}
