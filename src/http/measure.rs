//! The distance endpoints: a plot's or a point's distances, the table for every plot (JSON
//! and CSV), and `POST /measure` for the geodesic length or area of a drawn geometry.
//! Distances computed on request block (geodesic searches, routing): they run off the async
//! workers.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use geo::Coord;
use serde_json::{json, Value};

use super::openapi::{object, one_of, BadRequest, Problem, ReadErrors, Unavailable, Unprocessable};
use super::{blocking, ApiError, ApiPath, AppState, QueryPairs};
use crate::features::params::Params;
use crate::geodata::CadastralId;
use crate::measure::{self, render};
use crate::zone::distance::table::EAGER_PLOTS;
use crate::zone::Zone;
use utoipa::openapi::{RefOr, Schema};

/// The largest body `POST /measure` accepts.
pub const MEASURE_BODY_LIMIT: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plots/{id}/distances", get(plot_distances))
        .route("/distances", get(point_distances))
        .route("/plots/distances", get(table_json))
        .route("/plots/distances.csv", get(table_csv))
        .route(
            "/measure",
            post(measure).layer(DefaultBodyLimit::max(MEASURE_BODY_LIMIT)),
        )
}

/// Every parameter is understood or refused: these endpoints take none.
fn no_parameters(pairs: Vec<(String, String)>) -> Result<(), ApiError> {
    match pairs.into_iter().next() {
        None => Ok(()),
        Some((name, _)) => Err(ApiError::bad_parameter(
            name.chars().take(64).collect::<String>(),
            "unknown parameter: this endpoint takes none",
        )),
    }
}

/// A plot's distances to the A1 motorway and interchange, the ring road and the railway
#[utoipa::path(get, path = "/plots/{plotId}/distances", operation_id = "plotDistances",
    params(("plotId" = String, Path, description = "Cadastral identifier, e.g. 27214.33.1")),
    responses(
        (status = 200, description = "The distances", content_type = "application/json", body = Object),
        ReadErrors))]
async fn plot_distances(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    no_parameters(pairs)?;
    let id: CadastralId = id.parse().map_err(|e| ApiError::bad_parameter("id", e))?;
    let zone = state.zone();
    let body = blocking(move || {
        let plot = zone
            .dataset
            .plot(&id)
            .ok_or_else(|| ApiError::not_found(format!("no plot {id} in the zone")))?;
        let row = zone.plot_distances(plot);
        let mut body = json!({ "plot": row.plot_id, "stage": row.stage });
        if let (Value::Object(out), Value::Object(more)) = (&mut body, row.distances.to_json()) {
            out.extend(more);
        }
        Ok(body)
    })
    .await?;
    Ok(Json(body))
}

/// Parses a coordinate parameter: present, a finite number, within ±`limit` degrees.
fn coordinate(name: &str, value: Option<&str>, limit: f64) -> Result<f64, ApiError> {
    let text = value.ok_or_else(|| ApiError::bad_parameter(name, "is required"))?;
    let number: f64 = text
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_parameter(name, format!("{text:?} is not a number")))?;
    if !number.is_finite() {
        return Err(ApiError::bad_parameter(name, "must be a finite number"));
    }
    if number.abs() > limit {
        return Err(ApiError::bad_parameter(
            name,
            format!("{number} is outside -{limit}..{limit} degrees"),
        ));
    }
    Ok(number)
}

/// Distances from a point to the A1 motorway and interchange, the ring road and the railway
#[utoipa::path(get, path = "/distances", operation_id = "pointDistances",
    params(
        ("lon" = f64, Query, description = "Longitude, WGS84 degrees", minimum = -180, maximum = 180),
        ("lat" = f64, Query, description = "Latitude, WGS84 degrees", minimum = -90, maximum = 90)),
    responses(
        (status = 200, description = "The distances", content_type = "application/json", body = Object),
        ReadErrors))]
async fn point_distances(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let mut params = Params::new(pairs);
    let lon = params.take("lon")?;
    let lat = params.take("lat")?;
    params.finish(&["lon", "lat"])?;
    let lon = coordinate("lon", lon.as_deref(), 180.0)?;
    let lat = coordinate("lat", lat.as_deref(), 90.0)?;
    let zone = state.zone();
    let distances = blocking(move || {
        Ok(zone
            .distances
            .point(&zone.network, Coord { x: lon, y: lat }))
    })
    .await?;
    let mut body = json!({ "point": [lon, lat] });
    if let (Value::Object(out), Value::Object(more)) = (&mut body, distances.to_json()) {
        out.extend(more);
    }
    Ok(Json(body))
}

/// The whole table exists only for data up to `EAGER_PLOTS` plots; above that, say so.
fn whole_table(state: &AppState) -> Result<std::sync::Arc<Zone>, ApiError> {
    let zone = state.zone();
    match zone.distances.deferred() {
        None => Ok(zone),
        Some(plots) => Err(ApiError::new(
            axum::http::StatusCode::NOT_IMPLEMENTED,
            format!(
                "the distance table is computed at load only for up to {} plots and this data has {plots}: ask GET /plots/{{id}}/distances per plot",
                EAGER_PLOTS
            ),
        )),
    }
}

/// Every plot's distances
#[utoipa::path(get, path = "/plots/distances", operation_id = "allPlotDistances",
    responses(
        (status = 200, description = "The distances", content_type = "application/json", body = Object),
        (status = 501, description = "The data has more plots than the table is computed for at load: ask each plot's distances",
            content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        ReadErrors))]
async fn table_json(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    no_parameters(pairs)?;
    Ok(Json(render::json(&whole_table(&state)?.distances)))
}

/// Every plot's distances as CSV
#[utoipa::path(get, path = "/plots/distances.csv", operation_id = "allPlotDistancesCsv",
    responses(
        (status = 200, description = "The distances", content_type = "text/csv", body = String),
        (status = 501, description = "The data has more plots than the table is computed for at load: ask each plot's distances",
            content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        ReadErrors))]
async fn table_csv(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    no_parameters(pairs)?;
    let data = whole_table(&state)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"plot-distances.csv\"",
            ),
        ],
        // A byte-order mark, so Excel reads the UTF-8 (Cyrillic names) as UTF-8.
        format!("\u{feff}{}", render::csv(&data.distances)),
    )
        .into_response())
}

/// Geodesic measurement of a geometry sent in the body (lengths and areas on the WGS84 ellipsoid)
#[utoipa::path(post, path = "/measure", operation_id = "measure",
    request_body(content = inline(MeasuredGeometry), content_type = "application/json"),
    responses(
        (status = 200, description = "The measurement", content_type = "application/json", body = Object),
        (status = 400, response = BadRequest),
        (status = 408, response = Problem),
        (status = 413, response = Problem),
        (status = 415, response = Problem),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable)))]
async fn measure(
    QueryPairs(pairs): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    no_parameters(pairs)?;
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the body is larger than {MEASURE_BODY_LIMIT} bytes")
        } else {
            rejection.body_text()
        };
        ApiError::new(status, detail)
    })?;
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let geometry = measure::measure_geometry(value).map_err(|e| ApiError {
        parameter: e.position().map(str::to_string),
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
    })?;
    Ok(Json(geometry_json(&geometry)))
}

fn geometry_json(measured: &measure::Measured) -> Value {
    match measured {
        measure::Measured::Length { length_m } => json!({
            "kind": "length",
            "length_m": (length_m * 1000.0).round() / 1000.0,
        }),
        measure::Measured::Area {
            area_m2,
            perimeter_m,
        } => json!({
            "kind": "area",
            "area_m2": (area_m2 * 1000.0).round() / 1000.0,
            "area_decares": (area_m2 / 1000.0 * 10000.0).round() / 10000.0,
            "perimeter_m": (perimeter_m * 1000.0).round() / 1000.0,
        }),
    }
}

/// The body of `POST /measure`, as the document describes it.
struct MeasuredGeometry;

impl<'s> utoipa::ToSchema<'s> for MeasuredGeometry {
    fn schema() -> (&'s str, RefOr<Schema>) {
        let types = [
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
            "Feature",
        ];
        let schema = object()
            .required("type")
            .description(Some(
                "A GeoJSON geometry, or a Feature holding one, in WGS84 longitude/latitude",
            ))
            .property("type", one_of(types));
        ("MeasuredGeometry", RefOr::T(Schema::Object(schema.build())))
    }
}
