//! The OpenAPI description of the register's endpoints ([`super::edit`]): the plot PATCH
//! (merged into the item path's GET), the entry, the history and the audit trail, with
//! every status they answer. [`super::openapi::document`] adds them.

use serde_json::{json, Map, Value};

use crate::register::facts::FIELDS;
use crate::register::{Status, Terms};

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}})
}

/// The answers every register endpoint may give besides its own.
fn common_errors() -> Map<String, Value> {
    let mut r = Map::new();
    r.insert(
        "400".into(),
        problem("A bad parameter or body (named in `parameter`)"),
    );
    r.insert(
        "401".into(),
        problem("No valid bearer token (WWW-Authenticate: Bearer)"),
    );
    r.insert("403".into(), problem("The account's role is not enough"));
    r.insert("404".into(), problem("No such plot or collection"));
    r.insert(
        "414".into(),
        json!({"$ref": "#/components/responses/UriTooLong"}),
    );
    r.insert(
        "429".into(),
        problem("Too many failed sign-ins from this address (see Retry-After)"),
    );
    r.insert(
        "503".into(),
        json!({"$ref": "#/components/responses/Unavailable"}),
    );
    r
}

fn with(mut errors: Map<String, Value>, extra: &[(&str, Value)]) -> Value {
    for (status, answer) in extra {
        errors.insert(status.to_string(), answer.clone());
    }
    Value::Object(errors)
}

/// The register's facts as a JSON Schema (every field optional in a patch).
pub fn facts_schema() -> Value {
    let text =
        json!({"type": "string", "nullable": true, "maxLength": crate::register::facts::MAX_TEXT});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "status": {"type": "string", "enum": Status::ALL.map(Status::name)},
        "price_eur_m2": {"type": "number", "minimum": 0, "maximum": 1e9, "nullable": true},
        "price_includes_vat": {"type": "boolean", "nullable": true},
        "price_note": text,
        "terms": {"type": "string", "enum": Terms::ALL.map(Terms::name), "nullable": true},
        "reserved_until": {"type": "string", "format": "date", "nullable": true},
        "investor": text,
        "investor_public": {"type": "boolean"},
        "contact": text,
        "internal_note": text,
        "notes_bg": text,
        "notes_en": text,
        "upi": text,
    }})
}

/// Adds the register's operations to `paths`.
pub fn add(paths: &mut Map<String, Value>) {
    let editor = json!([{"registerToken": []}]);
    let plot_params = json!([
        {"$ref": "#/components/parameters/collectionId"},
        {"$ref": "#/components/parameters/featureId"},
    ]);
    let entry = json!({"type": "object", "properties": {
        "plot": {"type": "string"}, "revision": {"type": "integer"},
        "updated_at": {"type": "string"}, "updated_by": {"type": "string"},
        "facts": facts_schema()}});
    let etag = json!({"ETag": {"description": "The item's entity tag, for If-Match", "schema": {"type": "string"}}});
    let mut reason_params = plot_params.as_array().cloned().unwrap_or_default();
    reason_params.push(json!({"name": "reason", "in": "query", "required": false,
        "description": "Why (kept in the audit trail)", "schema": {"type": "string", "maxLength": 2000}}));
    reason_params.push(json!({"name": "If-Match", "in": "header", "required": true,
        "description": "The ETag of the item as last read (or *)", "schema": {"type": "string"}}));
    let patch = json!({
        "operationId": "patchPlot",
        "summary": format!("Change a plot's register fields with a JSON merge patch (editors). Fields: {}", FIELDS.join(", ")),
        "security": editor,
        "parameters": reason_params,
        "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": facts_schema()}}},
        "responses": with(common_errors(), &[
            ("200", json!({"description": "Saved: the whole entry and its new ETag", "headers": etag, "content": {"application/json": {"schema": entry}}})),
            ("405", problem("The collection is not editable (only plots are)")),
            ("412", problem("Someone saved the plot first: GET it again")),
            ("413", problem("The body is too large")),
            ("415", problem("The body is not application/merge-patch+json")),
            ("422", problem("A field is not editable or its value is not valid (named in `field`); nothing was written")),
            ("428", problem("If-Match is missing")),
        ]),
    });
    let key = "/collections/{collectionId}/items/{featureId}".to_string();
    match paths.get_mut(&key).and_then(Value::as_object_mut) {
        Some(item) => {
            item.insert("patch".into(), patch);
        }
        None => {
            paths.insert(key, json!({"patch": patch}));
        }
    }
    let get_op = |id: &str, summary: &str, params: Value, ok: Value, extra: &[(&str, Value)]| {
        let mut extra = extra.to_vec();
        extra.push(("200", ok));
        json!({"get": {"operationId": id, "summary": summary, "security": editor,
            "parameters": params, "responses": with(common_errors(), &extra)}})
    };
    let not_editable = (
        "405",
        problem("The collection is not editable (only plots are)"),
    );
    paths.insert(
        "/collections/{collectionId}/items/{featureId}/register".into(),
        get_op(
            "getPlotRegisterEntry",
            "A plot's whole register entry, private fields too (editors)",
            plot_params.clone(),
            json!({"description": "The entry and its ETag", "headers": etag, "content": {"application/json": {"schema": entry}}}),
            std::slice::from_ref(&not_editable),
        ),
    );
    let record = json!({"type": "object", "properties": {
        "revision": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "who": {"type": "string"}, "plot": {"type": "string"},
        "old": {"type": "object", "nullable": true}, "new": {"type": "object"},
        "reason": {"type": "string", "nullable": true}}});
    paths.insert(
        "/collections/{collectionId}/items/{featureId}/history".into(),
        get_op(
            "getPlotHistory",
            "A plot's changes, oldest first (editors)",
            plot_params,
            json!({"description": "The changes", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "plot": {"type": "string"}, "changes": {"type": "array", "items": record}}}}}}),
            &[not_editable],
        ),
    );
    let mut audit = get_op(
        "getAudit",
        "Every change at or after `since`, oldest first (admins)",
        json!([
            {"name": "since", "in": "query", "required": false, "description": "RFC 3339 time (default: the beginning)", "schema": {"type": "string", "format": "date-time"}},
            {"name": "limit", "in": "query", "required": false, "description": "At most this many (1–10000, default 1000)", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
        ]),
        json!({"description": "The changes", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "changes": {"type": "array", "items": record}}}}}}),
        &[],
    );
    audit["get"]["security"] = json!([{"registerToken": []}, {"adminToken": []}]);
    paths.insert("/admin/audit".into(), audit);
    let session = json!({"type": "object", "required": ["signed_in"], "properties": {
        "signed_in": {"type": "boolean"}, "name": {"type": "string"}, "role": {"type": "string", "enum": ["editor", "admin"]},
        "csrf": {"type": "string", "description": "Send as X-CSRF-Token with every change"},
        "expires_in": {"type": "integer", "description": "Seconds"}}});
    let session_ok =
        json!({"description": "Signed in", "content": {"application/json": {"schema": session}}});
    paths.insert(
        "/session".into(),
        json!({
            "get": {"operationId": "getSession", "summary": "Who is signed in (by the session cookie); signed_in false when nobody is",
                "responses": {"200": session_ok,
                    "414": {"$ref": "#/components/responses/UriTooLong"}, "503": {"$ref": "#/components/responses/Unavailable"}}},
            "post": {"operationId": "signIn", "summary": "Sign in with an account's token: a session cookie (HttpOnly, SameSite=Strict, 30 min) and a CSRF token",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}}}},
                "responses": {"200": session_ok, "400": problem("The body is not {\"token\": …}"), "401": problem("The token is not valid"),
                    "413": problem("The body is too large"), "414": {"$ref": "#/components/responses/UriTooLong"},
                    "429": problem("Too many failed sign-ins from this address"), "503": {"$ref": "#/components/responses/Unavailable"}}},
            "delete": {"operationId": "signOut", "summary": "Sign out (with X-CSRF-Token)",
                "responses": {"204": {"description": "Signed out"}, "401": problem("Not signed in"), "403": problem("No or a wrong X-CSRF-Token"),
                    "414": {"$ref": "#/components/responses/UriTooLong"}, "503": {"$ref": "#/components/responses/Unavailable"}}},
        }),
    );
    paths.insert(
        "/register/version".into(),
        json!({"get": {"operationId": "getRegisterVersion", "summary": "The data version and the register's revision: what a page polls to see changes",
            "responses": {"200": {"description": "The versions", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "data_version": {"type": "string"}, "register_revision": {"type": "integer"}}}}}},
                "414": {"$ref": "#/components/responses/UriTooLong"}, "503": {"$ref": "#/components/responses/Unavailable"}}}}),
    );
}
