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

/// A download the items endpoints also answer with (`?f=csv|kml|kmz|xlsx|gpkg`; written by
/// `super::export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Kml,
    Kmz,
    Xlsx,
    Gpkg,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Csv,
        ExportFormat::Kml,
        ExportFormat::Kmz,
        ExportFormat::Xlsx,
        ExportFormat::Gpkg,
    ];

    /// The `f` value and file extension.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Kml => "kml",
            ExportFormat::Kmz => "kmz",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Gpkg => "gpkg",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Kml => "application/vnd.google-earth.kml+xml",
            ExportFormat::Kmz => "application/vnd.google-earth.kmz",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Gpkg => "application/geopackage+sqlite3",
        }
    }

    /// What a link to it is titled.
    pub fn title(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV (UTF-8 with BOM, for spreadsheets)",
            ExportFormat::Kml => "KML (Google Earth)",
            ExportFormat::Kmz => "KMZ (Google Earth, zipped)",
            ExportFormat::Xlsx => "Excel workbook",
            ExportFormat::Gpkg => "GeoPackage (GIS)",
        }
    }

    /// The export `pairs` ask for with `f`, if any (one `f` only; a repeated one is left to
    /// the GeoJSON path, which rejects it).
    pub fn requested(pairs: &[(String, String)]) -> Option<ExportFormat> {
        let mut f = pairs.iter().filter(|(k, _)| k == "f");
        let (_, value) = f.next()?;
        if f.next().is_some() {
            return None;
        }
        let value = value.trim().to_ascii_lowercase();
        ExportFormat::ALL
            .into_iter()
            .find(|x| x.name() == value || x.media_type().split(';').next() == Some(&value))
    }
}

/// `alternate` links to every export of `url` with `pairs`' selection (bbox and filters;
/// without `f`, `limit` and `offset`: an export holds every feature that matches).
pub fn alternate_links(url: &str, pairs: &[(String, String)]) -> Vec<serde_json::Value> {
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "f" | "limit" | "offset"))
        .cloned()
        .collect();
    ExportFormat::ALL
        .into_iter()
        .map(|x| {
            let mut p = kept.clone();
            p.push(("f".to_string(), x.name().to_string()));
            serde_json::json!({
                "href": format!("{url}?{}", query_string(&p)),
                "rel": "alternate",
                "type": x.media_type().split(';').next().unwrap_or_default(),
                "title": x.title(),
            })
        })
        .collect()
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
