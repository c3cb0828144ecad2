//! Editing the sales register, in the manner of OGC API – Features Part 4:
//!
//! - `PATCH /collections/plots/items/{id}`: a JSON merge patch (RFC 7396,
//!   `application/merge-patch+json`) of the plot's register fields, with `If-Match` (428
//!   without, 412 when someone saved first) and an optional `?reason=`; editors;
//! - `GET /collections/plots/items/{id}/register`: the plot's whole entry, private fields
//!   too, with its ETag; editors;
//! - `GET /collections/plots/items/{id}/history`: the plot's changes; editors;
//! - `GET /admin/audit?since=`: every change since a moment; admins.
//!
//! A change is validated completely before anything is written (a 422 names the field),
//! committed in one durable transaction with its audit record, and published as a new zone
//! snapshot before the answer goes out: the next request of any endpoint sees it.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::auth::{self, Caller};
use super::{blocking, ApiError, ApiPath, AppState, QueryPairs};
use crate::geodata::LayerKind;
use crate::register::{Change, Entry, Facts, RegisterError, Role};
use crate::zone::Zone;

/// The media type of a JSON merge patch.
pub const MERGE_PATCH: &str = "application/merge-patch+json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/items/{fid}", patch(patch_item))
        .route(
            "/collections/{collection}/items/{fid}/register",
            get(entry_of),
        )
        .route(
            "/collections/{collection}/items/{fid}/history",
            get(history),
        )
        .route("/admin/audit", get(audit))
}

/// The entity tag of a plot item: the data version and the register entry's revision (a
/// plot without an entry yet: `new`). None for anything but a plot the data has.
pub fn item_etag(zone: &Zone, collection: &str, fid: &str) -> Option<String> {
    if collection != LayerKind::Plots.name() {
        return None;
    }
    zone.layer(LayerKind::Plots)?.get(fid)?;
    Some(match zone.register().get(fid) {
        Some(entry) => format!("\"{}-r{}\"", zone.version(), entry.revision),
        None => format!("\"{}-new\"", zone.version()),
    })
}

fn editable_collection(collection: &str) -> Result<(), ApiError> {
    if collection == LayerKind::Plots.name() {
        Ok(())
    } else if LayerKind::from_name(collection).is_some() {
        Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("the {collection} collection is not editable: only plots are"),
        ))
    } else {
        Err(ApiError::not_found(format!("no collection {collection:?}")))
    }
}

/// The caller, who must have `role`. Takes the request's address and headers first: a
/// future holding on to the request (its body is not `Sync`) would not be `Send`.
fn caller(
    state: &AppState,
    request: &Request,
    role: Role,
) -> impl std::future::Future<Output = Result<Caller, ApiError>> + Send + 'static {
    let address = auth::client_address(request.extensions());
    let headers = request.headers().clone();
    let method = request.method().clone();
    let state = state.clone();
    async move { auth::require(&state, &headers, address, &method, role).await }
}

/// One entry as editors see it: every field, private ones too.
fn entry_json(entry: &Entry) -> Value {
    json!({
        "plot": entry.plot,
        "revision": entry.revision,
        "updated_at": entry.updated_at,
        "updated_by": entry.updated_by,
        "facts": entry.facts.to_json(),
    })
}

fn with_etag(mut response: Response, etag: Option<String>) -> Response {
    if let Some(value) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `PATCH /collections/plots/items/{id}`.
async fn patch_item(
    State(state): State<AppState>,
    ApiPath((collection, fid)): ApiPath<(String, String)>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    let who = caller(&state, &request, Role::Editor).await?;
    editable_collection(&collection)?;
    let mut reason = None;
    for (name, value) in pairs {
        match name.as_str() {
            "reason" if value.chars().count() <= 2000 => reason = Some(value),
            "reason" => return Err(ApiError::bad_parameter("reason", "at most 2000 characters")),
            _ => {
                return Err(ApiError::bad_parameter(
                    name.chars().take(64).collect::<String>(),
                    "unknown parameter: a PATCH takes only `reason`",
                ))
            }
        }
    }
    let (parts, body) = request.into_parts();
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media.as_deref() != Some(MERGE_PATCH) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("a PATCH body is a JSON merge patch: Content-Type: {MERGE_PATCH}"),
        ));
    }
    let Some(if_match) = if_match(&parts.headers) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "a PATCH needs `If-Match` with the item's ETag (GET it first)",
        ));
    };
    let bytes: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("the body: {e}")))?;
    let patch: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })?;
    if !patch.is_object() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "a merge patch of a plot's register fields is a JSON object",
        ));
    }
    let cell = std::sync::Arc::clone(state.zone_cell());
    let register = state.register().clone();
    let (entry, etag) = blocking(move || {
        cell.change_register(|zone| {
            let current = item_etag(zone, "plots", &fid)
                .ok_or_else(|| ApiError::not_found(format!("no plot {fid:?}")))?;
            if !if_match.iter().any(|tag| tag == "*" || *tag == current) {
                return Err(stale(&current));
            }
            let (facts, from_revision) = match zone.register().get(&fid) {
                Some(entry) => (entry.facts.clone(), Some(entry.revision)),
                None => {
                    let plot = zone.layer(LayerKind::Plots).and_then(|l| l.get(&fid));
                    let facts = plot.map_or_else(Facts::available, |p| {
                        Facts::from_properties(&p.properties)
                    });
                    (facts, None)
                }
            };
            let facts = facts
                .patched(&patch)
                .map_err(|e| ApiError::bad_field(e.field.clone(), e))?;
            let change = Change {
                plot: fid.clone(),
                from_revision,
                facts,
                who: who.name.clone(),
                reason,
            };
            let entry = register.lock().commit(&change).map_err(|e| match e {
                RegisterError::Conflict { .. } => stale(&current),
                other => ApiError::internal(other),
            })?;
            tracing::info!(plot = %entry.plot, revision = entry.revision, by = %who.name, "register entry changed");
            let etag = format!("\"{}-r{}\"", zone.version(), entry.revision);
            Ok((zone.register().with(entry.clone()), (entry, etag)))
        })
    })
    .await?;
    Ok(with_etag(
        Json(entry_json(&entry)).into_response(),
        Some(etag),
    ))
}

fn stale(current: &str) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        format!("someone saved this plot first (its ETag is now {current}): GET it again, then redo the change"),
    )
}

/// The entity tags of `If-Match` (weak ones compared by their opaque part).
fn if_match(headers: &HeaderMap) -> Option<Vec<String>> {
    let values: Vec<String> = headers
        .get_all(header::IF_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/").to_string())
        .filter(|t| !t.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

fn only_no_parameters(pairs: &[(String, String)], allowed: &[&str]) -> Result<(), ApiError> {
    match pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((name, _)) => Err(ApiError::bad_parameter(
            name.chars().take(64).collect::<String>(),
            "unknown parameter",
        )),
        None => Ok(()),
    }
}

/// `GET /collections/plots/items/{id}/register`: the whole entry, for editors.
async fn entry_of(
    State(state): State<AppState>,
    ApiPath((collection, fid)): ApiPath<(String, String)>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    caller(&state, &request, Role::Editor).await?;
    editable_collection(&collection)?;
    only_no_parameters(&pairs, &[])?;
    let zone = state.zone();
    let etag = item_etag(&zone, &collection, &fid);
    let Some(entry) = zone.register().get(&fid) else {
        return Err(ApiError::not_found(format!(
            "no register entry for {fid:?}"
        )));
    };
    Ok(with_etag(Json(entry_json(entry)).into_response(), etag))
}

/// `GET /collections/plots/items/{id}/history`: the plot's changes, oldest first.
async fn history(
    State(state): State<AppState>,
    ApiPath((collection, fid)): ApiPath<(String, String)>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    caller(&state, &request, Role::Editor).await?;
    editable_collection(&collection)?;
    only_no_parameters(&pairs, &[])?;
    let zone = state.zone();
    let known = zone.register().get(&fid).is_some()
        || zone
            .layer(LayerKind::Plots)
            .and_then(|l| l.get(&fid))
            .is_some();
    if !known {
        return Err(ApiError::not_found(format!("no plot {fid:?}")));
    }
    let register = state.register().clone();
    let plot = fid.clone();
    let changes =
        blocking(move || register.lock().history(&plot).map_err(ApiError::internal)).await?;
    Ok(Json(json!({"plot": fid, "changes": changes})).into_response())
}

/// `GET /admin/audit?since=&limit=`: every change at or after `since` (RFC 3339; default:
/// all), oldest first, at most `limit` (default 1000, at most 10,000).
async fn audit(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    caller(&state, &request, Role::Admin).await?;
    only_no_parameters(&pairs, &["since", "limit"])?;
    let mut since = "0000-01-01T00:00:00Z".to_string();
    let mut limit = 1000usize;
    for (name, value) in pairs {
        if name == "since" {
            let at = time::OffsetDateTime::parse(&value, &Rfc3339).map_err(|_| {
                ApiError::bad_parameter(
                    "since",
                    "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z",
                )
            })?;
            // Stored times are UTC, second precision: compare in the same form.
            since = at
                .to_offset(time::UtcOffset::UTC)
                .replace_nanosecond(0)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or(since);
        } else {
            limit = value
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=10_000).contains(l))
                .ok_or_else(|| ApiError::bad_parameter("limit", "must be 1 to 10000"))?;
        }
    }
    let register = state.register().clone();
    let changes = blocking(move || {
        register
            .lock()
            .audit_since(&since, limit)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(Json(json!({"changes": changes})).into_response())
}
