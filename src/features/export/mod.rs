//! Exports of features for people and programs that do not speak GeoJSON: CSV and XLSX for
//! a spreadsheet (a row per feature with its properties — for plots the card, with the
//! computed area and the distances and drive time to the A1 interchange), KML and KMZ for
//! Google Earth (boundaries with the card as the description, styled by status), and a
//! GeoPackage for GIS users. `GET /collections/{id}/items?f=…` exports the features the same
//! bbox and filters select (every match, up to `items::MAX_LIMIT`; `limit`/`offset` page
//! them when given), `GET /collections/{id}/items/{fid}?f=…` one feature.
//!
//! - [`table`] — the rows and columns every format writes;
//! - [`csv`], [`xlsx`], [`kml`] (and KMZ), [`gpkg`] — one writer per format;
//! - [`wkb`] — geometries as Well-Known Binary, for the GeoPackage.
//!
//! Coordinates are WGS84 longitude/latitude (KML allows nothing else; the GeoPackage declares
//! EPSG:4326), so `crs` other than CRS84/EPSG:4326 is refused with 400. Writing is blocking
//! (SQLite, zip): the HTTP edge calls it off the async workers.

pub mod csv;
pub mod gpkg;
pub mod kml;
pub mod table;
pub mod wkb;
pub mod xlsx;

use super::collections::listed_crs;
use super::items::{parse_items_request, select, MAX_LIMIT};
use super::negotiate::ExportFormat;
use super::output::Properties;
use super::params::{CrsChoice, ParamError, Params};
use super::{find_layer, FeatureError};
use crate::zone::Zone;
use table::Table;

/// An export's bytes, media type and the file name it is saved under.
#[derive(Debug, Clone)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub filename: String,
}

fn lon_lat_only(crs: &CrsChoice) -> Result<(), ParamError> {
    if crs.crs.is_lon_lat_wgs84() {
        Ok(())
    } else {
        Err(ParamError::new(
            "crs",
            "exports are written in WGS84 longitude/latitude (CRS84); crs applies to GeoJSON (f=json)",
        ))
    }
}

fn without_f(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.into_iter().filter(|(k, _)| k != "f").collect()
}

/// `GET /collections/{collection}/items?f=…`: the features the bbox and filters select.
pub fn items(
    zone: &Zone,
    collection: &str,
    pairs: Vec<(String, String)>,
    format: ExportFormat,
) -> Result<Download, FeatureError> {
    let layer = find_layer(zone, collection)?;
    let props = Properties::new(zone, layer);
    let request = parse_items_request(Params::new(without_f(pairs)), zone, layer, None, MAX_LIMIT)?;
    lon_lat_only(&request.crs)?;
    let (shown, _) = select(zone, layer, &props, &request)?;
    let features = shown.iter().map(|&i| &layer.features[i]);
    let table = Table::new(collection, features, &props);
    finish(table, format, collection.to_string())
}

/// `GET /collections/{collection}/items/{fid}?f=…`: one feature.
pub fn item(
    zone: &Zone,
    collection: &str,
    fid: &str,
    pairs: Vec<(String, String)>,
    format: ExportFormat,
) -> Result<Download, FeatureError> {
    let layer = find_layer(zone, collection)?;
    let mut params = Params::new(without_f(pairs));
    if let Some(t) = params.take("crs")? {
        lon_lat_only(&CrsChoice::parse("crs", &t, &listed_crs(layer))?)?;
    }
    params.finish(&["f", "crs"])?;
    let f = layer.get(fid).ok_or_else(|| {
        FeatureError::NotFound(format!("collection `{collection}` has no feature `{fid}`"))
    })?;
    let props = Properties::new(zone, layer);
    let table = Table::new(collection, std::iter::once(f), &props);
    finish(table, format, format!("{collection}-{}", file_safe(fid)))
}

/// A file name stem from an identifier: letters, digits, `.`, `-` and `_` kept, the rest `_`.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn finish(table: Table<'_>, format: ExportFormat, stem: String) -> Result<Download, FeatureError> {
    let bytes = match format {
        ExportFormat::Csv => csv::write(&table).into_bytes(),
        ExportFormat::Kml => kml::document(&table).into_bytes(),
        ExportFormat::Kmz => kml::kmz(&table).map_err(FeatureError::internal)?,
        ExportFormat::Xlsx => xlsx::write(&table).map_err(FeatureError::internal)?,
        ExportFormat::Gpkg => gpkg::write(&table).map_err(FeatureError::internal)?,
    };
    Ok(Download {
        bytes,
        media_type: format.media_type(),
        filename: format!("{stem}.{}", format.name()),
    })
}
