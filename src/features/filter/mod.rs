//! OGC API – Features Part 3 filtering: the `filter`, `filter-lang` and `filter-crs`
//! parameters of `/collections/{id}/items` (and of its exports), in CQL2 text or CQL2 JSON.
//!
//! A filter is parsed once, at the edge, by the `cql2` crate, and then turned into a
//! [`CqlFilter`]: a condition tree checked against the collection's queryables (every
//! property exists and is compared with a value of its type, every function is one we
//! evaluate, every geometry literal is in range), so nothing is checked again while it is
//! evaluated. Evaluation reads the features' own values ([`crate::geodata::PropValue`], a
//! plot's card field by field) and their `geo` geometries; no feature becomes JSON for it.
//!
//! - [`build`] — from the `cql2` crate's expression to the checked [`CqlFilter`];
//! - [`condition`] — the condition on one feature's values (three-valued: a comparison with
//!   a missing value is unknown, and only a feature whose filter is true is selected);
//! - [`matcher`] — reads those values and the geometry of each feature of a layer.

mod build;
mod condition;
mod matcher;

use std::collections::BTreeMap;

use geo::Rect;

use super::collections::{listed_crs, PropertyType};
use super::params::{CrsChoice, ParamError, Params};
use crate::geodata::{Layer, LayerKind};

pub use super::collections::GEOMETRY;
pub use build::{CqlFilter, MAX_DEPTH, MAX_TERMS};
pub use matcher::Matcher;

/// The languages `filter-lang` accepts; the first is the default.
pub const FILTER_LANGS: [&str; 2] = ["cql2-text", "cql2-json"];

/// The longest filter accepted, in bytes: half the longest request target the HTTP edge
/// accepts (8 KiB), so that a filter at the limit, percent-encoded, with the other
/// parameters, is still answered by the filter's own 400 (and another method by its 405)
/// rather than the edge's 414; room for a polygon of about 200 vertices.
pub const MAX_FILTER_BYTES: usize = 4 * 1024;

/// The stack the parser runs on. The `cql2` crate's parser recurses once per nesting level
/// of the text, before any depth can be checked, so it runs on a thread of its own whose
/// stack a filter of [`MAX_FILTER_BYTES`] cannot exhaust (the memory is reserved, not used).
/// (The worst filter of [`MAX_FILTER_BYTES`] in the unit tests overflowed 2 and 16 MiB in the
/// debug build and held in 64 MiB; four times that is reserved.)
const PARSE_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Which encoding `filter` is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Text,
    Json,
}

impl CqlFilter {
    /// Takes `filter`, `filter-lang` and `filter-crs` from the query and checks the filter
    /// against the layer's queryables. None without a `filter`.
    pub fn from_params(
        params: &mut Params,
        layer: &Layer,
        queryables: &BTreeMap<String, PropertyType>,
    ) -> Result<Option<CqlFilter>, ParamError> {
        let text = params.take("filter")?;
        let lang = params.take("filter-lang")?;
        let crs = params.take("filter-crs")?;
        let Some(text) = text else {
            for (name, given) in [("filter-lang", &lang), ("filter-crs", &crs)] {
                if given.is_some() {
                    return Err(ParamError::new(
                        name,
                        "is given without a filter to apply to",
                    ));
                }
            }
            return Ok(None);
        };
        let lang = match lang.as_deref().map(str::trim) {
            None | Some("cql2-text") => Lang::Text,
            Some("cql2-json") => Lang::Json,
            Some(other) => {
                return Err(ParamError::new(
                    "filter-lang",
                    format!(
                        "{other:?} is not a filter language served here; use {}",
                        FILTER_LANGS.join(" or ")
                    ),
                ))
            }
        };
        let crs = match crs {
            Some(t) => CrsChoice::parse("filter-crs", &t, &listed_crs(layer))?,
            None => CrsChoice::crs84(),
        };
        let filter = parse(text, lang, layer.kind, queryables.clone(), crs)?;
        Ok(Some(filter))
    }

    /// The envelope every match lies in, in the filter's CRS, easting first (the caller
    /// narrows the candidates with the spatial index).
    pub fn narrowing(&self) -> Option<(Rect<f64>, &CrsChoice)> {
        self.narrow.map(|r| (r, &self.crs))
    }
}

/// Parses and checks `text` on a thread with a large stack (see [`PARSE_STACK_BYTES`]); a
/// panic in the parser is a 400 on this filter, not a failed request.
fn parse(
    text: String,
    lang: Lang,
    kind: LayerKind,
    queryables: BTreeMap<String, PropertyType>,
    crs: CrsChoice,
) -> Result<CqlFilter, ParamError> {
    if text.len() > MAX_FILTER_BYTES {
        return Err(ParamError::new(
            "filter",
            format!(
                "is {} bytes long; the longest filter accepted is {MAX_FILTER_BYTES} bytes",
                text.len()
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(ParamError::new("filter", "is empty"));
    }
    let collection = kind.name().to_string();
    let work = move || build::build(&text, lang == Lang::Json, &collection, &queryables, crs);
    std::thread::Builder::new()
        .name("cql2-parse".to_string())
        .stack_size(PARSE_STACK_BYTES)
        .spawn(work)
        .map_err(|e| ParamError::new("filter", format!("could not be parsed now: {e}")))?
        .join()
        .unwrap_or_else(|_| {
            Err(ParamError::new(
                "filter",
                "the CQL2 parser failed on this filter; check its syntax",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plots_queryables() -> BTreeMap<String, PropertyType> {
        [
            ("stage", PropertyType::Integer),
            ("status", PropertyType::String),
        ]
        .into_iter()
        .map(|(k, t)| (k.to_string(), t))
        .collect()
    }

    fn check(text: &str) -> Result<CqlFilter, ParamError> {
        parse(
            text.to_string(),
            Lang::Text,
            LayerKind::Plots,
            plots_queryables(),
            CrsChoice::crs84(),
        )
    }

    /// Regression guard: the parser recurses per nesting level before any check can run; on
    /// a server thread's stack these would overflow and abort the process.
    #[test]
    fn nesting_at_the_length_limit_is_refused_not_a_stack_overflow() {
        let room = MAX_FILTER_BYTES - 16;
        for text in [
            format!("{}stage = 1", "NOT ".repeat(room / 4)),
            format!("stage{}", " = 1".repeat(room / 4)),
            format!("{}1", "-".repeat(room)),
            format!("{}stage = 1", "(".repeat(room)),
            format!("stage IN ({})", "(".repeat(room / 2)),
        ] {
            let e = check(&text).unwrap_err();
            assert_eq!(e.parameter, "filter", "{e}");
        }
    }

    #[test]
    fn size_limits_name_the_filter() {
        let long = format!("status = '{}'", "x".repeat(MAX_FILTER_BYTES));
        assert!(check(&long).unwrap_err().reason.contains("bytes"));
        let many = format!("stage IN ({})", vec!["1"; MAX_TERMS + 1].join(","));
        assert!(check(&many)
            .unwrap_err()
            .reason
            .contains(&MAX_TERMS.to_string()));
        let few = format!("stage IN ({})", ["1"; 10].join(","));
        assert!(check(&few).is_ok());
    }
}
