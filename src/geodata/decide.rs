//! How a layer's CRS and axis order are decided, before any coordinate is transformed:
//! the CRS from the file's `crs` member, else the manifest, else WGS84 (RFC 7946); the axis
//! order from the manifest, else from the coordinates themselves, else easting first.

use geo::{Coord, Geometry};
use serde_json::Value;

use super::crs::{AxisOrder, Crs, Transform};
use super::manifest::LayerManifest;
use super::model::CrsSource;

/// The CRS named by a GeoJSON 2008 `crs` member (`{"type": "name", ...}` or the older
/// `{"type": "EPSG", "properties": {"code": 7801}}`).
fn crs_member(member: &Value) -> Result<String, String> {
    let props = member.get("properties");
    match member.get("type").and_then(Value::as_str) {
        Some("name") => props
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "a crs member of type name needs properties.name".to_string()),
        Some("EPSG") => props
            .and_then(|p| p.get("code"))
            .and_then(Value::as_u64)
            .map(|c| format!("EPSG:{c}"))
            .ok_or_else(|| "a crs member of type EPSG needs properties.code".to_string()),
        other => Err(format!(
            "unsupported crs member type {other:?} (linked CRSs are not fetched)"
        )),
    }
}

/// The layer's CRS and where it came from, or why it cannot be decided (the message is
/// about the `crs` field).
pub(super) fn crs(
    member: Option<&Value>,
    settings: &LayerManifest,
) -> Result<(Crs, CrsSource), String> {
    let from_manifest = settings
        .crs
        .as_deref()
        .map(str::parse::<Crs>)
        .transpose()
        .map_err(|e| format!("manifest.toml: {e}"))?;
    let from_file = match member.filter(|m| !m.is_null()).map(crs_member) {
        Some(name) => Some(name?.parse::<Crs>().map_err(|e| e.to_string())?),
        None => None,
    };
    match (from_file, from_manifest) {
        (Some(file), Some(manifest)) if file != manifest => Err(format!(
            "the file says {file} but manifest.toml says {manifest}; one of them is wrong"
        )),
        (Some(file), _) => Ok((file, CrsSource::FileMember)),
        (None, Some(manifest)) => Ok((manifest, CrsSource::Manifest)),
        (None, None) => Ok((Crs::Crs84, CrsSource::Rfc7946Default)),
    }
}

/// The geometry with x and y exchanged (for files stored northing first).
pub(super) fn swap_axes(g: &Geometry<f64>) -> Geometry<f64> {
    use geo::MapCoords;
    g.map_coords(|c| geo::coord! { x: c.y, y: c.x })
}

/// Decides which coordinate the file stores first: the manifest says, or else the
/// coordinates do (only one order of `sample` lands inside the CRS's area of use), or else
/// the GeoJSON convention (easting first). Returns the order and why, in words.
pub(super) fn axis_order(
    crs: &Crs,
    settings: &LayerManifest,
    sample: Option<Coord<f64>>,
    to_lonlat: &Transform,
    area: Option<[f64; 4]>,
) -> (AxisOrder, String) {
    if let Some(order) = settings.axis_order {
        return (order, "set in manifest.toml".to_string());
    }
    if crs.is_lon_lat_wgs84() {
        return (
            AxisOrder::EastNorth,
            "longitude first, per RFC 7946".to_string(),
        );
    }
    if let (Some(c), Some(area)) = (sample, area) {
        let inside = |x: f64, y: f64| {
            to_lonlat
                .apply(x, y)
                .map(|(lon, lat)| {
                    lon >= area[0] && lon <= area[2] && lat >= area[1] && lat <= area[3]
                })
                .unwrap_or(false)
        };
        match (inside(c.x, c.y), inside(c.y, c.x)) {
            (true, false) => {
                return (
                    AxisOrder::EastNorth,
                    "decided from the coordinates: only easting-first falls inside the CRS's area of use".to_string(),
                )
            }
            (false, true) => {
                return (
                    AxisOrder::NorthEast,
                    "decided from the coordinates: only northing-first falls inside the CRS's area of use".to_string(),
                )
            }
            _ => {}
        }
    }
    let note = if crs.authority_is_north_first() {
        " (the authority defines northing first; files usually store easting first)"
    } else {
        ""
    };
    (
        AxisOrder::EastNorth,
        format!("assumed easting first, the GeoJSON convention{note}"),
    )
}
