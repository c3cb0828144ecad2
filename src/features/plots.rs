//! The plot look-ups web maps use: `GET /plots/at?lon=&lat=` (the plots under a click) and
//! `GET /plots/search?q=` (plots by cadastral identifier or УПИ label, ranked). Both answer
//! with GeoJSON in longitude/latitude and the same plot card as the items and the tiles.

use serde_json::{json, Value};

use super::items::feature_links;
use super::output::{GeometryWriter, Properties};
use super::params::{parse_limit, CrsChoice, ParamError, Params};
use super::write::FeatureOut;
use super::{find_layer, Answer, FeatureError, GEOJSON};
use crate::geodata::{Feature, Layer};
use crate::zone::Zone;

pub const SEARCH_DEFAULT_LIMIT: usize = 20;
pub const SEARCH_MAX_LIMIT: usize = 100;
const MAX_QUERY_CHARS: usize = 100;

fn coordinate(params: &mut Params, name: &str, limit: f64) -> Result<f64, ParamError> {
    let text = params.require(name)?;
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| ParamError::new(name, format!("{text:?} is not a number")))?;
    if !v.is_finite() || v.abs() > limit {
        return Err(ParamError::new(
            name,
            format!("{text} is outside -{limit}..{limit} degrees"),
        ));
    }
    Ok(v)
}

/// The plot look-ups' answer (no links or time stamp, unlike an items page).
#[derive(serde::Serialize)]
struct PlotsOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<FeatureOut<'a>>,
}

/// Writes plots as a GeoJSON FeatureCollection in longitude/latitude with their cards.
fn collection(
    base: &str,
    layer: &Layer,
    props: &Properties<'_>,
    plots: &[(&Feature, Option<Value>)],
    matched: usize,
) -> Result<Answer, FeatureError> {
    let writer = GeometryWriter::new(layer, &CrsChoice::crs84(), "crs")?;
    let mut features = Vec::with_capacity(plots.len());
    for (plot, search) in plots {
        features.push(FeatureOut {
            kind: "Feature",
            id: &plot.id,
            geometry: writer.geometry(plot)?,
            properties: props.of(plot),
            links: feature_links(base, layer, plot),
            search: search.clone(),
        });
    }
    let body = serde_json::to_string(&PlotsOut {
        kind: "FeatureCollection",
        number_matched: matched,
        number_returned: features.len(),
        features,
    })
    .map_err(FeatureError::internal)?;
    Ok(Answer {
        body,
        media_type: GEOJSON,
        content_crs: Some(CrsChoice::crs84().crs.uri()),
    })
}

/// `GET /plots/at?lon=&lat=`: the plots containing the point (those sharing a boundary the
/// point lies on, all of them); an empty collection when there are none.
pub fn at(zone: &Zone, base: &str, pairs: Vec<(String, String)>) -> Result<Answer, FeatureError> {
    let mut params = Params::new(pairs);
    let lon = coordinate(&mut params, "lon", 180.0)?;
    let lat = coordinate(&mut params, "lat", 90.0)?;
    params.finish(&["lon", "lat"])?;
    let layer = find_layer(zone, "plots")?;
    let props = Properties::new(zone, layer);
    let hits: Vec<(&Feature, Option<Value>)> = zone
        .spatial_index(layer.kind)
        .at_point(&layer.features, lon, lat)
        .into_iter()
        .map(|i| (&layer.features[i], None))
        .collect();
    collection(base, layer, &props, &hits, hits.len())
}

/// How well a plot matches a search, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The query is the identifier.
    ExactId,
    /// The query is the identifier's leading fields (`27214.33` for `27214.33.1`).
    IdFields,
    /// The identifier starts with the query (`27214.3` for `27214.33.1`).
    IdPrefix,
    /// The query is the УПИ label.
    ExactUpi,
    /// The УПИ label starts with the query as a whole word (`УПИ II` for `УПИ II-33.1, …`).
    UpiWord,
    /// The УПИ label starts with the query.
    UpiPrefix,
    /// The УПИ label contains the query (`33.7` for `УПИ II-33.1, 33.7, кв. 2`).
    UpiContains,
}

impl MatchKind {
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::ExactId => "exact_id",
            MatchKind::IdFields => "id_fields",
            MatchKind::IdPrefix => "id_prefix",
            MatchKind::ExactUpi => "exact_upi",
            MatchKind::UpiWord => "upi_word",
            MatchKind::UpiPrefix => "upi_prefix",
            MatchKind::UpiContains => "upi_contains",
        }
    }

    fn field(self) -> &'static str {
        if self <= MatchKind::IdPrefix {
            "cadastral_id"
        } else {
            "upi"
        }
    }
}

/// Lower case, single spaces, and without a leading `УПИ`/`UPI` word. The word alone
/// normalises to the empty string: it asks for every plot with a УПИ label.
fn normalise_upi(text: &str) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).collect();
    if words.first().is_some_and(|w| w == "упи" || w == "upi") {
        words.remove(0);
    }
    words.join(" ")
}

/// Where `needle` occurs in `hay` without cutting a word: a needle that begins (ends) with
/// a letter must not be preceded (followed) by one, so `ii` is not found in `iii-33.8` and
/// `кв` is found in `кв. 1`. Digits may run on (`520.1` is found in `520.101`), as a
/// cadastral number typed in part should be.
fn find_whole(hay: &str, needle: &str) -> Option<usize> {
    let starts_alpha = needle.chars().next().is_some_and(char::is_alphabetic);
    let ends_alpha = needle.chars().next_back().is_some_and(char::is_alphabetic);
    hay.match_indices(needle).map(|(at, _)| at).find(|&at| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let cuts_before = starts_alpha && before.is_some_and(char::is_alphabetic);
        let cuts_after = ends_alpha && after.is_some_and(char::is_alphabetic);
        !cuts_before && !cuts_after
    })
}

/// How `plot` matches the query, if at all (its УПИ as served: the register's when it has one).
pub fn match_plot(zone: &Zone, query: &str, plot: &Feature) -> Option<MatchKind> {
    let q = query.trim();
    let id = plot.id.as_str();
    if id == q {
        return Some(MatchKind::ExactId);
    }
    if let Some(rest) = id.strip_prefix(q) {
        let boundary = rest.starts_with('.') || q.ends_with('.');
        return Some(if boundary {
            MatchKind::IdFields
        } else {
            MatchKind::IdPrefix
        });
    }
    let upi = zone.plot_field(plot, "upi")?;
    let upi = normalise_upi(upi.as_str()?);
    let q = normalise_upi(q);
    if q.is_empty() {
        // `УПИ` alone: every plot that has a label matches, as a label starting with it.
        return (!upi.is_empty()).then_some(MatchKind::UpiPrefix);
    }
    match find_whole(&upi, &q)? {
        0 if upi.len() == q.len() => Some(MatchKind::ExactUpi),
        0 if upi[q.len()..].starts_with(['-', ',', ' ']) => Some(MatchKind::UpiWord),
        0 => Some(MatchKind::UpiPrefix),
        _ => Some(MatchKind::UpiContains),
    }
}

/// `GET /plots/search?q=&limit=`: plots by identifier or УПИ label, best matches first, then
/// in identifier order.
pub fn search(
    zone: &Zone,
    base: &str,
    pairs: Vec<(String, String)>,
) -> Result<Answer, FeatureError> {
    let mut params = Params::new(pairs);
    let q = params.require("q")?;
    let limit = parse_limit(
        params.take("limit")?,
        SEARCH_DEFAULT_LIMIT,
        SEARCH_MAX_LIMIT,
    )?;
    params.finish(&["q", "limit"])?;
    if q.trim().is_empty() {
        return Err(ParamError::new("q", "is empty").into());
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(
            ParamError::new("q", format!("is longer than {MAX_QUERY_CHARS} characters")).into(),
        );
    }
    let layer = find_layer(zone, "plots")?;
    let mut found: Vec<(MatchKind, &Feature)> = layer
        .features
        .iter()
        .filter_map(|p| Some((match_plot(zone, &q, p)?, p)))
        .collect();
    found.sort_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| a.cadastral_id.cmp(&b.cadastral_id))
            .then_with(|| a.id.cmp(&b.id))
    });
    let matched = found.len();
    let page: Vec<(&Feature, Option<Value>)> = found
        .into_iter()
        .take(limit)
        .enumerate()
        .map(|(rank, (kind, plot))| {
            let info = json!({"rank": rank + 1, "matched": kind.field(), "match": kind.name()});
            (plot, Some(info))
        })
        .collect();
    let props = Properties::new(zone, layer);
    collection(base, layer, &props, &page, matched)
}
