//! Tests the features of one layer against a checked filter: reads the properties the
//! filter names (a plot's card field by field) and, for spatial functions, the geometry in
//! the filter's CRS.

use std::borrow::Cow;

use geo::Geometry;

use super::build::CqlFilter;
use super::condition::Subject;
use crate::features::output::GeometryWriter;
use crate::features::params::ParamError;
use crate::geodata::{Layer, LayerKind, PropValue};
use crate::zone::card::CardFields;
use crate::zone::Zone;

/// Tests the features of one layer against a filter, reusing one buffer of values.
pub struct Matcher<'a> {
    filter: &'a CqlFilter,
    zone: &'a Zone,
    layer: &'a Layer,
    /// The features' geometries in the filter's CRS (PROJ only when that is neither the
    /// layer's own CRS nor longitude/latitude; the transform is this thread's cached one).
    writer: Option<GeometryWriter>,
    values: Vec<PropValue>,
    /// The filter's property names: the only card fields computed per feature.
    wanted: Vec<&'a str>,
}

impl<'a> Matcher<'a> {
    /// Blocking when the filter's CRS needs PROJ; not `Send` (PROJ objects stay on this
    /// thread).
    pub fn new(
        filter: &'a CqlFilter,
        zone: &'a Zone,
        layer: &'a Layer,
    ) -> Result<Matcher<'a>, ParamError> {
        let writer = if filter.spatial {
            Some(GeometryWriter::new(layer, &filter.crs, "filter-crs")?)
        } else {
            None
        };
        Ok(Matcher {
            filter,
            zone,
            layer,
            writer,
            values: vec![PropValue::Null; filter.properties.len()],
            wanted: filter.properties.iter().map(String::as_str).collect(),
        })
    }

    /// Whether the feature at `position` of the layer matches. An error only when the
    /// feature cannot be expressed in the filter's CRS.
    pub fn matches(&mut self, position: usize) -> Result<bool, ParamError> {
        let Some(feature) = self.layer.features.get(position) else {
            return Ok(false);
        };
        let names = &self.filter.properties;
        self.values.fill(PropValue::Null);
        if !names.is_empty() {
            let values = &mut self.values;
            if self.layer.kind == LayerKind::Plots {
                // The card as served (the register's facts, computed areas and distances),
                // field by field, keeping only the fields the filter reads.
                self.zone.visit_plot_card_fields(
                    Some(position),
                    feature,
                    CardFields::Only(&self.wanted),
                    |name, value| {
                        if let Some(slot) = names.iter().position(|n| n == name) {
                            values[slot] = value.clone();
                        }
                    },
                );
            } else {
                for (slot, name) in names.iter().enumerate() {
                    if let Some(v) = feature.properties.get(name) {
                        values[slot] = v.clone();
                    }
                }
            }
        }
        let geometry: Option<Cow<'_, Geometry<f64>>> = match &self.writer {
            Some(w) => Some(w.east_first_ref(feature)?),
            None => None,
        };
        let subject = Subject {
            values: &self.values,
            geometry: geometry.as_deref(),
        };
        Ok(self.filter.condition.eval(&subject) == Some(true))
    }
}
