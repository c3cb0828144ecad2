//! KML 2.2 for Google Earth, and KMZ (the same document zipped as `doc.kml`): one Placemark
//! per feature, named by its id, with its boundary (longitude, latitude), its properties both
//! as `ExtendedData` and as the description — an HTML table Google Earth shows in the
//! balloon — and a style per plot status in the map's colours.
//!
//! Data is text, never markup: every key and value is HTML-escaped into the table, and the
//! table, like every other text, is XML-escaped into the document (so `<b>` in a property
//! shows as `<b>`); characters XML 1.0 forbids are dropped.

use std::io::Write;

use geo::{Geometry, LineString, Polygon};

use super::table::{text, Row, Table};
use crate::register::Status;

/// The colour of a feature without a plot status (the plot statuses' are the map's one
/// palette, `Status::colour`).
const OTHER_COLOUR: &str = "#5b4a9e";

/// Escapes text for XML (element content and attribute values), dropping the control
/// characters XML 1.0 cannot hold.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `#rrggbb` as KML's `aabbggrr` with the given alpha.
fn kml_colour(hex: &str, alpha: &str) -> String {
    let h = hex.trim_start_matches('#');
    match (h.get(0..2), h.get(2..4), h.get(4..6)) {
        (Some(r), Some(g), Some(b)) => format!("{alpha}{b}{g}{r}"),
        _ => format!("{alpha}888888"),
    }
}

fn style_id(status: &str) -> String {
    let safe: String = status
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("status-{safe}")
}

fn styles(out: &mut String) {
    let all = Status::ALL
        .iter()
        .map(|s| (s.name(), s.colour()))
        .chain(std::iter::once(("other", OTHER_COLOUR)));
    for (status, colour) in all {
        out.push_str(&format!(
            "<Style id=\"{}\"><LineStyle><color>{}</color><width>2</width></LineStyle><PolyStyle><color>{}</color></PolyStyle><IconStyle><color>{}</color></IconStyle></Style>\n",
            escape(&style_id(status)),
            kml_colour(colour, "ff"),
            kml_colour(colour, "99"),
            kml_colour(colour, "ff"),
        ));
    }
}

fn coordinates(out: &mut String, line: &LineString) {
    out.push_str("<coordinates>");
    let pairs: Vec<String> = line.0.iter().map(|c| format!("{},{}", c.x, c.y)).collect();
    out.push_str(&pairs.join(" "));
    out.push_str("</coordinates>");
}

fn polygon(out: &mut String, p: &Polygon) {
    out.push_str("<Polygon><outerBoundaryIs><LinearRing>");
    coordinates(out, p.exterior());
    out.push_str("</LinearRing></outerBoundaryIs>");
    for ring in p.interiors() {
        out.push_str("<innerBoundaryIs><LinearRing>");
        coordinates(out, ring);
        out.push_str("</LinearRing></innerBoundaryIs>");
    }
    out.push_str("</Polygon>");
}

fn geometry(out: &mut String, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            out.push_str(&format!(
                "<Point><coordinates>{},{}</coordinates></Point>",
                p.x(),
                p.y()
            ));
        }
        Geometry::LineString(l) => {
            out.push_str("<LineString>");
            coordinates(out, l);
            out.push_str("</LineString>");
        }
        Geometry::Polygon(p) => polygon(out, p),
        Geometry::MultiPoint(m) => {
            out.push_str("<MultiGeometry>");
            for p in &m.0 {
                geometry(out, &Geometry::Point(*p));
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiLineString(m) => {
            out.push_str("<MultiGeometry>");
            for l in &m.0 {
                geometry(out, &Geometry::LineString(l.clone()));
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiPolygon(m) => {
            out.push_str("<MultiGeometry>");
            for p in &m.0 {
                polygon(out, p);
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::GeometryCollection(c) => {
            out.push_str("<MultiGeometry>");
            for g in &c.0 {
                geometry(out, g);
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::Rect(r) => polygon(out, &r.to_polygon()),
        Geometry::Triangle(t) => polygon(out, &t.to_polygon()),
        Geometry::Line(l) => geometry(out, &Geometry::LineString(LineString::from(*l))),
    }
}

/// The balloon: an HTML table of the row's columns (keys and values escaped as text).
fn description(table: &Table<'_>, row: &Row<'_>) -> String {
    let mut html = String::from("<table>");
    for column in &table.columns {
        let value = text(row.get(column).as_ref());
        if value.is_empty() {
            continue;
        }
        html.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(column),
            escape(&value)
        ));
    }
    html.push_str("</table>");
    html
}

fn placemark(out: &mut String, table: &Table<'_>, row: &Row<'_>) {
    let status = row
        .properties
        .get("status")
        .and_then(|v| v.as_str())
        .filter(|s| Status::from_name(s).is_some())
        .unwrap_or("other");
    out.push_str(&format!(
        "<Placemark id=\"{}\"><name>{}</name><description>{}</description><styleUrl>#{}</styleUrl><ExtendedData>",
        escape(&format!("f-{}", row.id)),
        escape(row.id),
        escape(&description(table, row)),
        escape(&style_id(status)),
    ));
    for column in table.columns.iter().filter(|c| c.as_str() != "id") {
        out.push_str(&format!(
            "<Data name=\"{}\"><value>{}</value></Data>",
            escape(column),
            escape(&text(row.get(column).as_ref()))
        ));
    }
    out.push_str("</ExtendedData>");
    geometry(out, row.lonlat);
    out.push_str("</Placemark>\n");
}

/// The KML document.
pub fn document(table: &Table<'_>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n",
    );
    out.push_str(&format!(
        "<name>{}</name>\n",
        escape(&format!("Industrial Zone Zagore: {}", table.name))
    ));
    styles(&mut out);
    for row in &table.rows {
        placemark(&mut out, table, row);
    }
    out.push_str("</Document>\n</kml>\n");
    out
}

/// KMZ: the document as `doc.kml` in a zip archive, deflated.
pub fn kmz(table: &Table<'_>) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("doc.kml", options)?;
    zip.write_all(document(table).as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_stays_text() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>\u{1}"),
            "&lt;b&gt;&quot;x&quot; &amp; &apos;y&apos;&lt;/b&gt;"
        );
        assert_eq!(kml_colour("#2e9e44", "ff"), "ff449e2e");
    }
}
