//! What the operations of the OpenAPI document (`GET /api`) share, and the document as
//! served. Each handler carries its own `#[utoipa::path(...)]` (its doc comment is the
//! operation's summary), naming the shared parameters of [`params`] (listed once under
//! `components/parameters`) and the shared answers and schemas of [`components`];
//! [`super::service_api`] assembles them.
//!
//! The document is derived once per data version ([`ApiDocument`], a `Derived` fact), never
//! per request: only the server URL (the request's public base) is set per request, by
//! splicing it into the serialized document.

mod components;
mod params;
mod schemas;

pub use components::{
    problem, BadRequest, Components, GuardErrors, NotFound, Problem, ReadErrors, RegisterErrors,
    Unavailable, Unprocessable, UriTooLong, PROBLEM_JSON,
};
pub(crate) use params::params_type;
pub use params::{
    fill, path_param, query, shared_parameters, Bbox, CollectionId, Crs, FHtml, FItems, FJson,
    FeatureId, Filter, Paging,
};
pub(crate) use schemas::schema_type;
pub use schemas::{array, boolean, date_time, integer, named, number_in, object, one_of, string};

use serde_json::{json, Value};

/// The marker the server URL is serialized as, then replaced by each request's base.
const SERVER_MARK: &str = "{zagore:public-base}";

/// The OpenAPI document of one data version: as JSON (for the HTML page) and serialized
/// around its server URL.
pub struct ApiDocument {
    doc: Value,
    before_server: String,
    after_server: String,
}

impl ApiDocument {
    /// The document derived for a data version (see `super::service_api`).
    pub(crate) fn new(mut doc: Value) -> ApiDocument {
        doc["servers"] = json!([{"url": SERVER_MARK}]);
        let text = doc.to_string();
        let mark = format!("\"{SERVER_MARK}\"");
        let (before_server, after_server) = match text.split_once(&mark) {
            Some((before, after)) => (before.to_string(), after.to_string()),
            None => (text, String::new()),
        };
        ApiDocument {
            doc,
            before_server,
            after_server,
        }
    }

    /// The document as JSON (its server URL is the marker).
    pub fn json(&self) -> &Value {
        &self.doc
    }

    /// The document serialized, with `base` as its server.
    pub fn to_string_for(&self, base: &str) -> String {
        let base = Value::String(base.to_string());
        format!("{}{base}{}", self.before_server, self.after_server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_url_is_spliced_in_as_a_json_string() {
        let doc = ApiDocument::new(json!({"openapi": "3.0.3", "paths": {}}));
        let text = doc.to_string_for("https://zone.example/a\"b");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["servers"][0]["url"], "https://zone.example/a\"b");
        assert_eq!(parsed["openapi"], "3.0.3");
    }
}
