//! The query string, as the service reads it: (name, value) pairs in the order sent,
//! percent-decoded and `+` read as a space, strictly: a pair whose bytes are not UTF-8 once
//! decoded is a 400 naming that parameter, rather than text with replacement characters.
//!
//! Every endpoint takes the pairs and checks them itself (`features::params::Params`
//! refuses unknown and repeated names), so there is no typed deserialisation here and no
//! error message of another crate to pick apart.

use std::borrow::Cow;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use percent_encoding::percent_decode;

use super::error::ApiError;

/// The request's query pairs (empty without a query string).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        decode(parts.uri.query().unwrap_or("")).map(QueryPairs)
    }
}

/// Decodes `name=value&…` (`application/x-www-form-urlencoded`). Empty pieces (`a=1&&b=2`)
/// are skipped, a name without `=` has the empty value, as browsers and `form_urlencoded` do.
pub fn decode(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = component(raw_name).map_err(|_| {
            ApiError::bad_parameter(
                "query",
                format!("the parameter name {raw_name:?} is not UTF-8 once percent-decoded"),
            )
        })?;
        let value = component(raw_value).map_err(|_| {
            ApiError::bad_parameter(&name, "is not UTF-8 once percent-decoded".to_string())
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn component(raw: &str) -> Result<String, std::str::Utf8Error> {
    let spaced: Cow<str> = if raw.contains('+') {
        Cow::Owned(raw.replace('+', " "))
    } else {
        Cow::Borrowed(raw)
    };
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_a_form() {
        let pairs = decode("q=%D0%A3%D0%9F%D0%98+II&limit=5&&flag&a%2Bb=c%26d").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("q".into(), "УПИ II".into()),
                ("limit".into(), "5".into()),
                ("flag".into(), String::new()),
                ("a+b".into(), "c&d".into()),
            ]
        );
        assert!(decode("").unwrap().is_empty());
        // A literal `%` that starts no escape is kept, as form_urlencoded does.
        assert_eq!(decode("q=100%").unwrap()[0].1, "100%");
    }

    #[test]
    fn bytes_that_are_not_utf8_name_the_parameter() {
        let e = decode("limit=1&q=%FF%FE").unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("q"));
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        let e = decode("%C3=1").unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("query"));
    }
}
