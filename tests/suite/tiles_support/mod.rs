//! An MVT decoder for the tile tests, independent of the encoder: the messages are declared
//! here from `vector_tile.proto` (MVT 2.1) and decoded with `prost`; the geometry commands are
//! interpreted here, and anything the spec calls malformed makes the test fail.
#![allow(dead_code)]

use std::collections::BTreeMap;

use prost::Message;

#[derive(Clone, PartialEq, Message)]
pub struct PbTile {
    #[prost(message, repeated, tag = "3")]
    pub layers: Vec<PbLayer>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbLayer {
    #[prost(uint32, required, tag = "15")]
    pub version: u32,
    #[prost(string, required, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub features: Vec<PbFeature>,
    #[prost(string, repeated, tag = "3")]
    pub keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub values: Vec<PbValue>,
    #[prost(uint32, optional, tag = "5")]
    pub extent: Option<u32>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbValue {
    #[prost(string, optional, tag = "1")]
    pub string_value: Option<String>,
    #[prost(float, optional, tag = "2")]
    pub float_value: Option<f32>,
    #[prost(double, optional, tag = "3")]
    pub double_value: Option<f64>,
    #[prost(int64, optional, tag = "4")]
    pub int_value: Option<i64>,
    #[prost(uint64, optional, tag = "5")]
    pub uint_value: Option<u64>,
    #[prost(sint64, optional, tag = "6")]
    pub sint_value: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    pub bool_value: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbFeature {
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    pub tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    pub r#type: Option<i32>,
    #[prost(uint32, repeated, packed = "true", tag = "4")]
    pub geometry: Vec<u32>,
}

/// A property value with its MVT type.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Double(f64),
    Int(i64),
    Bool(bool),
}

impl Val {
    /// As JSON, for comparing with a plot card.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Val::Str(s) => serde_json::json!(s),
            Val::Double(f) => serde_json::json!(f),
            Val::Int(i) => serde_json::json!(i),
            Val::Bool(b) => serde_json::json!(b),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Point,
    Line,
    Polygon,
}

#[derive(Debug, Clone)]
pub struct Feature {
    pub id: Option<u64>,
    pub kind: Kind,
    pub props: BTreeMap<String, Val>,
    /// Points: one part per point; lines: one part per line; polygons: one part per ring
    /// (without the closing vertex).
    pub parts: Vec<Vec<(i64, i64)>>,
}

impl Feature {
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.props.get(key) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub extent: u32,
    pub features: Vec<Feature>,
}

pub fn decode(bytes: &[u8]) -> BTreeMap<String, Layer> {
    let tile = PbTile::decode(bytes).expect("not a vector tile");
    let mut out = BTreeMap::new();
    for layer in tile.layers {
        assert_eq!(layer.version, 2, "layer {} version", layer.name);
        let values: Vec<Val> = layer
            .values
            .iter()
            .map(|v| {
                if let Some(s) = &v.string_value {
                    Val::Str(s.clone())
                } else if let Some(d) = v.double_value {
                    Val::Double(d)
                } else if let Some(f) = v.float_value {
                    Val::Double(f64::from(f))
                } else if let Some(i) = v.int_value.or(v.sint_value) {
                    Val::Int(i)
                } else if let Some(u) = v.uint_value {
                    Val::Int(i64::try_from(u).expect("uint fits"))
                } else if let Some(b) = v.bool_value {
                    Val::Bool(b)
                } else {
                    panic!("value without a type in layer {}", layer.name)
                }
            })
            .collect();
        let features = layer
            .features
            .iter()
            .map(|f| {
                assert!(f.tags.len() % 2 == 0, "odd tag count");
                let props = f
                    .tags
                    .chunks(2)
                    .map(|kv| {
                        (
                            layer.keys[kv[0] as usize].clone(),
                            values[kv[1] as usize].clone(),
                        )
                    })
                    .collect();
                let kind = match f.r#type {
                    Some(1) => Kind::Point,
                    Some(2) => Kind::Line,
                    Some(3) => Kind::Polygon,
                    other => panic!("geometry type {other:?}"),
                };
                Feature {
                    id: f.id,
                    kind,
                    props,
                    parts: decode_geometry(kind, &f.geometry),
                }
            })
            .collect();
        let name = layer.name.clone();
        let previous = out.insert(
            name.clone(),
            Layer {
                name,
                extent: layer.extent.unwrap_or(4096),
                features,
            },
        );
        assert!(previous.is_none(), "duplicate layer");
    }
    out
}

fn zigzag(v: u32) -> i64 {
    i64::from((v >> 1) as i32 ^ -((v & 1) as i32))
}

/// Interprets the command stream, checking MVT 2.1's rules for each geometry type.
fn decode_geometry(kind: Kind, geometry: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let mut parts: Vec<Vec<(i64, i64)>> = Vec::new();
    let (mut x, mut y) = (0i64, 0i64);
    let mut i = 0;
    let mut expect_move = true;
    while i < geometry.len() {
        let id = geometry[i] & 7;
        let count = (geometry[i] >> 3) as usize;
        i += 1;
        match id {
            1 => {
                assert!(
                    expect_move || kind == Kind::Point,
                    "MoveTo where LineTo/ClosePath expected"
                );
                if kind != Kind::Point {
                    assert_eq!(count, 1, "MoveTo count must be 1 for lines and polygons");
                } else {
                    assert!(count >= 1);
                }
                for _ in 0..count {
                    x += zigzag(geometry[i]);
                    y += zigzag(geometry[i + 1]);
                    i += 2;
                    parts.push(vec![(x, y)]);
                }
                expect_move = kind == Kind::Point;
            }
            2 => {
                assert!(kind != Kind::Point, "LineTo in a point geometry");
                assert!(!expect_move, "LineTo without a MoveTo first");
                assert!(count >= 1, "LineTo with count 0");
                let part = parts.last_mut().expect("a part");
                for _ in 0..count {
                    let (dx, dy) = (zigzag(geometry[i]), zigzag(geometry[i + 1]));
                    i += 2;
                    assert!((dx, dy) != (0, 0), "repeated point");
                    x += dx;
                    y += dy;
                    part.push((x, y));
                }
                if kind == Kind::Line {
                    expect_move = true;
                }
            }
            7 => {
                assert_eq!(kind, Kind::Polygon, "ClosePath outside a polygon");
                assert_eq!(count, 1);
                assert!(
                    parts.last().is_some_and(|p| p.len() >= 3),
                    "ring with < 3 vertices"
                );
                expect_move = true;
            }
            other => panic!("unknown command {other}"),
        }
    }
    assert!(expect_move, "geometry ends in the middle of a part");
    parts
}

/// Twice the ring's area by the surveyor's formula in tile coordinates (positive =
/// exterior ring in MVT 2.1).
pub fn area2(ring: &[(i64, i64)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Whether point p lies on segment a–b exactly (integer arithmetic).
pub fn on_segment(p: (i64, i64), a: (i64, i64), b: (i64, i64)) -> bool {
    let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
    cross == 0
        && p.0 >= a.0.min(b.0)
        && p.0 <= a.0.max(b.0)
        && p.1 >= a.1.min(b.1)
        && p.1 <= a.1.max(b.1)
}

/// Whether p lies on the closed ring's boundary.
pub fn on_ring(p: (i64, i64), ring: &[(i64, i64)]) -> bool {
    let n = ring.len();
    (0..n).any(|i| on_segment(p, ring[i], ring[(i + 1) % n]))
}

/// Whether p lies strictly inside the ring (even-odd rule).
pub fn inside_ring(p: (f64, f64), ring: &[(i64, i64)]) -> bool {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let (ax, ay, bx, by) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
        if (ay > p.1) != (by > p.1) && p.0 < ax + (p.1 - ay) * (bx - ax) / (by - ay) {
            inside = !inside;
        }
    }
    inside
}

/// WGS84 to world tile units (x east, y south) at zoom z, the XYZ formulas.
pub fn lonlat_to_units(z: u8, lon: f64, lat: f64) -> (f64, f64) {
    let world = 4096.0 * f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * world;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * world;
    (x, y)
}

/// Distance from p to segment a–b.
pub fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}
