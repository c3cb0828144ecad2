//! What many operations of the OpenAPI document share: the problem answers (each a
//! [`ToResponse`] that a handler's `#[utoipa::path]` names, e.g. `response = BadRequest`),
//! the schemas of the OGC API – Features bodies and the two bearer-token security schemes.

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Ref, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::openapi::{ContentBuilder, OpenApi};
use utoipa::{IntoResponses, Modify, ToResponse};

use super::schemas::{array, date_time, integer, named, object, one_of, string};

/// The media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An answer with a problem body.
pub fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new().schema(named("problem")).build(),
        )
        .build()
}

/// Shared problem answers, listed once under `components/responses`.
macro_rules! problem_responses {
    ($($name:ident: $description:literal;)*) => {$(
        #[doc = $description]
        pub struct $name;
        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), RefOr::T(problem($description)))
            }
        }
    )*};
}

problem_responses! {
    BadRequest: "A parameter is unknown or has a bad value (named in `parameter`)";
    NotFound: "No such collection or feature";
    UriTooLong: "The request target is longer than 8 KiB";
    Unavailable: "Too many requests in flight, or the request ran over its time limit (see Retry-After)";
    Unprocessable: "The body is JSON but not a geometry that can be measured (the reason in `detail`)";
    Problem: "The request was refused (the reason in `detail`)";
}

/// The schemas and security schemes of `components`.
pub struct Components;

impl Modify for Components {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas() {
            components.schemas.insert(name.to_string(), schema);
        }
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "adminToken",
            bearer("The admin_token from the service's configuration"),
        );
        components.add_security_scheme(
            "registerToken",
            bearer("A register account's token (`zagore user add NAME --role editor|admin`)"),
        );
    }
}

fn strings() -> RefOr<Schema> {
    array(string()).into()
}

fn schemas() -> Vec<(&'static str, RefOr<Schema>)> {
    let links = || array(named("link"));
    let link = object()
        .required("href")
        .required("rel")
        .property("href", string())
        .property("rel", string())
        .property("type", string())
        .property("title", string());
    let problem = object()
        .required("status")
        .required("detail")
        .property("type", string())
        .property("title", string())
        .property("status", integer())
        .property("detail", string())
        .property(
            "parameter",
            string().description(Some("The query or path parameter at fault")),
        )
        .property(
            "field",
            string().description(Some("The field of the request body at fault")),
        );
    let landing = object()
        .required("links")
        .property("title", string())
        .property("description", string())
        .property("links", links());
    let conformance = object()
        .required("conformsTo")
        .property("conformsTo", strings());
    let collection = object()
        .required("id")
        .required("links")
        .property("id", string())
        .property("title", string())
        .property("description", string())
        .property("links", links())
        .property("extent", object())
        .property("itemType", string())
        .property("crs", strings())
        .property("storageCrs", string());
    let collections = object()
        .required("links")
        .required("collections")
        .property("links", links())
        .property("collections", array(named("collection")))
        .property("crs", strings());
    let geometry = object().required("type").property(
        "type",
        one_of([
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
            "GeometryCollection",
        ]),
    );
    let feature = object()
        .required("type")
        .required("geometry")
        .property("properties", object().nullable(true))
        .required("properties")
        .property("type", one_of(["Feature"]))
        .property("id", string())
        .property("geometry", named("geometryGeoJSON"))
        .property("links", links());
    let count = || integer().minimum(Some(0.0));
    let feature_collection = object()
        .required("type")
        .required("features")
        .property("type", one_of(["FeatureCollection"]))
        .property("features", array(named("featureGeoJSON")))
        .property("links", links())
        .property("timeStamp", date_time())
        .property("numberMatched", count())
        .property("numberReturned", count());
    let built = |b: ObjectBuilder| RefOr::T(Schema::Object(b.build()));
    vec![
        ("link", built(link)),
        ("problem", built(problem)),
        ("landingPage", built(landing)),
        ("confClasses", built(conformance)),
        ("collection", built(collection)),
        ("collections", built(collections)),
        ("geometryGeoJSON", built(geometry)),
        ("featureGeoJSON", built(feature)),
        ("featureCollectionGeoJSON", built(feature_collection)),
    ]
}

fn answer(response: &str) -> RefOr<Response> {
    RefOr::Ref(Ref::from_response_name(response))
}

/// The answers every request may get from the guard: 414 and 503.
pub struct GuardErrors;

impl IntoResponses for GuardErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            ("414".to_string(), answer("UriTooLong")),
            ("503".to_string(), answer("Unavailable")),
        ])
    }
}

/// The answers every read of the public API may give besides its own: 400, 404, 414, 503.
pub struct ReadErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut errors = GuardErrors::responses();
        errors.insert("400".to_string(), answer("BadRequest"));
        errors.insert("404".to_string(), answer("NotFound"));
        errors
    }
}

/// The answers every register endpoint may give besides its own.
pub struct RegisterErrors;

impl IntoResponses for RegisterErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut errors = GuardErrors::responses();
        for (status, description) in [
            ("400", "A bad parameter or body (named in `parameter`)"),
            ("401", "No valid bearer token (WWW-Authenticate: Bearer)"),
            ("403", "The account's role is not enough"),
            ("404", "No such plot or collection"),
            (
                "429",
                "Too many failed sign-ins from this address (see Retry-After)",
            ),
        ] {
            errors.insert(status.to_string(), RefOr::T(problem(description)));
        }
        errors
    }
}
