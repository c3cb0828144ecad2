//! `GET /collections/{id}/items` and `GET /collections/{id}/items/{fid}`: features selected by
//! bbox (in any CRS), by equality on queryable properties and by a CQL2 `filter`, paged with
//! `limit`/`offset`, and written in the CRS asked for (OGC API – Features, Parts 1 to 3).

use geo::Intersects;
use serde_json::{json, Value};

use super::collections::{listed_crs, Filter, Queryables};
use super::filter::{CqlFilter, Matcher};
use super::negotiate::{self, encode, query_string};
use super::output::{feature, GeometryWriter, Properties};
use super::params::{parse_bbox, parse_count, parse_limit, CrsChoice, ParamError, Params};
use super::write::{FeatureOut, PageOut};
use super::{find_layer, Answer, FeatureError, GEOJSON};
use crate::geodata::{Feature, Layer, Transform};
use crate::index::{BBox, LayerIndex};
use crate::zone::Zone;

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 10_000;

const ITEMS_PARAMETERS: [&str; 10] = [
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
    "the collection's queryable properties",
];

/// The links of one feature.
pub fn feature_links(base: &str, layer: &Layer, f: &Feature) -> Value {
    let c = layer.kind.name();
    json!([
        {"href": format!("{base}/collections/{c}/items/{}", encode(&f.id)), "rel": "self", "type": GEOJSON},
        {"href": format!("{base}/collections/{c}"), "rel": "collection", "type": "application/json"},
    ])
}

/// The features of `layer` that intersect `bbox` (given in `crs`, easting first), in layer
/// order. A box in longitude/latitude is tested directly; a box in another CRS is tested
/// exactly in that CRS, after the index has narrowed the candidates with the box's envelope
/// in longitude/latitude.
fn in_bbox(
    layer: &Layer,
    index: &LayerIndex,
    bbox: BBox,
    crs: &CrsChoice,
) -> Result<Vec<usize>, ParamError> {
    if crs.crs.is_lon_lat_wgs84() {
        return Ok(index.in_bbox(&layer.features, bbox));
    }
    let envelope = lonlat_envelope(&crs.crs, bbox, "bbox-crs")?;
    let writer = GeometryWriter::new(layer, crs, "bbox-crs")?;
    let rect = bbox.to_rect();
    let mut hits = Vec::new();
    for i in index.in_bbox(&layer.features, envelope) {
        if writer.east_first(&layer.features[i])?.intersects(&rect) {
            hits.push(i);
        }
    }
    Ok(hits)
}

/// The longitude/latitude box around a box of another CRS: its outline, densified (edges
/// bend when reprojected), transformed, padded by about a metre. It only narrows the
/// candidates (each is then tested exactly in the box's CRS), so when the outline reaches
/// beyond where the CRS maps to the Earth — a point PROJ refuses, or one that does not come
/// back to itself through the inverse — the whole world is the envelope: a box of ±10⁹ m
/// around the zone holds every plot, and found none while its outline wrapped round.
fn lonlat_envelope(
    crs: &crate::geodata::Crs,
    bbox: BBox,
    parameter: &'static str,
) -> Result<BBox, ParamError> {
    const STEPS: usize = 32;
    /// How far a point may move on the way there and back, relative to its size (0.5 m at
    /// 500 km): far more than PROJ's error, far less than a wrap round the Earth.
    const ROUND_TRIP: f64 = 1e-6;
    let lonlat = crate::geodata::Crs::Crs84;
    let to_lonlat = Transform::new(crs, &lonlat).map_err(|e| ParamError::new(parameter, e))?;
    let back = Transform::new(&lonlat, crs).map_err(|e| ParamError::new(parameter, e))?;
    let world =
        || BBox::new([-180.0, -90.0, 180.0, 90.0], true).map_err(|e| ParamError::new(parameter, e));
    let mut lons = Vec::with_capacity(4 * STEPS);
    let mut lats = Vec::with_capacity(4 * STEPS);
    for i in 0..STEPS {
        let t = i as f64 / STEPS as f64;
        let x = bbox.west + t * (bbox.east - bbox.west);
        let y = bbox.south + t * (bbox.north - bbox.south);
        for (px, py) in [
            (x, bbox.south),
            (bbox.east - (x - bbox.west), bbox.north),
            (bbox.west, bbox.north - (y - bbox.south)),
            (bbox.east, y),
        ] {
            let Ok((lon, lat)) = to_lonlat.apply(px, py) else {
                return world();
            };
            let returns = back.apply(lon, lat).is_ok_and(|(bx, by)| {
                let scale = px.abs().max(py.abs()).max(1.0);
                (bx - px).abs().max((by - py).abs()) <= ROUND_TRIP * scale
            });
            if !returns {
                return world();
            }
            lons.push(lon);
            lats.push(lat);
        }
    }
    let pad = 1e-5;
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    BBox::new(
        [
            (min(&lons) - pad).max(-180.0),
            (min(&lats) - pad).max(-90.0),
            (max(&lons) + pad).min(180.0),
            (max(&lats) + pad).min(90.0),
        ],
        true,
    )
    .map_err(|e| ParamError::new(parameter, e))
}

/// Everything `/items` was asked, checked.
pub(super) struct ItemsRequest {
    limit: usize,
    offset: usize,
    pub(super) crs: CrsChoice,
    bbox: Option<(BBox, CrsChoice)>,
    filters: Vec<Filter>,
    /// `filter` (OGC API – Features Part 3, CQL2).
    cql: Option<CqlFilter>,
}

/// Parses `/items`' parameters; `default_limit` is the page size without `limit` (exports,
/// which take `f` out first, ask for every matching feature up to [`MAX_LIMIT`]).
pub(super) fn parse_items_request(
    mut params: Params,
    zone: &Zone,
    layer: &Layer,
    accept: Option<&str>,
    default_limit: usize,
) -> Result<ItemsRequest, ParamError> {
    negotiate::choose(params.take("f")?.as_deref(), accept, false)?;
    let limit = parse_limit(params.take("limit")?, default_limit, MAX_LIMIT)?;
    let offset = match params.take("offset")? {
        Some(t) => parse_count("offset", &t)?,
        None => 0,
    };
    let crs = match params.take("crs")? {
        Some(t) => CrsChoice::parse("crs", &t, &listed_crs(layer))?,
        None => CrsChoice::crs84(),
    };
    let bbox_crs = match params.take("bbox-crs")? {
        Some(t) => Some(CrsChoice::parse("bbox-crs", &t, &listed_crs(layer))?),
        None => None,
    };
    let bbox = match (params.take("bbox")?, bbox_crs) {
        (Some(text), bbox_crs) => {
            let bbox_crs = bbox_crs.unwrap_or_else(CrsChoice::crs84);
            Some((parse_bbox(&text, &bbox_crs)?, bbox_crs))
        }
        (None, Some(_)) => {
            return Err(ParamError::new(
                "bbox-crs",
                "is given without a bbox to apply to",
            ))
        }
        (None, None) => None,
    };
    if params.take("datetime")?.is_some() {
        return Err(ParamError::new(
            "datetime",
            "the zone's features carry no time, so they cannot be selected by it",
        ));
    }
    // A CQL2 filter, then whatever is left must name a queryable property.
    let mut filters = Vec::new();
    let mut cql = None;
    if !params.is_empty() {
        let queryables = zone.get::<Queryables>();
        let queryable = queryables.of(layer.kind);
        cql = CqlFilter::from_params(&mut params, layer, queryable)?;
        for (name, value) in params.take_where(|n| queryable.contains_key(n))? {
            filters.push(Filter::parse(&name, &value, queryable[&name])?);
        }
    }
    params.finish(&ITEMS_PARAMETERS)?;
    Ok(ItemsRequest {
        limit,
        offset,
        crs,
        bbox,
        filters,
        cql,
    })
}

fn geojson_answer(body: String, crs: &CrsChoice) -> Answer {
    Answer {
        body,
        media_type: GEOJSON,
        content_crs: Some(crs.crs.uri()),
    }
}

/// The positions a page shows and how many features matched in all. Without a bbox or a
/// filter nothing is collected: a page of a million features costs what a page of ten does.
pub(super) fn select(
    zone: &Zone,
    layer: &Layer,
    props: &Properties<'_>,
    request: &ItemsRequest,
) -> Result<(Vec<usize>, usize), ParamError> {
    let page = |all: &[usize]| -> Vec<usize> {
        all.iter()
            .skip(request.offset)
            .take(request.limit)
            .copied()
            .collect()
    };
    let index = zone.spatial_index(layer.kind);
    // A spatial function in the filter's top-level AND narrows the candidates with the index
    // as a bbox does (each is then tested exactly).
    let narrowing = match request.cql.as_ref().and_then(CqlFilter::narrowing) {
        Some((rect, crs)) => {
            let [min, max] = [rect.min(), rect.max()];
            let bad = |e| ParamError::new("filter", e);
            let geographic = crs.crs.is_lon_lat_wgs84();
            let envelope = BBox::new([min.x, min.y, max.x, max.y], geographic).map_err(bad)?;
            Some(if geographic {
                envelope
            } else {
                lonlat_envelope(&crs.crs, envelope, "filter-crs")?
            })
        }
        None => None,
    };
    let mut selected = match (&request.bbox, narrowing) {
        (Some((bbox, crs)), _) => in_bbox(layer, index, *bbox, crs)?,
        (None, Some(envelope)) => index.in_bbox(&layer.features, envelope),
        (None, None) if request.filters.is_empty() && request.cql.is_none() => {
            let n = layer.features.len();
            let start = request.offset.min(n);
            let end = start.saturating_add(request.limit).min(n);
            return Ok(((start..end).collect(), n));
        }
        (None, None) => (0..layer.features.len()).collect(),
    };
    if !request.filters.is_empty() {
        let names: Vec<&str> = request
            .filters
            .iter()
            .map(|f| f.property.as_str())
            .collect();
        selected.retain(|&i| {
            let p = props.only(layer, i, &names);
            request.filters.iter().all(|f| f.matches(&p))
        });
    }
    if let Some(cql) = &request.cql {
        let mut matcher = Matcher::new(cql, zone, layer)?;
        let mut failed = None;
        selected.retain(|&i| match matcher.matches(i) {
            Ok(matched) => matched,
            Err(e) => {
                failed.get_or_insert(e);
                false
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok((page(&selected), selected.len()))
}

/// `GET /collections/{id}/items`. Blocking (PROJ objects live only in here).
pub fn items(
    zone: &Zone,
    base: &str,
    accept: Option<&str>,
    collection: &str,
    pairs: Vec<(String, String)>,
) -> Result<Answer, FeatureError> {
    let layer = find_layer(zone, collection)?;
    let props = Properties::new(zone, layer);
    let request = parse_items_request(
        Params::new(pairs.clone()),
        zone,
        layer,
        accept,
        DEFAULT_LIMIT,
    )?;
    let (shown, matched) = select(zone, layer, &props, &request)?;
    let writer = GeometryWriter::new(layer, &request.crs, "crs")?;
    let mut features = Vec::new();
    for &i in &shown {
        let f = &layer.features[i];
        features.push(FeatureOut {
            kind: "Feature",
            id: &f.id,
            geometry: writer.geometry(f)?,
            properties: props.of(f),
            links: feature_links(base, layer, f),
            search: None,
        });
    }
    let returned = features.len();
    let links = page_links(
        &format!("{base}/collections/{collection}/items"),
        &pairs,
        &request,
        returned,
        matched,
    );
    let page = PageOut {
        kind: "FeatureCollection",
        number_matched: matched,
        number_returned: returned,
        time_stamp: super::now_rfc3339(),
        links,
        features,
    };
    let body = serde_json::to_string(&page).map_err(FeatureError::internal)?;
    Ok(geojson_answer(body, &request.crs))
}

/// `self`, and `next`/`prev` when there are more features either way: the same query with
/// another `offset`.
fn page_links(
    url: &str,
    pairs: &[(String, String)],
    request: &ItemsRequest,
    returned: usize,
    matched: usize,
) -> Vec<Value> {
    let with_offset = |offset: usize| {
        let mut p: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "offset")
            .cloned()
            .collect();
        if offset > 0 {
            p.push(("offset".to_string(), offset.to_string()));
        }
        if p.is_empty() {
            url.to_string()
        } else {
            format!("{url}?{}", query_string(&p))
        }
    };
    let self_href = if pairs.is_empty() {
        url.to_string()
    } else {
        format!("{url}?{}", query_string(pairs))
    };
    let mut links = vec![json!({"href": self_href, "rel": "self", "type": GEOJSON})];
    links.extend(negotiate::alternate_links(url, pairs));
    if request.offset + returned < matched {
        links.push(
            json!({"href": with_offset(request.offset + returned), "rel": "next", "type": GEOJSON}),
        );
    }
    if request.offset > 0 {
        let prev = request.offset.saturating_sub(request.limit);
        links.push(json!({"href": with_offset(prev), "rel": "prev", "type": GEOJSON}));
    }
    links
}

/// `GET /collections/{id}/items/{fid}`.
pub fn item(
    zone: &Zone,
    base: &str,
    accept: Option<&str>,
    collection: &str,
    fid: &str,
    pairs: Vec<(String, String)>,
) -> Result<Answer, FeatureError> {
    let layer = find_layer(zone, collection)?;
    let mut params = Params::new(pairs);
    negotiate::choose(params.take("f")?.as_deref(), accept, false)?;
    let crs = match params.take("crs")? {
        Some(t) => CrsChoice::parse("crs", &t, &listed_crs(layer))?,
        None => CrsChoice::crs84(),
    };
    params.finish(&["f", "crs"])?;
    let f = layer.get(fid).ok_or_else(|| {
        FeatureError::NotFound(format!("collection `{collection}` has no feature `{fid}`"))
    })?;
    let props = Properties::new(zone, layer);
    let writer = GeometryWriter::new(layer, &crs, "crs")?;
    let mut links = feature_links(base, layer, f);
    if let Some(list) = links.as_array_mut() {
        let url = format!("{base}/collections/{collection}/items/{}", encode(&f.id));
        list.extend(negotiate::alternate_links(&url, &[]));
    }
    let body = feature(&f.id, writer.geojson(f)?, props.of(f), links);
    Ok(geojson_answer(body.to_string(), &crs))
}
