//! Why a geometry cannot be measured: one error for the body's reading and its measuring,
//! which the HTTP edge turns into a 422 naming the position at fault.

/// The largest area measured, m²: a million km², far beyond any plot or zone (Bulgaria is
/// 111 000 km²). Anything larger is almost surely a drawing mistake (a ring around the
/// world, a box with its corners at the poles) whose geodesic area means nothing here.
pub const MAX_AREA_M2: f64 = 1e12;

/// Why a geometry cannot be measured.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("the body is not a GeoJSON geometry or feature: {0}")]
    NotGeoJson(String),
    #[error("the feature has no geometry")]
    NoGeometry,
    #[error("a {0} has neither a length nor an area to measure; send a LineString, MultiLineString, Polygon or MultiPolygon")]
    Unsupported(String),
    #[error("{path}: {reason}")]
    Position { path: String, reason: String },
    #[error("the geometry is not valid: {0}")]
    Invalid(String),
    #[error("the {0} is empty: there is nothing to measure")]
    Empty(&'static str),
    #[error("the area is {0:.0} m², more than the {MAX_AREA_M2:e} m² measured here; draw a smaller ring")]
    TooLarge(f64),
}

impl MeasureError {
    /// The path of the position at fault (`coordinates[0][3]`), when there is one.
    pub fn position(&self) -> Option<&str> {
        match self {
            MeasureError::Position { path, .. } => Some(path),
            _ => None,
        }
    }
}
