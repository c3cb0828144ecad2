//! A direct writer of MVT 2.1 protobuf (the `vector_tile.proto` messages): layers, features
//! with their interned tags, and geometry commands, written straight into bytes.
//!
//! It replaces building `mvt`/prost message objects per feature and tag (an owned `String`
//! and a boxed message per tag value, then a second pass to serialise): a cold tile of a
//! dense cadastre has thousands of features with some thirty tags each, and that allocation
//! was a fifth of the encoding time. Keys and values are interned per layer as the
//! specification asks; a value is interned by its own encoded bytes, so two values are the
//! same exactly when they would be written the same.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::Value;

/// The tile's layers, bytes ready.
#[derive(Debug, Default)]
pub struct TileWriter {
    bytes: Vec<u8>,
}

impl TileWriter {
    /// Appends a finished layer (a layer without features is left out).
    pub fn add_layer(&mut self, layer: LayerWriter) {
        if layer.features == 0 {
            return;
        }
        let body = layer.finish();
        // Tile.layers = 3
        put_len_delimited(&mut self.bytes, 3, &body);
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// One layer being written: its encoded features, and its key and value tables.
#[derive(Debug)]
pub struct LayerWriter {
    name: &'static str,
    extent: u32,
    features: usize,
    feature_bytes: Vec<u8>,
    keys: Vec<String>,
    key_index: HashMap<String, u32, Fnv>,
    /// The key after the last one used: features of a layer list their keys in the same
    /// order, so this guess saves nearly every key lookup.
    next_key: usize,
    values: Vec<u8>,
    value_index: HashMap<Box<[u8]>, u32, Fnv>,
    value_count: u32,
    /// The tags and geometry of the feature being written.
    tags: Vec<u32>,
    scratch: Vec<u8>,
}

/// The geometry type of a feature (MVT `GeomType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    Point = 1,
    LineString = 2,
    Polygon = 3,
}

impl LayerWriter {
    pub fn new(name: &'static str, extent: u32) -> LayerWriter {
        LayerWriter {
            name,
            extent,
            features: 0,
            feature_bytes: Vec::new(),
            keys: Vec::new(),
            key_index: HashMap::default(),
            next_key: 0,
            values: Vec::new(),
            value_index: HashMap::default(),
            value_count: 0,
            tags: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Adds a tag to the feature being built (call before [`LayerWriter::finish_feature`]).
    /// Null, arrays and objects have no MVT value and are left out.
    pub fn tag(&mut self, key: &str, value: &Value) {
        self.scratch.clear();
        if !encode_value(&mut self.scratch, value) {
            return;
        }
        let k = self.key(key);
        let v = self.interned_value();
        self.tags.push(k);
        self.tags.push(v);
    }

    fn key(&mut self, key: &str) -> u32 {
        if let Some(guess) = self.keys.get(self.next_key) {
            if guess == key {
                self.next_key += 1;
                return (self.next_key - 1) as u32;
            }
        }
        let index = match self.key_index.get(key) {
            Some(&i) => i,
            None => {
                let i = self.keys.len() as u32;
                self.keys.push(key.to_string());
                self.key_index.insert(key.to_string(), i);
                i
            }
        };
        self.next_key = index as usize + 1;
        index
    }

    /// The index of the value in `scratch`, adding it to the table when new.
    fn interned_value(&mut self) -> u32 {
        if let Some(&i) = self.value_index.get(self.scratch.as_slice()) {
            return i;
        }
        let i = self.value_count;
        self.value_count += 1;
        // Layer.values = 4
        put_len_delimited(&mut self.values, 4, &self.scratch);
        self.value_index
            .insert(self.scratch.clone().into_boxed_slice(), i);
        i
    }

    /// Writes the feature with the tags added since the last one. `geometry` is the command
    /// stream of [`GeometryWriter`].
    pub fn finish_feature(&mut self, id: u64, kind: GeomType, geometry: &[u32]) {
        let mut body = std::mem::take(&mut self.scratch);
        body.clear();
        // Feature.id = 1
        put_key(&mut body, 1, 0);
        put_varint(&mut body, id);
        // Feature.tags = 2 (packed)
        if !self.tags.is_empty() {
            put_packed(&mut body, 2, &self.tags);
        }
        // Feature.type = 3
        put_key(&mut body, 3, 0);
        put_varint(&mut body, kind as u64);
        // Feature.geometry = 4 (packed)
        put_packed(&mut body, 4, geometry);
        // Layer.features = 2
        put_len_delimited(&mut self.feature_bytes, 2, &body);
        self.scratch = body;
        self.tags.clear();
        self.next_key = 0;
        self.features += 1;
    }

    fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.feature_bytes.len() + self.values.len() + 256);
        // Layer.version = 15 (2), name = 1
        put_key(&mut out, 15, 0);
        put_varint(&mut out, 2);
        put_len_delimited(&mut out, 1, self.name.as_bytes());
        out.extend_from_slice(&self.feature_bytes);
        for key in &self.keys {
            // Layer.keys = 3
            put_len_delimited(&mut out, 3, key.as_bytes());
        }
        out.extend_from_slice(&self.values);
        // Layer.extent = 5
        put_key(&mut out, 5, 0);
        put_varint(&mut out, u64::from(self.extent));
        out
    }
}

/// The geometry command stream of one feature (MoveTo, LineTo, ClosePath with zigzag
/// deltas), relative to the previous point as MVT requires.
#[derive(Debug, Default)]
pub struct GeometryWriter {
    commands: Vec<u32>,
    cursor: (i64, i64),
}

impl GeometryWriter {
    pub fn clear(&mut self) {
        self.commands.clear();
        self.cursor = (0, 0);
    }

    pub fn commands(&self) -> &[u32] {
        &self.commands
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    fn command(&mut self, id: u32, count: usize) {
        self.commands.push((id & 7) | ((count as u32) << 3));
    }

    fn point(&mut self, p: (i64, i64)) {
        let (dx, dy) = (p.0 - self.cursor.0, p.1 - self.cursor.1);
        self.commands.push(zigzag(dx));
        self.commands.push(zigzag(dy));
        self.cursor = p;
    }

    /// Points, one MoveTo with all of them.
    pub fn points(&mut self, points: &[(i64, i64)]) {
        if points.is_empty() {
            return;
        }
        self.command(1, points.len());
        for &p in points {
            self.point(p);
        }
    }

    /// One line of two or more points.
    pub fn line(&mut self, line: &[(i64, i64)]) {
        if line.len() < 2 {
            return;
        }
        self.command(1, 1);
        self.point(line[0]);
        self.command(2, line.len() - 1);
        for &p in &line[1..] {
            self.point(p);
        }
    }

    /// One ring, given without its closing point (three or more points).
    pub fn ring(&mut self, ring: &[(i64, i64)]) {
        if ring.len() < 3 {
            return;
        }
        self.command(1, 1);
        self.point(ring[0]);
        self.command(2, ring.len() - 1);
        for &p in &ring[1..] {
            self.point(p);
        }
        self.command(7, 1);
    }
}

fn zigzag(v: i64) -> u32 {
    // Coordinates are inside the buffered tile, far inside i32.
    let v = v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    ((v << 1) ^ (v >> 31)) as u32
}

/// Writes a `Value` message body; false for JSON values MVT cannot hold.
fn encode_value(out: &mut Vec<u8>, value: &Value) -> bool {
    match value {
        Value::String(s) => put_len_delimited(out, 1, s.as_bytes()),
        Value::Bool(b) => {
            put_key(out, 7, 0);
            put_varint(out, u64::from(*b));
        }
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                // sint_value = 6 (zigzag)
                put_key(out, 6, 0);
                put_varint(out, ((i << 1) ^ (i >> 63)) as u64);
            } else if let Some(u) = n.as_u64() {
                put_key(out, 5, 0);
                put_varint(out, u);
            } else if let Some(f) = n.as_f64() {
                // double_value = 3 (fixed 64)
                put_key(out, 3, 1);
                out.extend_from_slice(&f.to_le_bytes());
            } else {
                return false;
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => return false,
    }
    true
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_key(out: &mut Vec<u8>, field: u32, wire_type: u32) {
    put_varint(out, u64::from((field << 3) | wire_type));
}

fn put_len_delimited(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(out, field, 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let len: usize = values.iter().map(|&v| varint_len(u64::from(v))).sum();
    put_key(out, field, 2);
    put_varint(out, len as u64);
    for &v in values {
        put_varint(out, u64::from(v));
    }
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// FNV-1a: the keys hashed here are short (tag names, encoded values of a few bytes), where
/// it is several times faster than the default SipHash; the input is the service's own data,
/// so flooding resistance is not needed.
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Fnv = BuildHasherDefault<FnvHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn varints_and_zigzag_follow_protobuf() {
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        assert_eq!(varint_len(300), 2);
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
        assert_eq!((zigzag(0), zigzag(-1), zigzag(1), zigzag(-2)), (0, 1, 2, 3));
    }

    #[test]
    fn equal_values_share_one_entry_and_keys_are_interned() {
        let mut layer = LayerWriter::new("t", 4096);
        let mut geometry = GeometryWriter::default();
        geometry.points(&[(1, 2)]);
        for id in 0..3 {
            layer.tag("a", &json!("x"));
            layer.tag("b", &json!(id));
            layer.tag("skipped", &Value::Null);
            layer.finish_feature(id, GeomType::Point, geometry.commands());
        }
        assert_eq!(layer.keys, ["a", "b"]);
        assert_eq!(layer.value_count, 4);
        // MoveTo(1) = 9, then zigzag(1), zigzag(2).
        assert_eq!(geometry.commands(), [9, 2, 4]);
    }
}
