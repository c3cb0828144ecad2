//! The spatial index: one R*-tree (rstar) per layer over the features' WGS84 envelopes,
//! answering "what lies in this box" and "what lies under this point" exactly (the tree
//! narrows the candidates, geo's predicates decide).
//!
//! [`BBox`] is the validated bounding box every query is expressed in.

use std::fmt;

use geo::{BoundingRect, Contains, Intersects, Point, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::geodata::Feature;

/// A bounding box in WGS84 longitude/latitude, west ≤ east and south ≤ north, all finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BBoxError {
    #[error("a bbox needs 4 numbers (west,south,east,north) or 6 (with heights), found {0}")]
    Count(usize),
    #[error("bbox's lower height ({low}) is above its upper height ({high})")]
    LowAboveHigh { low: f64, high: f64 },
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("bbox values must be finite")]
    NotFinite,
    #[error("bbox west ({west}) is greater than east ({east})")]
    WestOfEast { west: f64, east: f64 },
    #[error("bbox south ({south}) is greater than north ({north})")]
    SouthOfNorth { south: f64, north: f64 },
    #[error("bbox is outside longitude -180..180 / latitude -90..90")]
    OutOfRange,
}

impl BBox {
    /// A box from four numbers; `geographic` also checks the WGS84 ranges.
    pub fn new(values: [f64; 4], geographic: bool) -> Result<BBox, BBoxError> {
        let [west, south, east, north] = values;
        if values.iter().any(|v| !v.is_finite()) {
            return Err(BBoxError::NotFinite);
        }
        if west > east {
            return Err(BBoxError::WestOfEast { west, east });
        }
        if south > north {
            return Err(BBoxError::SouthOfNorth { south, north });
        }
        if geographic && (west < -180.0 || east > 180.0 || south < -90.0 || north > 90.0) {
            return Err(BBoxError::OutOfRange);
        }
        Ok(BBox {
            west,
            south,
            east,
            north,
        })
    }

    /// Parses `west,south,east,north` (see [`BBox::corners`]; full double precision).
    pub fn parse(text: &str, geographic: bool) -> Result<BBox, BBoxError> {
        BBox::new(BBox::corners(text)?, geographic)
    }

    /// The horizontal numbers of a `bbox` parameter, in the order given: 4 numbers (lower
    /// corner, upper corner) or 6 (the same with heights: x, y, z of each corner), as
    /// OGC API – Features allows. The zone's features have no heights, so a vertical range
    /// excludes nothing; it must still be numbers, lower first.
    pub fn corners(text: &str) -> Result<[f64; 4], BBoxError> {
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() != 4 && parts.len() != 6 {
            return Err(BBoxError::Count(parts.len()));
        }
        let mut values = Vec::with_capacity(parts.len());
        for part in &parts {
            let v = part
                .trim()
                .parse::<f64>()
                .map_err(|_| BBoxError::NotANumber(part.to_string()))?;
            if !v.is_finite() {
                return Err(BBoxError::NotFinite);
            }
            values.push(v);
        }
        Ok(match values[..] {
            [x1, y1, x2, y2] => [x1, y1, x2, y2],
            [x1, y1, z1, x2, y2, z2] => {
                if z1 > z2 {
                    return Err(BBoxError::LowAboveHigh { low: z1, high: z2 });
                }
                [x1, y1, x2, y2]
            }
            _ => return Err(BBoxError::Count(values.len())),
        })
    }

    pub fn to_rect(self) -> Rect<f64> {
        Rect::new(
            geo::coord! { x: self.west, y: self.south },
            geo::coord! { x: self.east, y: self.north },
        )
    }

    fn envelope(self) -> AABB<[f64; 2]> {
        AABB::from_corners([self.west, self.south], [self.east, self.north])
    }
}

impl fmt::Display for BBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.west, self.south, self.east, self.north
        )
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// An R*-tree over one layer's features, holding their positions in the layer's vector.
#[derive(Debug, Default)]
pub struct LayerIndex {
    tree: RTree<Entry>,
}

impl LayerIndex {
    /// Bulk-loads the tree from the features' WGS84 bounding boxes.
    pub fn build(features: &[Feature]) -> LayerIndex {
        let entries = features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.lonlat.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        LayerIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Extent of everything indexed.
    pub fn extent(&self) -> Option<Rect<f64>> {
        if self.is_empty() {
            return None;
        }
        let env = self.tree.root().envelope();
        Some(Rect::new(
            geo::coord! { x: env.lower()[0], y: env.lower()[1] },
            geo::coord! { x: env.upper()[0], y: env.upper()[1] },
        ))
    }

    /// Positions of the features whose geometry intersects the box, in ascending order.
    pub fn in_bbox(&self, features: &[Feature], bbox: BBox) -> Vec<usize> {
        let rect = bbox.to_rect();
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&bbox.envelope())
            .map(|e| e.data)
            .filter(|&i| features[i].lonlat.intersects(&rect))
            .collect();
        hits.sort_unstable();
        hits
    }

    /// Positions of the features whose envelope intersects the box (no exact test): for
    /// callers that clip anyway, such as the tile encoder.
    pub fn candidates(&self, bbox: BBox) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&bbox.envelope())
            .map(|e| e.data)
    }

    /// Positions of the features containing the point (or touching it, for points on a shared
    /// boundary), in ascending order.
    pub fn at_point(&self, features: &[Feature], lon: f64, lat: f64) -> Vec<usize> {
        let p = Point::new(lon, lat);
        let mut hits: Vec<usize> = self
            .tree
            .locate_all_at_point(&[lon, lat])
            .map(|e| e.data)
            .filter(|&i| features[i].lonlat.contains(&p) || features[i].lonlat.intersects(&p))
            .collect();
        hits.sort_unstable();
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_rejects_bad_boxes() {
        assert!(BBox::parse("25.6,42.3,25.7,42.4", true).is_ok());
        assert_eq!(BBox::parse("1,2,3", true), Err(BBoxError::Count(3)));
        assert_eq!(BBox::parse("1,2,3,4,5", true), Err(BBoxError::Count(5)));
        assert_eq!(
            BBox::parse("1,2,-10,3,4,200", true),
            BBox::parse("1,2,3,4", true)
        );
        assert_eq!(
            BBox::parse("1,2,10,3,4,-5", true),
            Err(BBoxError::LowAboveHigh {
                low: 10.0,
                high: -5.0
            })
        );
        assert!(matches!(
            BBox::parse("a,2,3,4", true),
            Err(BBoxError::NotANumber(_))
        ));
        assert_eq!(BBox::parse("NaN,2,3,4", true), Err(BBoxError::NotFinite));
        assert_eq!(BBox::parse("inf,2,3,4", true), Err(BBoxError::NotFinite));
        assert!(matches!(
            BBox::parse("5,2,3,4", true),
            Err(BBoxError::WestOfEast { .. })
        ));
        assert!(matches!(
            BBox::parse("1,5,3,4", true),
            Err(BBoxError::SouthOfNorth { .. })
        ));
        assert_eq!(BBox::parse("1,2,300,4", true), Err(BBoxError::OutOfRange));
        assert!(BBox::parse("500000,4690000,520000,4700000", false).is_ok());
    }

    #[test]
    fn bbox_keeps_full_precision() {
        let b = BBox::parse("25.123456789012345,42.1,25.2,42.2", true).unwrap();
        assert_eq!(b.west, 25.123456789012345);
    }
}
