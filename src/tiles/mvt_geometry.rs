//! A feature's tile geometry on its way to the `mvt` crate: [`super::frame`] writes the
//! points, lines and rings it has clipped and simplified here, in integer tile units, and
//! [`GeometryParts::encode`] hands them to `mvt`'s `GeomEncoder`, which writes the MVT 2.1
//! commands. One collector is reused for every feature of a tile (it keeps its memory).

use mvt::{GeomData, GeomEncoder};

use super::geometry::P;

/// The MVT geometry types the tiles use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    Point,
    LineString,
    Polygon,
}

impl GeomType {
    fn mvt(self) -> mvt::GeomType {
        match self {
            GeomType::Point => mvt::GeomType::Point,
            GeomType::LineString => mvt::GeomType::Linestring,
            GeomType::Polygon => mvt::GeomType::Polygon,
        }
    }
}

/// The parts of one feature's geometry: points, lines, or rings (exterior, then its holes).
#[derive(Debug, Default)]
pub struct GeometryParts {
    points: Vec<P>,
    /// Where each part ends in `points`.
    ends: Vec<usize>,
}

impl GeometryParts {
    pub fn clear(&mut self) {
        self.points.clear();
        self.ends.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn part(&mut self, points: &[P]) {
        self.points.extend_from_slice(points);
        self.ends.push(self.points.len());
    }

    fn parts(&self) -> impl Iterator<Item = &[P]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(a, b)| &self.points[a..b])
    }

    /// Points (one multipoint part).
    pub fn points(&mut self, points: &[P]) {
        if !points.is_empty() {
            self.part(points);
        }
    }

    /// One line of two or more points.
    pub fn line(&mut self, line: &[P]) {
        if line.len() >= 2 {
            self.part(line);
        }
    }

    /// One ring, given without its closing point (three or more points).
    pub fn ring(&mut self, ring: &[P]) {
        if ring.len() >= 3 {
            self.part(ring);
        }
    }

    /// The geometry as `mvt` geometry data of the given type.
    pub fn encode(&self, kind: GeomType) -> Result<GeomData, mvt::Error> {
        // Coordinates are inside the buffered tile, far inside i32.
        let to_i32 = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let mut enc = GeomEncoder::<i32>::new(kind.mvt());
        match kind {
            GeomType::Point => {
                for &(x, y) in &self.points {
                    enc.add_point(to_i32(x), to_i32(y))?;
                }
            }
            GeomType::LineString => {
                // A line that starts where the previous one ended is joined onto it: the
                // encoder would otherwise continue the previous line without a MoveTo,
                // which MVT 2.1 does not allow.
                let mut last: Option<P> = None;
                for line in self.parts() {
                    let skip = usize::from(line.first().copied() == last);
                    if skip == 0 && last.is_some() {
                        enc.complete_geom()?;
                    }
                    for &(x, y) in &line[skip..] {
                        enc.add_point(to_i32(x), to_i32(y))?;
                    }
                    last = line.last().copied();
                }
            }
            GeomType::Polygon => {
                let mut last: Option<P> = None;
                for ring in self.parts() {
                    // The encoder drops a MoveTo whose point repeats the previous ring's
                    // last vertex (leaving the ring without one): start such a ring one
                    // vertex later.
                    let start = usize::from(ring.first().copied() == last);
                    for k in 0..ring.len() {
                        let (x, y) = ring[(start + k) % ring.len()];
                        enc.add_point(to_i32(x), to_i32(y))?;
                    }
                    enc.complete_geom()?;
                    last = Some(ring[(start + ring.len() - 1) % ring.len()]);
                }
            }
        }
        enc.encode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Just enough of the MVT schema to read a feature's geometry back.
    #[derive(Clone, PartialEq, prost::Message)]
    struct Tile {
        #[prost(message, repeated, tag = "3")]
        layers: Vec<Layer>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    struct Layer {
        #[prost(message, repeated, tag = "2")]
        features: Vec<Feature>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    struct Feature {
        #[prost(uint32, repeated, tag = "4")]
        geometry: Vec<u32>,
    }

    /// Writes one feature with the geometry into a tile with `mvt` and reads its command
    /// stream back.
    fn commands(parts: &GeometryParts, kind: GeomType) -> Vec<u32> {
        use prost::Message;
        let mut tile = mvt::Tile::new(4096);
        let layer = tile.create_layer("t");
        let feature = layer.into_feature(parts.encode(kind).expect("encodes"));
        tile.add_layer(feature.into_layer()).expect("adds");
        let bytes = tile.to_bytes().expect("bytes");
        let decoded = Tile::decode(bytes.as_slice()).expect("decodes");
        decoded.layers[0].features[0].geometry.clone()
    }

    #[test]
    fn points_lines_and_rings_become_mvt_commands() {
        let mut g = GeometryParts::default();
        g.points(&[(1, 2)]);
        // MoveTo(1) = 9, then zigzag(1) = 2, zigzag(2) = 4.
        assert_eq!(commands(&g, GeomType::Point), [9, 2, 4]);

        g.clear();
        g.ring(&[(0, 0), (10, 0), (10, 10)]);
        // MoveTo 0,0; LineTo(2) +10,0 +0,+10; ClosePath.
        assert_eq!(
            commands(&g, GeomType::Polygon),
            [9, 0, 0, 18, 20, 0, 0, 20, 15]
        );

        g.clear();
        g.line(&[(0, 0), (5, 0)]);
        g.line(&[(5, 0), (5, 5)]);
        // Joined into one line: MoveTo 0,0; LineTo(2) +5,0 +0,+5.
        assert_eq!(
            commands(&g, GeomType::LineString),
            [9, 0, 0, 18, 10, 0, 0, 10]
        );
    }
}
