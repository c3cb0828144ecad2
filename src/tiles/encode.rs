//! Encoding one tile: picks each layer's features from the index, turns their Web Mercator
//! geometry into clipped, simplified integer tile geometry ([`super::geometry`]) and writes
//! MVT 2.1 with the `mvt` crate. Pure CPU work: callers run it on a blocking thread.

use geo::{Coord, Geometry, LineString, Polygon};
use mvt::{GeomEncoder, GeomType, Tile};
use serde_json::{Map, Value};

use super::coord::{mercator_to_units, TileCoord, EXTENT};
use super::geometry::{self, ClipRect, Vertex, P};
use super::layers::{self, feature_properties, vertex_key, Prepared, TileLayer, TILE_LAYERS};
use crate::app::Data;
use crate::geodata::{Feature, LayerKind};

/// Tolerance of the simplification, in tile units (1/4096 of a tile): about 1/16 of a
/// pixel on a 256 px tile, so nothing visible moves while dense lines thin out at low zooms.
pub const SIMPLIFY_TOLERANCE: f64 = 1.0;

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("MVT encoding failed: {0}")]
    Mvt(#[from] mvt::Error),
}

/// Encodes a tile; an empty `Vec` when no layer has a feature in it.
pub fn encode_tile(
    data: &Data,
    prepared: &Prepared,
    tile: TileCoord,
    buffer: u32,
) -> Result<Vec<u8>, EncodeError> {
    let frame = Frame::new(tile, buffer);
    let mut out = Tile::new(EXTENT);
    let mut any = false;
    for spec in &TILE_LAYERS {
        if tile.z < spec.min_zoom {
            continue;
        }
        let Some(layer) = data.dataset.layer(spec.source) else {
            continue;
        };
        let mut positions: Vec<usize> = layer.index.candidates(frame.lonlat).collect();
        positions.sort_unstable();
        let shared = prepared.shared.get(&spec.source);
        let mut mvt_layer = out.create_layer(spec.name);
        for i in positions {
            let feature = &layer.features[i];
            if spec.source == LayerKind::Roads
                && tile.z < layers::road_min_zoom(feature.str_prop("class"))
            {
                continue;
            }
            let geometry = if spec.name == "plot_labels" {
                prepared.label(i, feature).and_then(|c| frame.point(c))
            } else {
                frame.geometry(&feature.mercator, |c| {
                    shared.is_some_and(|s| s.contains(&vertex_key(c)))
                })
            };
            let Some(geometry) = geometry else {
                continue;
            };
            let encoded = write_geometry(&geometry)?;
            if encoded.is_empty() {
                continue;
            }
            let mut mvt_feature = mvt_layer.into_feature(encoded);
            mvt_feature.set_id(feature.numeric_id);
            add_tags(&mut mvt_feature, &properties(data, spec, feature));
            mvt_layer = mvt_feature.into_layer();
        }
        if mvt_layer.num_features() > 0 {
            out.add_layer(mvt_layer)?;
            any = true;
        }
    }
    if !any {
        return Ok(Vec::new());
    }
    Ok(out.to_bytes()?)
}

fn properties(data: &Data, spec: &TileLayer, feature: &Feature) -> Map<String, Value> {
    feature_properties(data, spec, feature)
}

/// Scalar properties become tags with their JSON type; null, arrays and objects are left out
/// (MVT has no such values).
fn add_tags(feature: &mut mvt::Feature, properties: &Map<String, Value>) {
    for (key, value) in properties {
        match value {
            Value::String(s) => feature.add_tag_string(key, s),
            Value::Bool(b) => feature.add_tag_bool(key, *b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    feature.add_tag_sint(key, i);
                } else if let Some(u) = n.as_u64() {
                    feature.add_tag_uint(key, u);
                } else if let Some(f) = n.as_f64() {
                    feature.add_tag_double(key, f);
                }
            }
            Value::Null | Value::Array(_) | Value::Object(_) => {}
        }
    }
}

/// A feature's geometry in tile coordinates (relative to the tile's corner, y down).
#[derive(Debug, Clone, PartialEq)]
pub enum TileGeometry {
    Points(Vec<P>),
    Lines(Vec<Vec<P>>),
    /// Each polygon: exterior ring (clockwise on screen) then holes (counter-clockwise).
    Polygons(Vec<Vec<Vec<P>>>),
}

/// One tile at one zoom: converts and clips geometry.
struct Frame {
    tile: TileCoord,
    origin: P,
    clip: ClipRect,
    lonlat: crate::index::BBox,
}

impl Frame {
    fn new(tile: TileCoord, buffer: u32) -> Frame {
        let origin = tile.origin_units();
        let (b, e) = (i64::from(buffer), i64::from(EXTENT));
        Frame {
            tile,
            origin,
            clip: ClipRect {
                min_x: origin.0 - b,
                min_y: origin.1 - b,
                max_x: origin.0 + e + b,
                max_y: origin.1 + e + b,
            },
            lonlat: tile.buffered_lonlat(buffer),
        }
    }

    fn snap(&self, c: Coord<f64>) -> P {
        let (x, y) = mercator_to_units(self.tile, c.x, c.y);
        (x.round() as i64, y.round() as i64)
    }

    fn local(&self, points: Vec<P>) -> Vec<P> {
        points
            .into_iter()
            .map(|(x, y)| (x - self.origin.0, y - self.origin.1))
            .collect()
    }

    fn point(&self, c: Coord<f64>) -> Option<TileGeometry> {
        let p = self.snap(c);
        self.clip
            .contains(p)
            .then(|| TileGeometry::Points(self.local(vec![p])))
    }

    fn vertices(
        &self,
        line: &LineString<f64>,
        locked: &impl Fn(Coord<f64>) -> bool,
    ) -> Vec<Vertex> {
        line.0
            .iter()
            .map(|&c| Vertex {
                at: self.snap(c),
                locked: locked(c),
            })
            .collect()
    }

    fn geometry(
        &self,
        geometry: &Geometry<f64>,
        locked: impl Fn(Coord<f64>) -> bool,
    ) -> Option<TileGeometry> {
        let result = match geometry {
            Geometry::Point(p) => return self.point(p.0),
            Geometry::MultiPoint(mp) => TileGeometry::Points(
                mp.0.iter()
                    .map(|p| self.snap(p.0))
                    .filter(|&p| self.clip.contains(p))
                    .map(|p| (p.0 - self.origin.0, p.1 - self.origin.1))
                    .collect(),
            ),
            Geometry::LineString(l) => TileGeometry::Lines(self.line(l, &locked)),
            Geometry::MultiLineString(ml) => {
                TileGeometry::Lines(ml.0.iter().flat_map(|l| self.line(l, &locked)).collect())
            }
            Geometry::Polygon(p) => {
                TileGeometry::Polygons(self.polygon(p, &locked).into_iter().collect())
            }
            Geometry::MultiPolygon(mp) => TileGeometry::Polygons(
                mp.0.iter()
                    .filter_map(|p| self.polygon(p, &locked))
                    .collect(),
            ),
            _ => return None,
        };
        let empty = match &result {
            TileGeometry::Points(p) => p.is_empty(),
            TileGeometry::Lines(l) => l.is_empty(),
            TileGeometry::Polygons(p) => p.is_empty(),
        };
        (!empty).then_some(result)
    }

    fn line(&self, line: &LineString<f64>, locked: &impl Fn(Coord<f64>) -> bool) -> Vec<Vec<P>> {
        let vertices = self.vertices(line, locked);
        if !self.touches(&vertices) {
            return Vec::new();
        }
        let simplified = geometry::simplify_path(&vertices, SIMPLIFY_TOLERANCE);
        geometry::clip_path(&simplified, self.clip)
            .into_iter()
            .filter(|piece| piece.len() >= 2)
            .map(|piece| self.local(piece))
            .collect()
    }

    fn ring(
        &self,
        ring: &LineString<f64>,
        exterior: bool,
        locked: &impl Fn(Coord<f64>) -> bool,
    ) -> Option<Vec<P>> {
        let mut vertices = self.vertices(ring, locked);
        if vertices.len() > 1 && ring.0.first() == ring.0.last() {
            vertices.pop();
        }
        if !self.touches(&vertices) {
            return None;
        }
        let simplified =
            geometry::clean_ring(geometry::simplify_ring(&vertices, SIMPLIFY_TOLERANCE))?;
        let clipped = geometry::clean_ring(geometry::clip_ring(&simplified, self.clip))?;
        Some(self.local(geometry::orient(clipped, exterior)))
    }

    fn polygon(
        &self,
        polygon: &Polygon<f64>,
        locked: &impl Fn(Coord<f64>) -> bool,
    ) -> Option<Vec<Vec<P>>> {
        let exterior = self.ring(polygon.exterior(), true, locked)?;
        let mut rings = vec![exterior];
        rings.extend(
            polygon
                .interiors()
                .iter()
                .filter_map(|hole| self.ring(hole, false, locked)),
        );
        Some(rings)
    }

    fn touches(&self, vertices: &[Vertex]) -> bool {
        let mut min = (i64::MAX, i64::MAX);
        let mut max = (i64::MIN, i64::MIN);
        for v in vertices {
            min = (min.0.min(v.at.0), min.1.min(v.at.1));
            max = (max.0.max(v.at.0), max.1.max(v.at.1));
        }
        !vertices.is_empty() && self.clip.touches(min, max)
    }
}

/// Writes tile geometry with the `mvt` encoder. Coordinates are inside the buffered tile,
/// so they fit `i32`.
fn write_geometry(geometry: &TileGeometry) -> Result<mvt::GeomData, EncodeError> {
    let to_i32 = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    match geometry {
        TileGeometry::Points(points) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Point);
            for &(x, y) in points {
                enc.add_point(to_i32(x), to_i32(y))?;
            }
            Ok(enc.encode()?)
        }
        TileGeometry::Lines(lines) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Linestring);
            for line in join_lines(lines) {
                for (x, y) in line {
                    enc.add_point(to_i32(x), to_i32(y))?;
                }
                enc.complete_geom()?;
            }
            Ok(enc.encode()?)
        }
        TileGeometry::Polygons(polygons) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Polygon);
            let mut last: Option<P> = None;
            for ring in polygons.iter().flatten() {
                // The encoder drops a MoveTo whose point repeats the previous ring's last
                // vertex (leaving the ring without one); start such a ring one vertex later.
                let start = usize::from(ring.first().copied() == last);
                for k in 0..ring.len() {
                    let (x, y) = ring[(start + k) % ring.len()];
                    enc.add_point(to_i32(x), to_i32(y))?;
                }
                enc.complete_geom()?;
                last = Some(ring[(start + ring.len() - 1) % ring.len()]);
            }
            Ok(enc.encode()?)
        }
    }
}

/// Joins a part that starts where the previous one ended onto it: the encoder would
/// otherwise continue the previous line without a MoveTo, which MVT 2.1 does not allow.
fn join_lines(lines: &[Vec<P>]) -> Vec<Vec<P>> {
    let mut joined: Vec<Vec<P>> = Vec::new();
    for line in lines {
        match joined.last_mut() {
            Some(prev) if prev.last() == line.first() => prev.extend(line.iter().skip(1)),
            _ => joined.push(line.clone()),
        }
    }
    joined
}
