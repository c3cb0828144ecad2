//! The quick reading of one GeoJSON feature, for the features that are plainly good: its
//! text goes straight into the identifier, the properties map and a `geo` geometry, with no
//! intermediate copy. The `geojson` crate's own reader buffers every feature whole (its
//! `type` tag and foreign members make serde read the object twice) and builds positions
//! before the geometry: it was half of the time it took to read a million plots.
//!
//! Only the common shape is read here: `type` "Feature", an optional string or number `id`,
//! `properties` an object (or null, or none), `geometry` null or one of the six simple
//! types with 2-number positions, non-empty arrays, lines of 2 positions or more and closed
//! rings of 4 or more; other members are skipped, as foreign members. Anything else (a
//! repeated member, a 3-number position, an open ring, a collection, …) gives `None`, and
//! the feature is read again by `geojson`, which gives exactly the result or the problem it
//! always gave: what is read here is what `geojson` reads, only faster.

use std::fmt;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A feature read the quick way: ready for [`super::parse::build_feature`].
pub(super) struct QuickFeature {
    pub id: Option<geojson::feature::Id>,
    pub properties: Map<String, Value>,
    /// The geometry and its GeoJSON type name.
    pub geometry: Option<(Geometry<f64>, &'static str)>,
}

/// Reads a feature's text the quick way; `None` when it is not of the plain, good shape.
pub(super) fn read(text: &str) -> Option<QuickFeature> {
    let feature: FeatureText = serde_json::from_str(text).ok()?;
    // A bounding box is only checked to be numbers, as `geojson` checks it.
    let _ = feature.bbox;
    let geometry = match feature.geometry {
        None => None,
        Some(g) => {
            if g.geometries.is_some() {
                return None;
            }
            let _ = g.bbox;
            Some(build(g.kind, g.coordinates)?)
        }
    };
    Some(QuickFeature {
        id: feature.id,
        properties: feature.properties.unwrap_or_default(),
        geometry,
    })
}

#[derive(Deserialize)]
struct FeatureText {
    #[serde(rename = "type")]
    #[allow(dead_code)]
    kind: FeatureTag,
    id: Option<geojson::feature::Id>,
    properties: Option<Map<String, Value>>,
    geometry: Option<GeometryText>,
    bbox: Option<Vec<f64>>,
}

#[derive(Deserialize)]
enum FeatureTag {
    Feature,
}

#[derive(Deserialize)]
struct GeometryText {
    #[serde(rename = "type")]
    kind: GeometryKind,
    coordinates: Nested,
    bbox: Option<Vec<f64>>,
    geometries: Option<IgnoredAny>,
}

#[derive(Deserialize, Clone, Copy)]
enum GeometryKind {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
}

/// GeoJSON coordinates at their depth: a position, or arrays of them nested 1 to 3 deep.
enum Nested {
    Position(Coord<f64>),
    One(Vec<Coord<f64>>),
    Two(Vec<Vec<Coord<f64>>>),
    Three(Vec<Vec<Vec<Coord<f64>>>>),
}

/// The geometry, when the coordinates' depth is its type's and every part is good.
fn build(kind: GeometryKind, coordinates: Nested) -> Option<(Geometry<f64>, &'static str)> {
    let line = |points: Vec<Coord<f64>>| (points.len() >= 2).then(|| LineString::new(points));
    let ring = |points: Vec<Coord<f64>>| {
        let closed = points.len() >= 4 && points.first() == points.last();
        closed.then(|| LineString::new(points))
    };
    let polygon = |rings: Vec<Vec<Coord<f64>>>| {
        let mut rings = rings.into_iter().map(ring);
        let exterior = rings.next()??;
        let interiors = rings.collect::<Option<Vec<_>>>()?;
        Some(Polygon::new(exterior, interiors))
    };
    Some(match (kind, coordinates) {
        (GeometryKind::Point, Nested::Position(c)) => (Point(c).into(), "Point"),
        (GeometryKind::MultiPoint, Nested::One(points)) => (
            MultiPoint(points.into_iter().map(Point).collect()).into(),
            "MultiPoint",
        ),
        (GeometryKind::LineString, Nested::One(points)) => (line(points)?.into(), "LineString"),
        (GeometryKind::MultiLineString, Nested::Two(lines)) => {
            let lines = lines.into_iter().map(line).collect::<Option<Vec<_>>>()?;
            (MultiLineString(lines).into(), "MultiLineString")
        }
        (GeometryKind::Polygon, Nested::Two(rings)) => (polygon(rings)?.into(), "Polygon"),
        (GeometryKind::MultiPolygon, Nested::Three(polygons)) => {
            let polygons = polygons
                .into_iter()
                .map(polygon)
                .collect::<Option<Vec<_>>>()?;
            (MultiPolygon(polygons).into(), "MultiPolygon")
        }
        _ => return None,
    })
}

/// One element of a coordinates array: a number, or an array nested below it.
enum Element {
    Number(f64),
    Nested(Nested),
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        match Element::deserialize(d)? {
            Element::Nested(nested) => Ok(nested),
            Element::Number(_) => Err(de::Error::custom("coordinates are not an array")),
        }
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or an array")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Element, E> {
        Ok(Element::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let not_plain = || de::Error::custom("not a plain coordinates array");
        let nested = match seq.next_element::<Element>()?.ok_or_else(not_plain)? {
            // A position: exactly two finite numbers.
            Element::Number(x) => {
                let y = seq.next_element::<f64>()?.ok_or_else(not_plain)?;
                if seq.next_element::<IgnoredAny>()?.is_some() || !(x.is_finite() && y.is_finite())
                {
                    return Err(not_plain());
                }
                Nested::Position(Coord { x, y })
            }
            Element::Nested(Nested::Position(first)) => {
                Nested::One(rest(first, &mut seq, |e| match e {
                    Nested::Position(c) => Some(c),
                    _ => None,
                })?)
            }
            Element::Nested(Nested::One(first)) => {
                Nested::Two(rest(first, &mut seq, |e| match e {
                    Nested::One(l) => Some(l),
                    _ => None,
                })?)
            }
            Element::Nested(Nested::Two(first)) => {
                Nested::Three(rest(first, &mut seq, |e| match e {
                    Nested::Two(p) => Some(p),
                    _ => None,
                })?)
            }
            Element::Nested(Nested::Three(_)) => return Err(not_plain()),
        };
        Ok(Element::Nested(nested))
    }
}

/// The first element and the rest of an array, every element at the first one's depth.
fn rest<'de, T, A: SeqAccess<'de>>(
    first: T,
    seq: &mut A,
    same_depth: impl Fn(Nested) -> Option<T>,
) -> Result<Vec<T>, A::Error> {
    let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(4).max(1));
    all.push(first);
    while let Some(nested) = seq.next_element::<Nested>()? {
        let element =
            same_depth(nested).ok_or_else(|| de::Error::custom("coordinates of mixed depth"))?;
        all.push(element);
    }
    // Kept for as long as the data is served: moved into a vector of exactly its length
    // (shrinking in place would leave a sliver of free memory behind every ring, which a
    // million plots add up to tens of megabytes).
    let mut exact = Vec::with_capacity(all.len());
    exact.extend(all);
    Ok(exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `geojson` reads from a feature, for the features the quick way accepts.
    fn by_geojson(
        text: &str,
    ) -> (
        Option<geojson::feature::Id>,
        Map<String, Value>,
        Option<Geometry<f64>>,
    ) {
        let feature: geojson::Feature = serde_json::from_str(text).unwrap();
        let geometry = feature.geometry.map(|g| {
            super::super::validate::positions(&g.value).unwrap();
            Geometry::<f64>::try_from(&g.value).unwrap()
        });
        (feature.id, feature.properties.unwrap_or_default(), geometry)
    }

    #[test]
    fn a_plain_feature_reads_exactly_as_geojson_reads_it() {
        let ring = "[[510000.5,4693000],[510100,4693000.25],[510100,4693080],[5.101e5,4693080],[510000.5,4693000]]";
        let hole = "[[510010,4693010],[510020,4693010],[510020,4693020],[510010,4693010]]";
        let geometries = [
            format!(r#"{{"type": "Polygon", "coordinates": [{ring}]}}"#),
            format!(r#"{{"coordinates": [{ring}, {hole}], "type": "Polygon", "crs": 7}}"#),
            format!(r#"{{"type": "MultiPolygon", "coordinates": [[{ring}, {hole}], [{ring}]], "bbox": [1, 2, 3, 4]}}"#),
            r#"{"type": "LineString", "coordinates": [[1, 2], [3.5, -4e-3]]}"#.to_string(),
            r#"{"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]]]}"#.to_string(),
            r#"{"type": "Point", "coordinates": [25.6, 42.4]}"#.to_string(),
            r#"{"type": "MultiPoint", "coordinates": [[25.6, 42.4], [25, 42]]}"#.to_string(),
            r#"{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]], "geometries": null}"#.to_string(),
            "null".to_string(),
        ];
        let heads = [
            r#""type": "Feature", "id": "68850.1.1", "properties": {"cadastral_id": "68850.1.1", "status": "sold", "n": 1, "f": 2.5, "x": null, "a": [1, {"b": 2}], "s": "Пп"}"#,
            r#""properties": {"z": 1, "a": 2, "z": 3}, "id": 7, "type": "Feature""#,
            r#""type": "Feature", "id": -1.5, "properties": null, "title": {"deep": [1, 2]}"#,
            r#""type": "Feature", "bbox": [0, 0, 1, 1]"#,
            r#""type": "Feature", "id": null, "properties": {}"#,
        ];
        for head in heads {
            for geometry in &geometries {
                let text = format!("{{{head}, \"geometry\": {geometry}}}");
                let quick = read(&text).unwrap_or_else(|| panic!("not read quickly: {text}"));
                let (id, properties, expected) = by_geojson(&text);
                assert_eq!(quick.id, id, "{text}");
                assert_eq!(quick.properties, properties, "{text}");
                assert!(
                    quick.properties.keys().eq(properties.keys()),
                    "order: {text}"
                );
                let read_geometry = quick.geometry.as_ref().map(|(g, _)| g.clone());
                assert_eq!(read_geometry, expected, "{text}");
                if let Some((g, name)) = &quick.geometry {
                    assert_eq!(*name, geo_type_name(g), "{text}");
                }
            }
        }
    }

    fn geo_type_name(g: &Geometry<f64>) -> &'static str {
        match g {
            Geometry::Point(_) => "Point",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::LineString(_) => "LineString",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            _ => "other",
        }
    }

    #[test]
    fn anything_unusual_is_left_to_geojson() {
        let feature = |geometry: &str| {
            format!(r#"{{"type": "Feature", "properties": {{"a": 1}}, "geometry": {geometry}}}"#)
        };
        let unusual = [
            // Positions, rings and lines the checks report on (or geo would change).
            feature(r#"{"type": "Point", "coordinates": [1, 2, 3]}"#),
            feature(r#"{"type": "Point", "coordinates": [1]}"#),
            feature(r#"{"type": "Point", "coordinates": []}"#),
            feature(r#"{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]}"#),
            feature(r#"{"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}"#),
            feature(r#"{"type": "Polygon", "coordinates": []}"#),
            feature(r#"{"type": "Polygon", "coordinates": [[]]}"#),
            feature(r#"{"type": "MultiPolygon", "coordinates": [[]]}"#),
            feature(r#"{"type": "LineString", "coordinates": [[0, 0]]}"#),
            feature(r#"{"type": "MultiPoint", "coordinates": [[0, 0], [[1, 1]]]}"#),
            feature(r#"{"type": "LineString", "coordinates": [[0, 0], [1, 1, 1]]}"#),
            feature(r#"{"type": "Polygon", "coordinates": [[0, 0], [1, 1]]}"#),
            feature(r#"{"type": "Point", "coordinates": 5}"#),
            feature(r#"{"type": "Point", "coordinates": ["1", 2]}"#),
            feature(r#"{"type": "Point"}"#),
            feature(r#"{"type": "GeometryCollection", "geometries": []}"#),
            feature(r#"{"type": "Point", "coordinates": [1, 2], "geometries": []}"#),
            feature(r#"{"type": "Point", "coordinates": [1, 2], "bbox": "x"}"#),
            feature(r#"{"type": "Circle", "coordinates": [1, 2]}"#),
            feature(r#"{"type": "Point", "coordinates": [1, 2], "type": "Point"}"#),
            feature(r#"[1, 2]"#),
            // The feature itself.
            r#"{"properties": {}, "geometry": null}"#.to_string(),
            r#"{"type": "Nope", "geometry": null}"#.to_string(),
            r#"{"type": "Feature", "type": "Feature", "geometry": null}"#.to_string(),
            r#"{"type": "Feature", "properties": {}, "properties": {}}"#.to_string(),
            r#"{"type": "Feature", "properties": [1]}"#.to_string(),
            r#"{"type": "Feature", "id": true}"#.to_string(),
            r#"{"type": "Feature", "bbox": {"a": 1}}"#.to_string(),
            "42".to_string(),
        ];
        for text in unusual {
            assert!(read(&text).is_none(), "read quickly: {text}");
        }
    }
}
