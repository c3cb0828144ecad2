//! Content negotiation and links: which representation a request gets (`?f=` first, then the
//! `Accept` header, JSON by default), and the encoding of link paths and query strings.

use super::params::ParamError;

/// A representation the feature endpoints can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

/// Picks the representation: `f` when given (`json`, `geojson`, or `html` where
/// `html_available`), else HTML only when the client prefers `text/html` to JSON outright (a
/// browser does; `*/*` and `application/json` get JSON).
pub fn choose(
    f: Option<&str>,
    accept: Option<&str>,
    html_available: bool,
) -> Result<Format, ParamError> {
    if let Some(f) = f {
        return match f.trim().to_ascii_lowercase().as_str() {
            "json" | "geojson" | "application/json" | "application/geo+json" => Ok(Format::Json),
            "html" | "text/html" if html_available => Ok(Format::Html),
            _ => Err(ParamError::new(
                "f",
                if html_available {
                    format!("{f:?} is not a format served here; use json or html")
                } else {
                    format!("{f:?} is not a format served here; use json")
                },
            )),
        };
    }
    if html_available && accept.is_some_and(prefers_html) {
        Ok(Format::Html)
    } else {
        Ok(Format::Json)
    }
}

/// Whether the Accept header ranks `text/html` above every JSON type (ties go to JSON).
fn prefers_html(accept: &str) -> bool {
    let mut html_q: f32 = 0.0;
    let mut json_q: f32 = 0.0;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html_q = html_q.max(q),
            "application/json" | "application/geo+json" | "application/*" => json_q = json_q.max(q),
            // `*/*` stands for "anything", and JSON is the default representation.
            "*/*" => json_q = json_q.max(q),
            _ => {}
        }
    }
    html_q > json_q
}

/// Percent-encodes a path segment or query component (everything but RFC 3986's unreserved
/// characters), so identifiers in other alphabets make valid links.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query string from name/value pairs, encoded. `,`, `:` and `/` may stand in a query
/// as they are (RFC 3986), so bboxes and CRS URIs stay readable.
pub fn query_string(pairs: &[(String, String)]) -> String {
    let value = |v: &str| {
        encode(v)
            .replace("%2C", ",")
            .replace("%3A", ":")
            .replace("%2F", "/")
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<&str> {
        Some(value)
    }

    #[test]
    fn browsers_get_html_and_everyone_else_json() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(choose(None, accept(browser), true), Ok(Format::Html));
        assert_eq!(choose(None, accept("*/*"), true), Ok(Format::Json));
        assert_eq!(
            choose(None, accept("application/json, text/html"), true),
            Ok(Format::Json)
        );
        assert_eq!(choose(None, None, true), Ok(Format::Json));
        assert_eq!(choose(None, accept(browser), false), Ok(Format::Json));
        assert_eq!(
            choose(Some("json"), accept(browser), true),
            Ok(Format::Json)
        );
        assert_eq!(choose(Some("html"), accept("*/*"), true), Ok(Format::Html));
        assert!(choose(Some("html"), None, false).is_err());
        assert!(choose(Some("xml"), None, true).is_err());
    }

    #[test]
    fn encoding_keeps_ids_readable() {
        assert_eq!(encode("27214.33.1"), "27214.33.1");
        assert_eq!(encode("a b/ц"), "a%20b%2F%D1%86");
    }
}
