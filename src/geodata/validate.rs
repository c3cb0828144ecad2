//! Validation rules for the zone's layers: coordinates, rings, geometry validity, areas of use,
//! property values, duplicate identifiers and declared areas.
//!
//! Each rule returns a message that says what is wrong in the user's terms; the reader
//! attaches the file, line and feature.

use geo::{CoordsIter, Geometry, Validation};
use geojson::{GeometryValue, Position};
use serde_json::{Map, Value};

use super::model::{Layer, LayerKind, Locating};
use super::problem::{Problem, Severity};

/// Plot statuses an investor's card can show.
pub const PLOT_STATUSES: [&str; 4] = ["available", "reserved", "pre-contracted", "sold"];
/// Road classes the tiles and the router understand.
pub const ROAD_CLASSES: [&str; 6] = [
    "motorway",
    "ring_road",
    "primary",
    "local",
    "service",
    "ramp",
];
/// How far a plot's computed area may stray from its declared area before it is reported.
pub const AREA_TOLERANCE: f64 = 0.01;

fn position(p: &Position, what: &str) -> Result<(), String> {
    let values = p.as_slice();
    if !(2..=3).contains(&values.len()) {
        return Err(format!(
            "{what}: a position needs 2 or 3 numbers, found {}",
            values.len()
        ));
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(format!("{what}: a coordinate is not a finite number"));
    }
    Ok(())
}

fn line(points: &[Position], what: &str) -> Result<(), String> {
    if points.len() < 2 {
        return Err(format!(
            "{what} has {} position(s); a line needs at least 2",
            points.len()
        ));
    }
    points.iter().try_for_each(|p| position(p, what))
}

fn polygon(rings: &[Vec<Position>], what: &str) -> Result<(), String> {
    if rings.is_empty() {
        return Err(format!("{what} has no rings"));
    }
    for (i, ring) in rings.iter().enumerate() {
        let name = if i == 0 {
            format!("{what}'s exterior ring")
        } else {
            format!("{what}'s interior ring {i}")
        };
        ring.iter().try_for_each(|p| position(p, &name))?;
        if ring.len() < 4 {
            return Err(format!(
                "{name} has {} positions; a ring needs at least 4",
                ring.len()
            ));
        }
        let (first, last) = (&ring[0], &ring[ring.len() - 1]);
        if first.as_slice()[..2] != last.as_slice()[..2] {
            return Err(format!(
                "{name} is not closed: it starts at {:?} and ends at {:?}",
                first.as_slice(),
                last.as_slice()
            ));
        }
    }
    Ok(())
}

/// Checks the raw positions before conversion (geo would silently close an open ring).
pub fn positions(value: &GeometryValue) -> Result<(), String> {
    match value {
        GeometryValue::Point { coordinates } => position(coordinates, "the point"),
        GeometryValue::MultiPoint { coordinates } => {
            coordinates.iter().try_for_each(|p| position(p, "a point"))
        }
        GeometryValue::LineString { coordinates } => line(coordinates, "the line"),
        GeometryValue::MultiLineString { coordinates } => coordinates
            .iter()
            .enumerate()
            .try_for_each(|(i, l)| line(l, &format!("line {}", i + 1))),
        GeometryValue::Polygon { coordinates } => polygon(coordinates, "the polygon"),
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .enumerate()
            .try_for_each(|(i, p)| polygon(p, &format!("polygon {}", i + 1))),
        GeometryValue::GeometryCollection { .. } => {
            Err("geometry collections are not supported".to_string())
        }
    }
}

/// OGC simple-feature validity: no self-intersecting rings, holes inside their shell, …
pub fn geometry(g: &Geometry<f64>) -> Result<(), String> {
    let errors = g.validation_errors();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "invalid geometry: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))
    }
}

/// The first coordinate (lon, lat) outside the area [west, south, east, north], described.
pub fn outside_area(lonlat: &Geometry<f64>, area: [f64; 4]) -> Option<String> {
    let [west, south, east, north] = area;
    lonlat
        .coords_iter()
        .find(|c| !(c.x >= west && c.x <= east && c.y >= south && c.y <= north))
        .map(|c| {
            format!(
                "lon {:.5}, lat {:.5} is outside {west:.2}..{east:.2} E, {south:.2}..{north:.2} N",
                c.x, c.y
            )
        })
}

/// Values a layer's known properties must have. Returns the field and the message.
pub fn property_values(
    kind: LayerKind,
    props: &Map<String, Value>,
) -> Result<(), (&'static str, String)> {
    let check_enum = |field: &'static str, allowed: &[&str]| match props.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some(other) => Err((
            field,
            format!("{other} is not one of {}", allowed.join(", ")),
        )),
    };
    let check_positive = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Number(n)) if n.as_f64().is_some_and(|v| v > 0.0) => Ok(()),
        Some(other) => Err((field, format!("{other} is not a positive number"))),
    };
    match kind {
        LayerKind::Plots | LayerKind::Stages => {
            if kind == LayerKind::Plots {
                check_enum("status", &PLOT_STATUSES)?;
                check_positive("declared_area_m2")?;
            }
            match props.get("stage") {
                None | Some(Value::Null) => Ok(()),
                Some(Value::Number(n)) if n.as_u64().is_some_and(|s| s >= 1) => Ok(()),
                Some(other) => Err(("stage", format!("{other} is not a stage number (1, 2, …)"))),
            }
        }
        LayerKind::Roads => {
            check_enum("class", &ROAD_CLASSES)?;
            match props.get("oneway") {
                None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
                Some(other) => Err(("oneway", format!("{other} is not true or false"))),
            }
        }
        LayerKind::Rail | LayerKind::Poi | LayerKind::Extra(_) => Ok(()),
    }
}

/// Every identifier must be unique within its layer. Each repeat is reported (in file
/// order) with the line of the identifier's previous occurrence.
pub fn check_duplicates(layers: &[Layer], problems: &mut Vec<Problem>) {
    for layer in layers {
        let features = &layer.features;
        // The layer's identifier lookup lists positions by identifier, equal identifiers in
        // file order: each repeat follows its previous occurrence. No second index is built.
        let mut repeats: Vec<(usize, usize)> = layer
            .by_id
            .windows(2)
            .filter(|pair| features[pair[0]].id == features[pair[1]].id)
            .map(|pair| (pair[1], pair[0]))
            .collect();
        repeats.sort_unstable();
        for (at, previous) in repeats {
            let feature = &features[at];
            let (line, label, first) = match layer.locating {
                Locating::Lines => (Some(feature.line), feature.id.clone(), "line"),
                Locating::Records => (
                    None,
                    format!("record {} ({})", feature.line, feature.id),
                    "record",
                ),
            };
            problems.push(Problem {
                severity: Severity::Error,
                file: layer.file.display().to_string(),
                line,
                feature: Some(label),
                field: None,
                message: format!(
                    "duplicate identifier {} (first at {first} {})",
                    feature.id, features[previous].line
                ),
            });
        }
    }
}

/// A plot whose geodesic area differs from its declared area by more than 1 % is a warning.
pub fn check_declared_areas(layers: &[Layer], problems: &mut Vec<Problem>) {
    let Some(plots) = layers.iter().find(|l| l.kind == LayerKind::Plots) else {
        return;
    };
    for f in &plots.features {
        let (Some(declared), Some(computed)) = (f.num_prop("declared_area_m2"), f.area_m2) else {
            continue;
        };
        let off = (computed - declared) / declared;
        if off.abs() > AREA_TOLERANCE {
            let (line, label) = match plots.locating {
                Locating::Lines => (Some(f.line), f.id.clone()),
                Locating::Records => (None, format!("record {} ({})", f.line, f.id)),
            };
            problems.push(Problem {
                severity: Severity::Warning,
                file: plots.file.display().to_string(),
                line,
                feature: Some(label),
                field: Some("declared_area_m2".to_string()),
                message: format!(
                    "computed area {computed:.0} m² differs from the declared {declared:.0} m² by {:+.2} %",
                    off * 100.0
                ),
            });
        }
    }
}
