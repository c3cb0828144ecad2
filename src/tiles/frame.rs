//! One tile at one zoom: turns a feature's WGS84 geometry into clipped, simplified MVT
//! geometry commands. Vertices go straight from longitude/latitude to integer world tile
//! units (the Web Mercator formulas folded into the tile grid, [`lonlat_to_units`]), then
//! through [`super::geometry`]'s topology-keeping simplification, clipping and winding.

use geo::{Coord, Geometry, LineString, Polygon};

use super::coord::{lonlat_to_units, mercator_to_units, TileCoord, EXTENT};
use super::geometry::{self, ClipRect, Vertex, P};
use super::layers::LockedVertices;
use super::mvt_geometry::{GeomType, GeometryParts};
use crate::index::BBox;

/// How much a zoom generalises: the grid vertices snap to and the simplification tolerance,
/// both in tile units (1/4096 of a tile; 16 units are a pixel of a 256 px tile).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detail {
    pub grid: i64,
    pub tolerance: f64,
}

impl Detail {
    /// Full detail: the 4096 grid, and a tolerance of 1/16 pixel, so nothing visible moves.
    pub const FULL: Detail = Detail {
        grid: 1,
        tolerance: 1.0,
    };
    /// Below [`super::encode::FULL_DETAIL_ZOOM`]: a quarter-pixel grid and tolerance. A
    /// shared vertex still snaps to the same point in both plots, so neighbours keep
    /// sharing their boundary; the short edges of small plots collapse and drop out.
    pub const LOW_ZOOM: Detail = Detail {
        grid: 4,
        tolerance: 4.0,
    };
}

/// The tile being encoded: its grid, its clip rectangle and its box for the index.
pub struct Frame {
    tile: TileCoord,
    origin: P,
    clip: ClipRect,
    /// The tile proper (without the buffer), world units, for deciding which tile owns a
    /// point.
    inner: ClipRect,
    pub lonlat: BBox,
    detail: Detail,
}

impl Frame {
    pub fn new(tile: TileCoord, buffer: u32, detail: Detail) -> Frame {
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
            inner: ClipRect {
                min_x: origin.0,
                min_y: origin.1,
                max_x: origin.0 + e - 1,
                max_y: origin.1 + e - 1,
            },
            lonlat: tile.buffered_lonlat(buffer),
            detail,
        }
    }

    /// A WGS84 coordinate on this zoom's grid, world tile units.
    pub fn snap(&self, c: Coord<f64>) -> P {
        let (x, y) = lonlat_to_units(self.tile, c.x, c.y);
        self.on_grid(x, y)
    }

    /// A Web Mercator point on this zoom's grid, world tile units.
    pub fn snap_mercator(&self, c: Coord<f64>) -> P {
        let (x, y) = mercator_to_units(self.tile, c.x, c.y);
        self.on_grid(x, y)
    }

    fn on_grid(&self, x: f64, y: f64) -> P {
        let g = self.detail.grid;
        if g == 1 {
            (x.round() as i64, y.round() as i64)
        } else {
            let g = g as f64;
            (((x / g).round() * g) as i64, ((y / g).round() * g) as i64)
        }
    }

    /// Whether a world point lies in the tile proper (not in its buffer): exactly one tile of
    /// a zoom owns each point.
    pub fn owns(&self, p: P) -> bool {
        self.inner.contains(p)
    }

    /// Tile units per metre of ground at a latitude (Web Mercator's scale, 1/cos φ).
    pub fn units_per_metre(&self, lat: f64) -> f64 {
        self.tile.world_units()
            / (2.0 * std::f64::consts::PI * 6_378_137.0 * lat.to_radians().cos())
    }

    fn local(&self, p: P) -> P {
        (p.0 - self.origin.0, p.1 - self.origin.1)
    }

    /// Writes a point (world units) when it is inside the buffered tile.
    pub fn point_at(&self, p: P, out: &mut GeometryParts) -> Option<GeomType> {
        out.clear();
        self.clip.contains(p).then(|| {
            out.points(&[self.local(p)]);
            GeomType::Point
        })
    }

    /// A square of `side` units centred on `p`, wound as an exterior ring (clipped).
    pub fn square(&self, p: P, side: i64, out: &mut GeometryParts) -> Option<GeomType> {
        let h = side / 2;
        let ring = vec![
            (p.0 - h, p.1 - h),
            (p.0 + h, p.1 - h),
            (p.0 + h, p.1 + h),
            (p.0 - h, p.1 + h),
        ];
        let clipped = geometry::clean_ring(geometry::clip_ring(&ring, self.clip))?;
        let local: Vec<P> = geometry::orient(clipped, true)
            .into_iter()
            .map(|q| self.local(q))
            .collect();
        out.ring(&local);
        Some(GeomType::Polygon)
    }

    /// Writes a feature's geometry; None when nothing of it is in the tile. `locked` holds
    /// which of its vertices (in coordinate order) another feature shares.
    pub fn geometry(
        &self,
        geometry: &Geometry<f64>,
        locked: LockedVertices<'_>,
        out: &mut GeometryParts,
    ) -> Option<GeomType> {
        out.clear();
        let mut at = 0usize;
        let kind = match geometry {
            Geometry::Point(p) => return self.point_at(self.snap(p.0), out),
            Geometry::MultiPoint(mp) => {
                let points: Vec<P> =
                    mp.0.iter()
                        .map(|p| self.snap(p.0))
                        .filter(|&p| self.clip.contains(p))
                        .map(|p| self.local(p))
                        .collect();
                out.points(&points);
                GeomType::Point
            }
            Geometry::LineString(l) => {
                self.line(l, locked, &mut at, out);
                GeomType::LineString
            }
            Geometry::MultiLineString(ml) => {
                for l in &ml.0 {
                    self.line(l, locked, &mut at, out);
                }
                GeomType::LineString
            }
            Geometry::Polygon(p) => {
                self.polygon(p, locked, &mut at, out);
                GeomType::Polygon
            }
            Geometry::MultiPolygon(mp) => {
                for p in &mp.0 {
                    self.polygon(p, locked, &mut at, out);
                }
                GeomType::Polygon
            }
            _ => return None,
        };
        (!out.is_empty()).then_some(kind)
    }

    /// The snapped vertices of a line or ring whose first vertex is vertex `at` of the
    /// feature; advances `at` past it.
    fn vertices(
        &self,
        line: &LineString<f64>,
        locked: LockedVertices<'_>,
        at: &mut usize,
    ) -> Vec<Vertex> {
        let first = *at;
        *at += line.0.len();
        line.0
            .iter()
            .enumerate()
            .map(|(k, &c)| Vertex {
                at: self.snap(c),
                locked: locked.get(first + k),
            })
            .collect()
    }

    fn line(
        &self,
        line: &LineString<f64>,
        locked: LockedVertices<'_>,
        at: &mut usize,
        out: &mut GeometryParts,
    ) {
        let vertices = self.vertices(line, locked, at);
        if !self.touches(&vertices) {
            return;
        }
        let simplified = geometry::simplify_path(&vertices, self.detail.tolerance);
        for piece in geometry::clip_path(&simplified, self.clip) {
            if piece.len() >= 2 {
                let local: Vec<P> = piece.into_iter().map(|p| self.local(p)).collect();
                out.line(&local);
            }
        }
    }

    fn ring(&self, vertices: Vec<Vertex>, closed: bool, exterior: bool) -> Option<Vec<P>> {
        let mut vertices = vertices;
        if vertices.len() > 1 && closed {
            vertices.pop();
        }
        if !self.touches(&vertices) {
            return None;
        }
        let simplified =
            geometry::clean_ring(geometry::simplify_ring(&vertices, self.detail.tolerance))?;
        // Most rings of a full tile lie wholly inside it: clipping would copy them and
        // cleaning them again would find nothing to clean (both are the same ring then).
        let clipped = if simplified.iter().all(|&p| self.clip.contains(p)) {
            simplified
        } else {
            geometry::clean_ring(geometry::clip_ring(&simplified, self.clip))?
        };
        let mut ring = geometry::orient(clipped, exterior);
        for p in &mut ring {
            *p = self.local(*p);
        }
        Some(ring)
    }

    /// Writes a polygon's rings (its holes only when its exterior is in the tile).
    fn polygon(
        &self,
        polygon: &Polygon<f64>,
        locked: LockedVertices<'_>,
        at: &mut usize,
        out: &mut GeometryParts,
    ) {
        let closed = |l: &LineString<f64>| l.0.len() > 1 && l.0.first() == l.0.last();
        let exterior = polygon.exterior();
        let outer = self.vertices(exterior, locked, at);
        let Some(outer) = self.ring(outer, closed(exterior), true) else {
            // The holes' vertices still count for the ones after them.
            *at += polygon.interiors().iter().map(|h| h.0.len()).sum::<usize>();
            return;
        };
        out.ring(&outer);
        for hole in polygon.interiors() {
            let vertices = self.vertices(hole, locked, at);
            if let Some(ring) = self.ring(vertices, closed(hole), false) {
                out.ring(&ring);
            }
        }
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
