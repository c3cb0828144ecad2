//! The plot sheet's map: an inline SVG drawn here from the geometry (so the sheet prints
//! offline and needs no tiles): the plot and its neighbours coloured by status, the roads and
//! railway around them, the road route to the A1 interchange, a scale bar and north.
//!
//! Coordinates are longitude/latitude projected onto a local plane around the plot
//! (equirectangular at the plot's latitude: over a few hundred metres the distortion is far
//! below a drawn line's width). Every text is escaped.

use geo::{BoundingRect, Centroid, Geometry, LineString};

use super::api_doc::escape;
use crate::geodata::{Feature, LayerKind};
use crate::index::BBox;
use crate::register::Status;
use crate::tiles::style::OTHER_STATUS_COLOUR;
use crate::zone::Zone;

/// The drawing's size in SVG units (the page shows it 180 mm wide).
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 400.0;
const EARTH_M: f64 = 6_371_008.8;

/// lon/lat → drawing units around a centre, with `scale` units per metre.
struct Frame {
    lon0: f64,
    lat0: f64,
    cos: f64,
    scale: f64,
}

impl Frame {
    fn metres(&self, lon: f64, lat: f64) -> (f64, f64) {
        let x = (lon - self.lon0).to_radians() * self.cos * EARTH_M;
        let y = (lat - self.lat0).to_radians() * EARTH_M;
        (x, y)
    }

    fn point(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = self.metres(lon, lat);
        (WIDTH / 2.0 + x * self.scale, HEIGHT / 2.0 - y * self.scale)
    }

    fn path(&self, line: &LineString, close: bool) -> String {
        let mut d = String::new();
        for (i, c) in line.0.iter().enumerate() {
            let (x, y) = self.point(c.x, c.y);
            d.push_str(&format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }));
        }
        if close {
            d.push('Z');
        }
        d
    }

    fn geometry(&self, g: &Geometry<f64>) -> String {
        match g {
            Geometry::Polygon(p) => std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| self.path(r, true))
                .collect(),
            Geometry::MultiPolygon(m) => {
                m.0.iter()
                    .map(|p| self.geometry(&Geometry::Polygon(p.clone())))
                    .collect()
            }
            Geometry::LineString(l) => self.path(l, false),
            Geometry::MultiLineString(m) => m.0.iter().map(|l| self.path(l, false)).collect(),
            _ => String::new(),
        }
    }
}

/// A plot's colour by its status as served: the register's, not the file's.
fn status_colour(zone: &Zone, plot: &Feature) -> &'static str {
    let status = zone.plot_field(plot, "status");
    status
        .as_ref()
        .and_then(|v| v.as_str())
        .and_then(Status::colour_of)
        .unwrap_or(OTHER_STATUS_COLOUR)
}

/// A round length for the scale bar: the largest 1, 2 or 5 × 10ⁿ m at most `max_m`.
fn nice_length(max_m: f64) -> f64 {
    let mut best = 1.0;
    let mut p = 1.0;
    while p <= max_m {
        for m in [1.0, 2.0, 5.0] {
            if m * p <= max_m {
                best = m * p;
            }
        }
        p *= 10.0;
    }
    best
}

/// The SVG element. `route` is the road route's lon/lat path, if there is one; `title` the
/// accessible name of the drawing.
pub fn svg(zone: &Zone, plot: &Feature, route: Option<&[(f64, f64)]>, title: &str) -> String {
    let Some(rect) = plot.lonlat.bounding_rect() else {
        return String::new();
    };
    let centre = plot.lonlat.centroid().map_or(rect.center(), |p| p.0);
    let cos = centre.y.to_radians().cos();
    let mut frame = Frame {
        lon0: centre.x,
        lat0: centre.y,
        cos,
        scale: 1.0,
    };
    // The plot fills at most a third of the width or half the height, and the view is at
    // least 500 m across, so the neighbours and streets show.
    let (x0, y0) = frame.metres(rect.min().x, rect.min().y);
    let (x1, y1) = frame.metres(rect.max().x, rect.max().y);
    let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    frame.scale = (WIDTH / (3.0 * w))
        .min(HEIGHT / (2.0 * h))
        .min(WIDTH / 500.0);
    let half_w = WIDTH / 2.0 / frame.scale / (EARTH_M * cos) * 180.0 / std::f64::consts::PI;
    let half_h = HEIGHT / 2.0 / frame.scale / EARTH_M * 180.0 / std::f64::consts::PI;
    let view = BBox::new(
        [
            centre.x - half_w,
            centre.y - half_h,
            centre.x + half_w,
            centre.y + half_h,
        ],
        true,
    )
    .ok();

    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"map-title\" class=\"map\"><title id=\"map-title\">{}</title>",
        escape(title)
    );
    out.push_str(&format!(
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#f4f1ea\"/>"
    ));
    let near = |kind: LayerKind| -> Vec<&Feature> {
        match (zone.layer(kind), view) {
            (Some(layer), Some(view)) => zone
                .spatial_index(kind)
                .in_bbox(&layer.features, view)
                .into_iter()
                .map(|i| &layer.features[i])
                .collect(),
            _ => Vec::new(),
        }
    };
    for stage in near(LayerKind::Stages) {
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"#d9d2ec\" fill-opacity=\"0.45\" stroke=\"#5b4a9e\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
            frame.geometry(&stage.lonlat)
        ));
    }
    for plot_near in near(LayerKind::Plots) {
        let own = plot_near.id == plot.id;
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            frame.geometry(&plot_near.lonlat),
            status_colour(zone, plot_near),
            if own { "0.85" } else { "0.4" },
            if own { "#000000" } else { "#555555" },
            if own { "4" } else { "1" },
        ));
    }
    for road in near(LayerKind::Roads) {
        let class = road.properties.get("class").and_then(|v| v.as_str());
        let (colour, width) = match class {
            Some("motorway") => ("#c0392b", 6),
            Some("ring_road" | "primary") => ("#333333", 4),
            _ => ("#777777", 2),
        };
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" stroke-linecap=\"round\"/>",
            frame.geometry(&road.lonlat)
        ));
    }
    for rail in near(LayerKind::Rail) {
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"#222222\" stroke-width=\"2\" stroke-dasharray=\"10 5\"/>",
            frame.geometry(&rail.lonlat)
        ));
    }
    if let Some(route) = route.filter(|r| r.len() > 1) {
        let line = LineString::from(route.to_vec());
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"4\" stroke-dasharray=\"12 6\"/>",
            frame.path(&line, false)
        ));
    }
    // The plot's label at its centre.
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"4\">{}</text>",
        WIDTH / 2.0,
        HEIGHT / 2.0 + 6.0,
        escape(&plot.id)
    ));
    // Scale bar (bottom left) and north (top right).
    let bar_m = nice_length(WIDTH / 4.0 / frame.scale);
    let bar = bar_m * frame.scale;
    out.push_str(&format!(
        "<g font-size=\"14\"><rect x=\"16\" y=\"{y}\" width=\"{bar:.1}\" height=\"6\" fill=\"#000000\"/><text x=\"16\" y=\"{ty}\">{} m</text></g>",
        bar_m,
        y = HEIGHT - 22.0,
        ty = HEIGHT - 28.0,
    ));
    out.push_str(&format!(
        "<g font-size=\"16\" font-weight=\"bold\"><path d=\"M{x},14 l8,22 l-8,-6 l-8,6 Z\" fill=\"#000000\"/><text x=\"{x}\" y=\"54\" text-anchor=\"middle\">N</text></g>",
        x = WIDTH - 30.0
    ));
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::nice_length;

    #[test]
    fn scale_bars_are_round() {
        assert_eq!(nice_length(180.0), 100.0);
        assert_eq!(nice_length(260.0), 200.0);
        assert_eq!(nice_length(7.0), 5.0);
    }
}
