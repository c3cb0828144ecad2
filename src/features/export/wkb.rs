//! Geometries as OGC Well-Known Binary (ISO 19125, 2D, little-endian), the payload of a
//! GeoPackage geometry blob. The format is a handful of fixed rules (a byte order, a type
//! code, counts and coordinate pairs), written here rather than through a crate; GDAL reads
//! every export back in the tests (`tests/suite/exports.rs`).

use geo::{Coord, Geometry, LineString, Polygon};

fn header(out: &mut Vec<u8>, code: u32) {
    out.push(1); // little-endian
    out.extend_from_slice(&code.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(out: &mut Vec<u8>, c: Coord) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn ring(out: &mut Vec<u8>, line: &LineString) {
    count(out, line.0.len());
    for c in &line.0 {
        coord(out, *c);
    }
}

fn polygon_body(out: &mut Vec<u8>, p: &Polygon) {
    count(out, 1 + p.interiors().len());
    ring(out, p.exterior());
    for r in p.interiors() {
        ring(out, r);
    }
}

/// Appends `g` as WKB to `out`.
pub fn write(out: &mut Vec<u8>, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            header(out, 1);
            coord(out, p.0);
        }
        Geometry::LineString(l) => {
            header(out, 2);
            ring(out, l);
        }
        Geometry::Polygon(p) => {
            header(out, 3);
            polygon_body(out, p);
        }
        Geometry::MultiPoint(m) => {
            header(out, 4);
            count(out, m.0.len());
            for p in &m.0 {
                write(out, &Geometry::Point(*p));
            }
        }
        Geometry::MultiLineString(m) => {
            header(out, 5);
            count(out, m.0.len());
            for l in &m.0 {
                header(out, 2);
                ring(out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            header(out, 6);
            count(out, m.0.len());
            for p in &m.0 {
                header(out, 3);
                polygon_body(out, p);
            }
        }
        Geometry::GeometryCollection(c) => {
            header(out, 7);
            count(out, c.0.len());
            for g in &c.0 {
                write(out, g);
            }
        }
        // No layer holds these (geodata reads GeoJSON's types only); as polygons all the same.
        Geometry::Rect(r) => write(out, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => write(out, &Geometry::Polygon(t.to_polygon())),
        Geometry::Line(l) => write(out, &Geometry::LineString(LineString::from(*l))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::point;

    #[test]
    fn a_point_is_21_bytes_little_endian() {
        let mut out = Vec::new();
        write(&mut out, &Geometry::Point(point!(x: 25.5, y: 42.25)));
        let mut expected = vec![1u8, 1, 0, 0, 0];
        expected.extend_from_slice(&25.5f64.to_le_bytes());
        expected.extend_from_slice(&42.25f64.to_le_bytes());
        assert_eq!(out, expected);
    }
}
