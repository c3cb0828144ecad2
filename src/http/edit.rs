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
use super::openapi::{
    array, boolean, date_time, integer, number_in, object, one_of, params_type, query, schema_type,
    string, CollectionId, FeatureId, RegisterErrors,
};
use super::{blocking, ApiError, ApiPath, AppState, QueryPairs};
use crate::geodata::LayerKind;
use crate::register::facts::{FIELDS, MAX_TEXT};
use crate::register::{Change, Entry, Facts, RegisterError, Role};
use crate::register::{Status, Terms};
use crate::zone::Zone;
use utoipa::openapi::path::PathItemType;
use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat};
use utoipa::openapi::OpenApi;
use utoipa::Modify;

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

/// Change a plot's register fields with a JSON merge patch (editors)
// `PatchFields` lists the fields in the summary.
#[utoipa::path(patch, path = "/collections/{collectionId}/items/{featureId}", operation_id = "patchPlot",
    security(("registerToken" = [])),
    params(
        CollectionId,
        FeatureId,
        Reason,
        ("If-Match" = String, Header, description = "The ETag of the item as last read (or *)")),
    request_body(content = inline(RegisterFacts), content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Saved: the whole entry and its new ETag", content_type = "application/json",
            body = inline(RegisterEntry), headers(("ETag" = String, description = "The item's entity tag, for If-Match"))),
        (status = 405, description = "The collection is not editable (only plots are)", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 412, description = "Someone saved the plot first: GET it again", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 413, description = "The body is too large", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 415, description = "The body is not application/merge-patch+json", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 422, description = "A field is not editable or its value is not valid (named in `field`); nothing was written", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        (status = 428, description = "If-Match is missing", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        RegisterErrors))]
pub(super) async fn patch_item(
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

/// A plot's whole register entry, private fields too (editors)
#[utoipa::path(get, path = "/collections/{collectionId}/items/{featureId}/register",
    operation_id = "getPlotRegisterEntry",
    security(("registerToken" = [])),
    params(CollectionId, FeatureId),
    responses(
        (status = 200, description = "The entry and its ETag", content_type = "application/json",
            body = inline(RegisterEntry), headers(("ETag" = String, description = "The item's entity tag, for If-Match"))),
        (status = 405, description = "The collection is not editable (only plots are)", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        RegisterErrors))]
pub(super) async fn entry_of(
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

/// A plot's changes, oldest first (editors)
#[utoipa::path(get, path = "/collections/{collectionId}/items/{featureId}/history",
    operation_id = "getPlotHistory",
    security(("registerToken" = [])),
    params(CollectionId, FeatureId),
    responses(
        (status = 200, description = "The changes", content_type = "application/json",
            body = inline(PlotHistory)),
        (status = 405, description = "The collection is not editable (only plots are)", content_type = "application/problem+json", body = ref("#/components/schemas/problem")),
        RegisterErrors))]
pub(super) async fn history(
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

/// Every change at or after `since`, oldest first (admins)
#[utoipa::path(get, path = "/admin/audit", operation_id = "getAudit",
    security(("registerToken" = []), ("adminToken" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The changes", content_type = "application/json", body = inline(Audit)),
        RegisterErrors))]
pub(super) async fn audit(
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

/// Lists the editable fields in the summary of the plot PATCH.
pub(super) struct PatchFields;

impl Modify for PatchFields {
    fn modify(&self, openapi: &mut OpenApi) {
        let patch = openapi
            .paths
            .paths
            .get_mut("/collections/{collectionId}/items/{featureId}")
            .and_then(|item| item.operations.get_mut(&PathItemType::Patch));
        if let Some(summary) = patch.and_then(|op| op.summary.as_mut()) {
            summary.push_str(&format!(". Fields: {}", FIELDS.join(", ")));
        }
    }
}

/// A register text field: at most `MAX_TEXT` characters, or null to clear it.
fn text() -> ObjectBuilder {
    string().nullable(true).max_length(Some(MAX_TEXT))
}

/// The register's facts (every field optional in a patch).
fn facts() -> ObjectBuilder {
    let price = number_in(0.0, 1e9).nullable(true);
    object()
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .property("status", one_of(Status::ALL.map(Status::name)))
        .property("price_eur_m2", price)
        .property("price_includes_vat", boolean().nullable(true))
        .property("price_note", text())
        .property("terms", one_of(Terms::ALL.map(Terms::name)).nullable(true))
        .property(
            "reserved_until",
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .nullable(true),
        )
        .property("investor", text())
        .property("investor_public", boolean())
        .property("contact", text())
        .property("internal_note", text())
        .property("notes_bg", text())
        .property("notes_en", text())
        .property("upi", text())
}

/// One change of the audit trail.
fn change() -> ObjectBuilder {
    object()
        .property("revision", integer())
        .property("at", date_time())
        .property("who", string())
        .property("plot", string())
        .property("old", object().nullable(true))
        .property("new", object())
        .property("reason", string().nullable(true))
}

params_type! {
    /// `reason` of a PATCH.
    Reason => vec![query(
        "reason",
        "Why (kept in the audit trail)",
        string().max_length(Some(2000)),
    )
    .build()];
    /// `since` and `limit` of the audit trail.
    AuditQuery => vec![
        query("since", "RFC 3339 time (default: the beginning)", date_time()).build(),
        query(
            "limit",
            "At most this many (1–10000, default 1000)",
            integer().minimum(Some(1.0)).maximum(Some(10000.0)),
        )
        .build(),
    ];
}

schema_type! {
    /// The body of a plot PATCH.
    RegisterFacts => facts()
}

schema_type! {
    /// A plot's whole register entry.
    RegisterEntry => object()
        .property("plot", string())
        .property("revision", integer())
        .property("updated_at", string())
        .property("updated_by", string())
        .property("facts", facts())
}

schema_type! {
    /// A plot's changes.
    PlotHistory => object()
        .property("plot", string())
        .property("changes", array(change()))
}

schema_type! {
    /// The changes since a moment.
    Audit => object().property("changes", array(change()))
}
