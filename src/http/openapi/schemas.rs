//! Small constructors for the schemas of the OpenAPI document (utoipa's builders, named for
//! what they describe), shared by the components, the parameters and the handlers' dynamic
//! parts.

use serde_json::Value;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Ref, Schema, SchemaFormat, SchemaType,
};
use utoipa::openapi::RefOr;

/// `{"type": "string"}`.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::String)
}

/// A string that is one of `values`.
pub fn one_of<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> ObjectBuilder {
    string().enum_values(Some(values))
}

/// A free-form JSON object.
pub fn object() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Object)
}

/// `{"type": "integer"}`.
pub fn integer() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Integer)
}

/// A number between `min` and `max` (a longitude or a latitude).
pub fn number_in(min: f64, max: f64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::Number)
        .minimum(Some(min))
        .maximum(Some(max))
}

/// A date-time string (RFC 3339).
pub fn date_time() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}

/// A list of `items`.
pub fn array(items: impl Into<RefOr<Schema>>) -> ArrayBuilder {
    ArrayBuilder::new().items(items)
}

/// A reference to a schema of the document's components.
pub fn named(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// Declares a unit type whose schema is `$schema` (a builder), for a handler's
/// `request_body(content = inline(T))` or `body = inline(T)`.
macro_rules! schema_type {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub(super) struct $name;
        impl<'s> utoipa::ToSchema<'s> for $name {
            fn schema() -> (&'s str, utoipa::openapi::RefOr<utoipa::openapi::Schema>) {
                let schema = utoipa::openapi::Schema::from($schema.build());
                (stringify!($name), utoipa::openapi::RefOr::T(schema))
            }
        }
    };
}
pub(crate) use schema_type;

/// `{"type": "boolean"}`.
pub fn boolean() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Boolean)
}
