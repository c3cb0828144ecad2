//! Tile addressing: the validated [`TileCoord`] (XYZ scheme, Web Mercator) parsed at the HTTP
//! edge, and the arithmetic between Web Mercator metres, WGS84 and tile units.

use std::fmt;

use crate::index::BBox;

/// Units across one tile (MVT extent).
pub const EXTENT: u32 = 4096;

/// The sphere of Web Mercator (EPSG:3857): the WGS84 semi-major axis, metres.
const EARTH_RADIUS: f64 = 6_378_137.0;

/// Half the Web Mercator world width, metres (EPSG:3857): π·R.
const ORIGIN_SHIFT: f64 = std::f64::consts::PI * EARTH_RADIUS;

/// A tile address: zoom, column (west to east) and row (north to south), all in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// Why a tile address was refused; each names the path parameter at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileCoordError {
    #[error("{value:?} is not a whole number")]
    NotANumber {
        parameter: &'static str,
        value: String,
    },
    #[error("zoom {z} is outside 0..={max_zoom}")]
    ZoomOutOfRange {
        parameter: &'static str,
        z: u64,
        max_zoom: u8,
    },
    #[error("{parameter} = {value} is outside 0..{limit} at zoom {z}")]
    OutOfRange {
        parameter: &'static str,
        value: u64,
        limit: u64,
        z: u8,
    },
    #[error("{parameter} = {value:?} has a leading zero: write it as {}", value.trim_start_matches('0'))]
    LeadingZero {
        parameter: &'static str,
        value: String,
    },
    #[error("tile format {0:?} is not served: use .mvt or .pbf")]
    Format(String),
}

impl TileCoordError {
    /// The path parameter the error is about.
    pub fn parameter(&self) -> &'static str {
        match self {
            TileCoordError::NotANumber { parameter, .. } => parameter,
            TileCoordError::ZoomOutOfRange { parameter, .. } => parameter,
            TileCoordError::OutOfRange { parameter, .. } => parameter,
            TileCoordError::LeadingZero { parameter, .. } => parameter,
            TileCoordError::Format(_) => "y",
        }
    }
}

fn parse_part(parameter: &'static str, text: &str) -> Result<u64, TileCoordError> {
    // Only plain ASCII digits: no sign, no spaces, no "1e3"; the length cap keeps u64 parsing
    // from overflowing.
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TileCoordError::NotANumber {
            parameter,
            value: text.to_string(),
        });
    }
    // One address per tile: `09359` would be a second URL (and cache entry) for `9359`.
    if text.len() > 1 && text.starts_with('0') {
        return Err(TileCoordError::LeadingZero {
            parameter,
            value: text.to_string(),
        });
    }
    text.parse().map_err(|_| TileCoordError::NotANumber {
        parameter,
        value: text.to_string(),
    })
}

impl TileCoord {
    /// Parses the path's `z`, `x` and `y.ext` (`.mvt` or `.pbf`), checking every range.
    pub fn parse(z: &str, x: &str, y_ext: &str, max_zoom: u8) -> Result<TileCoord, TileCoordError> {
        let y = match y_ext.rsplit_once('.') {
            Some((y, "mvt" | "pbf")) => y,
            Some((_, other)) => return Err(TileCoordError::Format(other.to_string())),
            None => return Err(TileCoordError::Format(String::new())),
        };
        TileCoord::parse_parts([("z", z), ("x", x), ("y", y)], max_zoom)
    }

    /// Parses OGC API – Tiles' `tileMatrix`, `tileRow` and `tileCol` of WebMercatorQuad (the
    /// zoom, `y` and `x` of the XYZ scheme: both count rows from the north), naming those
    /// parameters in its errors.
    pub fn parse_matrix(
        tile_matrix: &str,
        tile_row: &str,
        tile_col: &str,
        max_zoom: u8,
    ) -> Result<TileCoord, TileCoordError> {
        TileCoord::parse_parts(
            [
                ("tileMatrix", tile_matrix),
                ("tileCol", tile_col),
                ("tileRow", tile_row),
            ],
            max_zoom,
        )
    }

    /// The zoom, column and row, each with the name of the parameter it came from.
    fn parse_parts(
        [(z_name, z), (x_name, x), (y_name, y)]: [(&'static str, &str); 3],
        max_zoom: u8,
    ) -> Result<TileCoord, TileCoordError> {
        let z = parse_part(z_name, z)?;
        if z > u64::from(max_zoom) {
            return Err(TileCoordError::ZoomOutOfRange {
                parameter: z_name,
                z,
                max_zoom,
            });
        }
        // z <= max_zoom <= 30 (checked by the config), so the cast and the shift are exact.
        let z = z as u8;
        let limit = 1u64 << z;
        let x = parse_part(x_name, x)?;
        let y = parse_part(y_name, y)?;
        for (parameter, value) in [(x_name, x), (y_name, y)] {
            if value >= limit {
                return Err(TileCoordError::OutOfRange {
                    parameter,
                    value,
                    limit,
                    z,
                });
            }
        }
        Ok(TileCoord {
            z,
            x: x as u32,
            y: y as u32,
        })
    }

    /// Tile units across the whole world at this zoom.
    pub fn world_units(self) -> f64 {
        f64::from(EXTENT) * (1u64 << self.z) as f64
    }

    /// The tile's north-west corner in world tile units (the origin of its tile coordinates).
    pub fn origin_units(self) -> (i64, i64) {
        let e = i64::from(EXTENT);
        (i64::from(self.x) * e, i64::from(self.y) * e)
    }

    /// The tile grown by `buffer` tile units on each side, as a WGS84 box (for the index).
    pub fn buffered_lonlat(self, buffer: u32) -> BBox {
        let (ox, oy) = self.origin_units();
        let b = i64::from(buffer);
        let e = i64::from(EXTENT);
        let (west, north) = units_to_lonlat(self, (ox - b) as f64, (oy - b) as f64);
        let (east, south) = units_to_lonlat(self, (ox + e + b) as f64, (oy + e + b) as f64);
        BBox {
            west: west.max(-180.0),
            south: south.max(-90.0),
            east: east.min(180.0),
            north: north.min(90.0),
        }
    }
}

impl fmt::Display for TileCoord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Web Mercator metres to world tile units at the tile's zoom (x east, y south), unrounded.
pub fn mercator_to_units(tile: TileCoord, mx: f64, my: f64) -> (f64, f64) {
    let scale = tile.world_units() / (2.0 * ORIGIN_SHIFT);
    ((mx + ORIGIN_SHIFT) * scale, (ORIGIN_SHIFT - my) * scale)
}

/// WGS84 longitude/latitude (degrees) to Web Mercator metres by the formulas that define
/// EPSG:3857 (spherical Mercator on the WGS84 semi-major axis): x = R·λ,
/// y = R·ln(tan(π/4 + φ/2)).
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let x = EARTH_RADIUS * lon.to_radians();
    let y = EARTH_RADIUS
        * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln();
    (x, y)
}

/// WGS84 longitude/latitude to world tile units at the tile's zoom (x east, y south),
/// unrounded: the Web Mercator formulas folded into the tile grid, so features need no
/// stored Web Mercator copy. The same as [`mercator_to_units`] of [`lonlat_to_mercator`].
pub fn lonlat_to_units(tile: TileCoord, lon: f64, lat: f64) -> (f64, f64) {
    let world = tile.world_units();
    let x = (lon + 180.0) / 360.0 * world;
    let y_over_r = (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
        .tan()
        .ln();
    let y = (0.5 - y_over_r / (2.0 * std::f64::consts::PI)) * world;
    (x, y)
}

/// World tile units to WGS84 longitude/latitude (spherical Mercator inverse).
pub fn units_to_lonlat(tile: TileCoord, ux: f64, uy: f64) -> (f64, f64) {
    let world = tile.world_units();
    let lon = ux / world * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * uy / world);
    let lat = n.sinh().atan().to_degrees();
    (lon, lat)
}

/// WGS84 longitude/latitude to fractional tile numbers at zoom `z`.
pub fn lonlat_to_tile(z: u8, lon: f64, lat: f64) -> (f64, f64) {
    let n = (1u64 << z) as f64;
    let x = (lon + 180.0) / 360.0 * n;
    let lat_rad = lat.to_radians();
    let y = (1.0 - (lat_rad.tan() + 1.0 / lat_rad.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_are_refused_naming_the_part() {
        let err = TileCoord::parse("14", "09359", "6057.mvt", 22).unwrap_err();
        assert_eq!(err.parameter(), "x");
        assert!(err.to_string().contains("write it as 9359"), "{err}");
        let err = TileCoord::parse("14", "9359", "006057.mvt", 22).unwrap_err();
        assert_eq!(err.parameter(), "y");
        assert_eq!(
            err.to_string(),
            "y = \"006057\" has a leading zero: write it as 6057"
        );
        assert!(TileCoord::parse("014", "0", "0.mvt", 22).is_err());
        assert!(TileCoord::parse("0", "0", "0.mvt", 22).is_ok());
    }

    #[test]
    fn parses_and_refuses_coordinates() {
        assert_eq!(
            TileCoord::parse("12", "2339", "1523.mvt", 22),
            Ok(TileCoord {
                z: 12,
                x: 2339,
                y: 1523
            })
        );
        assert!(TileCoord::parse("12", "2339", "1523.pbf", 22).is_ok());
        assert_eq!(
            TileCoord::parse("1", "2", "0.mvt", 22)
                .unwrap_err()
                .parameter(),
            "x"
        );
        assert_eq!(
            TileCoord::parse("1", "0", "2.mvt", 22)
                .unwrap_err()
                .parameter(),
            "y"
        );
        assert_eq!(
            TileCoord::parse("23", "0", "0.mvt", 22)
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("15", "0", "0.mvt", 14)
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("-1", "0", "0.mvt", 22)
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("a", "0", "0.mvt", 22)
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("99999999999999999999", "0", "0.mvt", 22)
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert!(matches!(
            TileCoord::parse("1", "0", "0.png", 22),
            Err(TileCoordError::Format(_))
        ));
    }

    #[test]
    fn unit_conversions_agree_with_the_tile_grid() {
        // Stara Zagora centre at z12 lies in tile 2339/1513 (computed from the XYZ formulas).
        let (tx, ty) = lonlat_to_tile(12, 25.6345, 42.4258);
        assert_eq!((tx.floor() as u32, ty.floor() as u32), (2339, 1513));
        let tile = TileCoord {
            z: 12,
            x: 2339,
            y: 1513,
        };
        let (ux, uy) = (tx * 4096.0, ty * 4096.0);
        let (lon, lat) = units_to_lonlat(tile, ux, uy);
        assert!((lon - 25.6345).abs() < 1e-9 && (lat - 42.4258).abs() < 1e-9);
        // The same point through Web Mercator metres.
        let mx = 25.6345f64.to_radians() * 6_378_137.0;
        let my = (std::f64::consts::FRAC_PI_4 + 42.4258f64.to_radians() / 2.0)
            .tan()
            .ln()
            * 6_378_137.0;
        let (mux, muy) = mercator_to_units(tile, mx, my);
        assert!((mux - ux).abs() < 1e-6 && (muy - uy).abs() < 1e-6);
        let (lux, luy) = lonlat_to_units(tile, 25.6345, 42.4258);
        assert!((lux - ux).abs() < 1e-6 && (luy - uy).abs() < 1e-6);
    }

    #[test]
    fn web_mercator_formulas_agree_with_proj_across_bulgaria() {
        use crate::geodata::crs::{Crs, Transform};
        crate::geodata::crs::init_proj(&crate::Config::default()).unwrap();
        let proj = Transform::new(&Crs::Epsg(4326), &Crs::Epsg(3857)).unwrap();
        // A grid over Bulgaria's extent (22.3–28.7 °E, 41.2–44.3 °N) and a little beyond.
        let mut checked = 0;
        for i in 0..=16 {
            for j in 0..=12 {
                let lon = 22.0 + 7.0 * f64::from(i) / 16.0;
                let lat = 41.0 + 3.5 * f64::from(j) / 12.0;
                let (px, py) = proj.apply(lon, lat).unwrap();
                let (x, y) = lonlat_to_mercator(lon, lat);
                assert!(
                    (x - px).abs() < 1e-3 && (y - py).abs() < 1e-3,
                    "({lon}, {lat}): formula ({x}, {y}) vs PROJ ({px}, {py})"
                );
                // And through the tile grid at z18 (a unit is about 15 cm there).
                let tile = TileCoord { z: 18, x: 0, y: 0 };
                let (ux, uy) = lonlat_to_units(tile, lon, lat);
                let (mx, my) = mercator_to_units(tile, px, py);
                assert!((ux - mx).abs() < 1e-2 && (uy - my).abs() < 1e-2);
                checked += 1;
            }
        }
        assert_eq!(checked, 17 * 13);
    }
}
