//! Feature pages serialized straight to JSON text: the same bytes as building a
//! `serde_json::Value` tree and printing it, without the tree. A page of 100 plots held
//! about 20,000 coordinate values, each its own allocation (GeoJSON positions became JSON
//! arrays of JSON numbers), and building and dropping them was most of a page's cost.
//!
//! [`GeoJsonGeometry`] writes a geometry as `{"type", "coordinates"}` in the output CRS's
//! axis order, as geojson's conversion does; [`FeatureOut`] and [`PageOut`] keep the keys
//! in the order the answers have always had.

use geo::{Coord, Geometry, LineString, Polygon};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

/// A geometry to write as a GeoJSON geometry object; `north_first` swaps the axes.
pub struct GeoJsonGeometry {
    pub geometry: Geometry<f64>,
    pub north_first: bool,
}

struct Position(Coord, bool);

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Position(c, north_first) = *self;
        let (first, second) = if north_first { (c.y, c.x) } else { (c.x, c.y) };
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&first)?;
        seq.serialize_element(&second)?;
        seq.end()
    }
}

struct Path<'a>(&'a [Coord], bool);

impl Serialize for Path<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|c| Position(*c, self.1)))
    }
}

struct Lines<'a>(&'a [LineString], bool);

impl Serialize for Lines<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|l| Path(&l.0, self.1)))
    }
}

/// A polygon's rings: the exterior, then the holes.
struct Rings<'a>(&'a Polygon, bool);

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rings = std::iter::once(self.0.exterior()).chain(self.0.interiors());
        s.collect_seq(rings.map(|r| Path(&r.0, self.1)))
    }
}

struct Polygons<'a>(&'a [Polygon], bool);

impl Serialize for Polygons<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|p| Rings(p, self.1)))
    }
}

impl Serialize for GeoJsonGeometry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nf = self.north_first;
        let mut map = s.serialize_map(Some(2))?;
        match &self.geometry {
            Geometry::Point(p) => {
                map.serialize_entry("type", "Point")?;
                map.serialize_entry("coordinates", &Position(p.0, nf))?;
            }
            Geometry::MultiPoint(m) => {
                let coords: Vec<Coord> = m.0.iter().map(|p| p.0).collect();
                map.serialize_entry("type", "MultiPoint")?;
                map.serialize_entry("coordinates", &Path(&coords, nf))?;
            }
            Geometry::LineString(l) => {
                map.serialize_entry("type", "LineString")?;
                map.serialize_entry("coordinates", &Path(&l.0, nf))?;
            }
            Geometry::MultiLineString(m) => {
                map.serialize_entry("type", "MultiLineString")?;
                map.serialize_entry("coordinates", &Lines(&m.0, nf))?;
            }
            Geometry::Polygon(p) => {
                map.serialize_entry("type", "Polygon")?;
                map.serialize_entry("coordinates", &Rings(p, nf))?;
            }
            Geometry::MultiPolygon(m) => {
                map.serialize_entry("type", "MultiPolygon")?;
                map.serialize_entry("coordinates", &Polygons(&m.0, nf))?;
            }
            // No layer holds these; written through geojson's own conversion all the same.
            other => {
                let swapped = if nf {
                    use geo::MapCoords;
                    other.map_coords(|c| geo::coord! { x: c.y, y: c.x })
                } else {
                    other.clone()
                };
                let value = geojson::Geometry::new(geojson::GeometryValue::from(&swapped));
                let object = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
                for (k, v) in object.as_object().into_iter().flatten() {
                    map.serialize_entry(k, v)?;
                }
            }
        }
        map.end()
    }
}

/// One GeoJSON feature with its id and links (and, for plot search, how it matched).
#[derive(Serialize)]
pub struct FeatureOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: &'a str,
    pub geometry: GeoJsonGeometry,
    pub properties: Map<String, Value>,
    pub links: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<Value>,
}

/// A page of features (`/collections/{id}/items`).
#[derive(Serialize)]
pub struct PageOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    pub links: Vec<Value>,
    pub features: Vec<FeatureOut<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, line_string, point, polygon, MapCoords, MultiLineString, MultiPoint};

    /// What the geojson crate writes for the geometry (axes swapped first when asked).
    fn through_geojson(g: &Geometry<f64>, north_first: bool) -> String {
        let g = if north_first {
            g.map_coords(|c| coord! { x: c.y, y: c.x })
        } else {
            g.clone()
        };
        serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(&g))).unwrap()
    }

    #[test]
    fn geometries_are_written_as_geojson_writes_them() {
        let ring = polygon![
            exterior: [(x: 25.1, y: 42.1), (x: 25.3, y: 42.1), (x: 25.3, y: 42.3000000000001), (x: 25.1, y: 42.1)],
            interiors: [[(x: 25.15, y: 42.15), (x: 25.2, y: 42.15), (x: 25.2, y: 42.2), (x: 25.15, y: 42.15)]],
        ];
        let line = line_string![(x: 25.0, y: 42.0), (x: -0.000001, y: 1e-300), (x: 1e21, y: 3.0)];
        let geometries: Vec<Geometry<f64>> = vec![
            point!(x: 25.633816026808, y: 42.11249213699222).into(),
            MultiPoint::new(vec![point!(x: 1.0, y: 2.0), point!(x: 3.5, y: -4.25)]).into(),
            line.clone().into(),
            MultiLineString::new(vec![line.clone(), line]).into(),
            ring.clone().into(),
            geo::MultiPolygon::new(vec![ring.clone(), ring]).into(),
            geo::Rect::new(coord! { x: 1.0, y: 2.0 }, coord! { x: 3.0, y: 4.0 }).into(),
        ];
        for g in &geometries {
            for north_first in [false, true] {
                let written = serde_json::to_string(&GeoJsonGeometry {
                    geometry: g.clone(),
                    north_first,
                })
                .unwrap();
                assert_eq!(written, through_geojson(g, north_first));
            }
        }
    }
}
