//! Writing features as GeoJSON: geometry in the requested CRS and its axis order, and the
//! properties each feature is served with (a plot's card for plots).
//!
//! Where coordinates come from, for the output CRS asked for:
//! - the layer's own source CRS (EPSG:7801 for the bundled data): the source coordinates as
//!   read, so they match the files to the last digit — no round trip through PROJ;
//! - CRS84 or EPSG:4326: the longitude/latitude computed at load time;
//! - any other CRS: the source coordinates through one PROJ transform, source → target.
//!
//! Then, for CRSs whose authority puts northing (latitude) first, the axes are swapped.

use geo::{Geometry, MapCoords};
use serde_json::{json, Map, Value};

use super::params::{CrsChoice, ParamError};
use super::write::GeoJsonGeometry;
use crate::geodata::{Feature, Layer, LayerKind, Transform};
use crate::zone::card::CardFields;
use crate::zone::Zone;

enum Source {
    AsRead,
    LonLat,
    Projected(Transform),
}

/// Turns features' geometries into the coordinates of one output CRS.
pub struct GeometryWriter {
    source: Source,
    choice: CrsChoice,
    /// The parameter that chose the CRS, for error messages.
    parameter: &'static str,
}

impl GeometryWriter {
    /// A writer for `layer`'s features in `choice`. PROJ objects are not `Send`: build this in
    /// synchronous code and drop it before any `.await`.
    pub fn new(
        layer: &Layer,
        choice: &CrsChoice,
        parameter: &'static str,
    ) -> Result<GeometryWriter, ParamError> {
        let source = if choice.crs == layer.source_crs {
            Source::AsRead
        } else if choice.crs.is_lon_lat_wgs84() {
            Source::LonLat
        } else {
            let t = Transform::new(&layer.source_crs, &choice.crs)
                .map_err(|e| ParamError::new(parameter, e))?;
            Source::Projected(t)
        };
        Ok(GeometryWriter {
            source,
            choice: choice.clone(),
            parameter,
        })
    }

    /// The feature's geometry in the output CRS, easting (longitude) first.
    pub fn east_first(&self, feature: &Feature) -> Result<Geometry<f64>, ParamError> {
        match &self.source {
            Source::AsRead => Ok(feature.source.clone()),
            Source::LonLat => Ok(feature.lonlat.clone()),
            Source::Projected(t) => t.geometry(&feature.source).map_err(|e| {
                ParamError::new(
                    self.parameter,
                    format!("feature {} cannot be expressed in it: {e}", feature.id),
                )
            }),
        }
    }

    /// The feature's geometry in the output CRS, easting first, borrowed when no transform is
    /// needed (a filter tests a million plots' geometries without copying them).
    pub fn east_first_ref<'f>(
        &self,
        feature: &'f Feature,
    ) -> Result<std::borrow::Cow<'f, Geometry<f64>>, ParamError> {
        use std::borrow::Cow;
        match &self.source {
            Source::AsRead => Ok(Cow::Borrowed(&feature.source)),
            Source::LonLat => Ok(Cow::Borrowed(&feature.lonlat)),
            Source::Projected(_) => self.east_first(feature).map(Cow::Owned),
        }
    }

    /// The feature's geometry ready to be serialized as [`Self::geojson`] would write it.
    pub fn geometry(&self, feature: &Feature) -> Result<GeoJsonGeometry, ParamError> {
        Ok(GeoJsonGeometry {
            geometry: self.east_first(feature)?,
            north_first: self.choice.north_first,
        })
    }

    /// The feature's geometry as a GeoJSON geometry object, in the output CRS's axis order.
    pub fn geojson(&self, feature: &Feature) -> Result<Value, ParamError> {
        let g = self.east_first(feature)?;
        let g = if self.choice.north_first {
            g.map_coords(|c| geo::coord! { x: c.y, y: c.x })
        } else {
            g
        };
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&g));
        serde_json::to_value(geometry).map_err(|e| ParamError::new(self.parameter, e))
    }
}

/// The properties features are served with: a plot's card (see [`Zone::plot_card`]) plus
/// its centroid and a point guaranteed inside it; other layers' own properties.
pub struct Properties<'a> {
    zone: &'a Zone,
    kind: LayerKind,
}

impl<'a> Properties<'a> {
    pub fn new(zone: &'a Zone, layer: &Layer) -> Properties<'a> {
        Properties {
            zone,
            kind: layer.kind,
        }
    }

    pub fn of(&self, feature: &Feature) -> Map<String, Value> {
        match self.kind {
            LayerKind::Plots => self.zone.plot_card(feature),
            _ => feature.properties.to_map(),
        }
    }

    /// Only the named properties of the feature at `position` of its layer, as [`Self::of`]
    /// gives them, without building (or computing) the rest: what an equality filter reads
    /// of each of a million plots.
    pub fn only(&self, layer: &Layer, position: usize, names: &[&str]) -> Map<String, Value> {
        let mut out = Map::new();
        let Some(feature) = layer.features.get(position) else {
            return out;
        };
        match self.kind {
            LayerKind::Plots => self.zone.visit_plot_card_fields(
                Some(position),
                feature,
                CardFields::Only(names),
                |key, value| {
                    out.insert(key.to_string(), value.to_value());
                },
            ),
            _ => {
                for name in names {
                    if let Some(value) = feature.properties.get(name) {
                        out.insert(name.to_string(), value.to_value());
                    }
                }
            }
        }
        out
    }
}

/// One GeoJSON feature with its id and links.
pub fn feature(id: &str, geometry: Value, properties: Map<String, Value>, links: Value) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": properties,
        "links": links,
    })
}
