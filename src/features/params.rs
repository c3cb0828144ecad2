//! Query parameters of the feature endpoints: every parameter a request sends is either
//! understood or refused (400 naming it), each at most once, each value checked.
//!
//! [`Params`] holds the decoded `name=value` pairs and hands them out one by one; whatever is
//! left at the end is an unknown parameter. The parsers for the shared parameters (`f`,
//! `limit`, `offset`, `crs`, `bbox` with `bbox-crs`) live here too.

use std::collections::BTreeMap;

use crate::geodata::Crs;
use crate::index::BBox;

/// A parameter the caller got wrong, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("parameter `{parameter}`: {reason}")]
pub struct ParamError {
    pub parameter: String,
    pub reason: String,
}

impl ParamError {
    pub fn new(parameter: impl Into<String>, reason: impl std::fmt::Display) -> ParamError {
        ParamError {
            parameter: parameter.into(),
            reason: reason.to_string(),
        }
    }
}

/// The decoded query string, consumed parameter by parameter.
#[derive(Debug, Default)]
pub struct Params {
    /// name → every value sent under it, in order.
    values: BTreeMap<String, Vec<String>>,
}

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in pairs {
            values.entry(name).or_default().push(value);
        }
        Params { values }
    }

    /// Takes a parameter that may appear at most once.
    pub fn take(&mut self, name: &str) -> Result<Option<String>, ParamError> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(mut list) if list.len() == 1 => Ok(list.pop()),
            Some(list) => Err(ParamError::new(
                name,
                format!("given {} times; give it once", list.len()),
            )),
        }
    }

    /// Takes a required parameter.
    pub fn require(&mut self, name: &str) -> Result<String, ParamError> {
        self.take(name)?
            .ok_or_else(|| ParamError::new(name, "is required"))
    }

    /// Takes every remaining parameter whose name `keep` accepts (e.g. property filters).
    pub fn take_where(
        &mut self,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<(String, String)>, ParamError> {
        let names: Vec<String> = self.values.keys().filter(|n| keep(n)).cloned().collect();
        let mut taken = Vec::new();
        for name in names {
            if let Some(value) = self.take(&name)? {
                taken.push((name, value));
            }
        }
        Ok(taken)
    }

    /// Whether every parameter has been taken.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Refuses whatever was not taken: the first unknown parameter, with what is allowed.
    pub fn finish(self, allowed: &[&str]) -> Result<(), ParamError> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(ParamError::new(
                name.clone(),
                format!(
                    "unknown parameter; this endpoint understands {}",
                    allowed.join(", ")
                ),
            )),
        }
    }
}

/// A non-negative integer parameter.
pub fn parse_count(name: &str, text: &str) -> Result<usize, ParamError> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| ParamError::new(name, format!("{text:?} is not a non-negative integer")))
}

/// `limit`: 1 or more; values above `max` are served as `max` (OGC API – Features, Part 1,
/// says a limit above the maximum is not an error).
pub fn parse_limit(text: Option<String>, default: usize, max: usize) -> Result<usize, ParamError> {
    let Some(text) = text else {
        return Ok(default);
    };
    // A huge number is still a valid request for "everything".
    let limit = if text.trim().chars().all(|c| c.is_ascii_digit()) && text.trim().len() > 18 {
        max
    } else {
        parse_count("limit", &text)?
    };
    if limit == 0 {
        return Err(ParamError::new("limit", "must be at least 1"));
    }
    Ok(limit.min(max))
}

/// A CRS named in a `crs` or `bbox-crs` parameter, checked against PROJ, with its axis order.
#[derive(Debug, Clone, PartialEq)]
pub struct CrsChoice {
    pub crs: Crs,
    /// Whether coordinates in this CRS are written northing (latitude) first, as its
    /// authority defines it (EPSG:4326, EPSG:7801). CRS84 and projected CRSs such as
    /// EPSG:3857 are easting first.
    pub north_first: bool,
}

impl CrsChoice {
    pub fn crs84() -> CrsChoice {
        CrsChoice {
            crs: Crs::Crs84,
            north_first: false,
        }
    }

    /// Parses a CRS URI (`http://www.opengis.net/def/crs/EPSG/0/3857`), a safe CURIE
    /// (`[EPSG:3857]`) or the short forms `EPSG:3857` / `CRS84`, accepts it only when it is
    /// one of `listed` (the collection's CRSs), and only then asks PROJ for its axes. The
    /// check is on the parsed value, not the text: however a PROJ string is spelled
    /// (`[ +proj=merc]`), it is refused before PROJ sees it.
    pub fn parse(name: &str, text: &str, listed: &[Crs]) -> Result<CrsChoice, ParamError> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(trimmed);
        let crs: Crs = match inner.parse::<Crs>() {
            Ok(Crs::Proj(_)) => {
                return Err(ParamError::new(
                    name,
                    "PROJ strings are not accepted here; name the CRS by URI, e.g. http://www.opengis.net/def/crs/EPSG/0/3857",
                ))
            }
            Ok(crs) => crs,
            Err(e) => return Err(ParamError::new(name, e)),
        };
        if !listed.contains(&crs) {
            let uris: Vec<String> = listed.iter().map(Crs::uri).collect();
            return Err(ParamError::new(
                name,
                format!(
                    "{crs} is not served; the collection's CRSs are {}",
                    uris.join(", ")
                ),
            ));
        }
        let axes = crs
            .axis_directions()
            .map_err(|e| ParamError::new(name, e))?;
        if axes.len() != 2 {
            return Err(ParamError::new(
                name,
                format!(
                    "{crs} has {} axes; only two-dimensional horizontal CRSs are served",
                    axes.len()
                ),
            ));
        }
        let north_first = matches!(axes[0].as_str(), "north" | "south");
        Ok(CrsChoice { crs, north_first })
    }

    /// Puts an (easting, northing) pair in this CRS's axis order, and back (the swap is its
    /// own inverse).
    pub fn order(&self, x: f64, y: f64) -> (f64, f64) {
        if self.north_first {
            (y, x)
        } else {
            (x, y)
        }
    }
}

/// Parses `bbox` in the axis order of its CRS and returns it easting first. A bbox in a
/// geographic CRS is also checked against the longitude and latitude ranges.
pub fn parse_bbox(text: &str, crs: &CrsChoice) -> Result<BBox, ParamError> {
    let bad = |e: crate::index::BBoxError| ParamError::new("bbox", e);
    let v = BBox::corners(text).map_err(bad)?;
    let (w, s) = crs.order(v[0], v[1]);
    let (e, n) = crs.order(v[2], v[3]);
    BBox::new([w, s, e, n], crs.crs.is_lon_lat_wgs84()).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_leftovers_are_refused_by_name() {
        let mut p = Params::new(vec![
            ("limit".into(), "1".into()),
            ("limit".into(), "2".into()),
            ("colour".into(), "red".into()),
        ]);
        assert_eq!(p.take("limit").unwrap_err().parameter, "limit");
        assert_eq!(p.finish(&["limit"]).unwrap_err().parameter, "colour");
    }

    #[test]
    fn limit_rules() {
        assert_eq!(parse_limit(None, 10, 10_000), Ok(10));
        assert_eq!(parse_limit(Some("50000".into()), 10, 10_000), Ok(10_000));
        assert_eq!(
            parse_limit(Some("99999999999999999999999".into()), 10, 10_000),
            Ok(10_000)
        );
        assert!(parse_limit(Some("0".into()), 10, 10_000).is_err());
        assert!(parse_limit(Some("-1".into()), 10, 10_000).is_err());
        assert!(parse_limit(Some("ten".into()), 10, 10_000).is_err());
    }

    #[test]
    fn bbox_follows_the_crs_axis_order() {
        let lat_first = CrsChoice {
            crs: Crs::Epsg(4326),
            north_first: true,
        };
        let b = parse_bbox("42.3,25.6,42.4,25.7", &lat_first).unwrap();
        assert_eq!((b.west, b.south, b.east, b.north), (25.6, 42.3, 25.7, 42.4));
        let b = parse_bbox("25.6,42.3,25.7,42.4", &CrsChoice::crs84()).unwrap();
        assert_eq!((b.west, b.south, b.east, b.north), (25.6, 42.3, 25.7, 42.4));
    }
}
