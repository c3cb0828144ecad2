//! The MapLibre style (`/style.json`): the zone drawn from its own tiles and glyphs alone, no
//! base map and no internet: plots coloured by status with their cadastral id and УПИ, the
//! stage outlines, roads by class, the railway, the points of interest, and the names of
//! the places around (town, quarter, village, the stages) so a visitor sees where the zone
//! is. Labels are in Bulgarian (`name`); the viewer switches them to `name_en` in English.
//!
//! Every layer id starts with `zagore-`, so the layers can be added to another site's map
//! (the viewer's embed snippet) without clashing with its own `background`, `rail` or `poi`.
//! The style opens on the zone: a map made from it alone shows both stages with their plots.

use serde_json::{json, Value};

use super::layers::{road_min_zoom, EXTRA_MIN_ZOOM};
use crate::geodata::{Layer, LayerKind};
use crate::register::Status;
use crate::zone::Zone;

/// The colours the layers the manifest adds are drawn in, in turn (colour-blind safe, none a
/// plot status's colour).
pub const EXTRA_COLOURS: [&str; 6] = [
    "#0072b2", "#cc79a7", "#009e73", "#d55e00", "#56b4e9", "#7f3c8d",
];

/// A layer the manifest adds, as the style draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraLayer {
    pub name: String,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub colour: &'static str,
}

impl ExtraLayer {
    /// The layers a snapshot adds, each with its colour.
    pub fn of(layers: &[Layer]) -> Vec<ExtraLayer> {
        layers
            .iter()
            .filter(|l| l.kind.is_extra())
            .enumerate()
            .map(|(i, l)| ExtraLayer {
                name: l.kind.name().to_string(),
                title: l.title.clone(),
                title_en: l.title_en.clone(),
                colour: EXTRA_COLOURS[i % EXTRA_COLOURS.len()],
            })
            .collect()
    }
}

/// The style of a snapshot: opening on the plots it serves (the bundled zone's when it has
/// none), with every layer its manifest adds.
pub fn zone_style(zone: &Zone, base: &str) -> Value {
    let plots = zone
        .dataset
        .layer(LayerKind::Plots)
        .and_then(|l| l.extent)
        .map_or(ZONE_PLOTS_EXTENT, |r| {
            [r.min().x, r.min().y, r.max().x, r.max().y]
        });
    let mut style = style_opening_on(base, plots);
    add_extra_layers(&mut style, &ExtraLayer::of(&zone.dataset.layers));
    style
}

/// Draws each extra layer with a default style (polygons filled and outlined, lines, points
/// as circles, each feature's `name` as a label) under the points of interest, and lists
/// them in the metadata (`zagore:layers`) for the viewer's legend.
pub fn add_extra_layers(style: &mut Value, extras: &[ExtraLayer]) {
    let geometry = |types: &[&str]| json!(["match", ["geometry-type"], types, true, false]);
    let mut added = Vec::new();
    for extra in extras {
        let (name, colour) = (extra.name.as_str(), extra.colour);
        let source = |id: String, kind: &str| {
            json!({"id": id, "type": kind, "source": "zagore", "source-layer": name,
                   "minzoom": EXTRA_MIN_ZOOM})
        };
        let mut fill = source(format!("zagore-{name}-fill"), "fill");
        fill["filter"] = geometry(&["Polygon", "MultiPolygon"]);
        fill["paint"] = json!({"fill-color": colour, "fill-opacity": 0.25});
        let mut line = source(format!("zagore-{name}-line"), "line");
        line["filter"] = geometry(&["LineString", "MultiLineString", "Polygon", "MultiPolygon"]);
        line["layout"] = json!({"line-cap": "round", "line-join": "round"});
        line["paint"] = json!({"line-color": colour,
                               "line-width": ["interpolate", ["linear"], ["zoom"], 10, 1.5, 18, 4]});
        let mut circle = source(format!("zagore-{name}-point"), "circle");
        circle["filter"] = geometry(&["Point", "MultiPoint"]);
        circle["paint"] = json!({"circle-radius": 5, "circle-color": colour,
                                 "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5});
        let mut label = source(format!("zagore-{name}-label"), "symbol");
        label["minzoom"] = json!(13);
        label["layout"] = json!({"text-field": ["coalesce", ["get", "name"], ""],
                                 "text-font": [REGULAR], "text-size": 11,
                                 "text-offset": [0, 1.1], "text-anchor": "top"});
        label["paint"] = json!({"text-color": "#1a1a1a", "text-halo-color": "#ffffff",
                                "text-halo-width": 1.5});
        added.extend([fill, line, circle, label]);
    }
    if let Some(layers) = style["layers"].as_array_mut() {
        let at = layers
            .iter()
            .position(|l| l["id"] == "zagore-poi")
            .unwrap_or(layers.len());
        layers.splice(at..at, added);
    }
    style["metadata"]["zagore:layers"] = extras
        .iter()
        .map(
            |e| json!({"id": e.name, "title": e.title, "title_en": e.title_en, "colour": e.colour}),
        )
        .collect();
}

/// The colour of a plot whose status is none of the register's (the style's fallback).
pub const OTHER_STATUS_COLOUR: &str = "#cccccc";

/// The extent of the bundled zone's plots, both stages (lon/lat, WGS84): the
/// `/collections/plots` extent of `geodata/` (`tests/suite/viewer_style.rs` checks it).
pub const ZONE_PLOTS_EXTENT: [f64; 4] = [25.6447, 42.3658, 25.6811, 42.4324];

/// The plots are drawn from z12 (see `layers`): the opening view never zooms out further.
const MIN_OPENING_ZOOM: f64 = 12.0;

/// The view a map opens on to show an extent whole in a viewport of `width` × `height`
/// CSS pixels (web-mercator 512-pixel tiles, as MapLibre): its centre and a zoom rounded
/// down to a tenth, at least [`MIN_OPENING_ZOOM`] so the plots are drawn.
pub fn opening_view(extent: [f64; 4], width: f64, height: f64) -> ([f64; 2], f64) {
    let [west, south, east, north] = extent;
    let mercator_y = |lat: f64| {
        let phi = lat.to_radians();
        (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().ln()
    };
    let centre_y = (mercator_y(south) + mercator_y(north)) / 2.0;
    let centre_lat = (2.0 * centre_y.exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    // World widths (in units of the whole world = 1) of the extent in x and y.
    let dx = ((east - west) / 360.0).max(1e-9);
    let dy = ((mercator_y(north) - mercator_y(south)) / (2.0 * std::f64::consts::PI)).max(1e-9);
    let zoom = (width / (512.0 * dx))
        .log2()
        .min((height / (512.0 * dy)).log2());
    let zoom = ((zoom * 10.0).floor() / 10.0).max(MIN_OPENING_ZOOM);
    ([(west + east) / 2.0, centre_lat], zoom)
}

/// The points of interest that name a place (`kind`), drawn as a label without a marker.
pub const PLACE_KINDS: [&str; 4] = ["town", "village", "quarter", "stage"];

const REGULAR: &str = "Noto Sans Regular";
const BOLD: &str = "Noto Sans Bold";

/// The style, opening on the bundled zone's plots.
pub fn style(base: &str) -> Value {
    style_opening_on(base, ZONE_PLOTS_EXTENT)
}

/// The style, opening on `plots_extent` (lon/lat) as seen in a 1024 × 640 map.
pub fn style_opening_on(base: &str, plots_extent: [f64; 4]) -> Value {
    let (center, zoom) = opening_view(plots_extent, 1024.0, 640.0);
    // The one palette (`register::Status::colour`), in the register's order: the map draws
    // it, and the viewer's legend and status filter read it from the metadata.
    let mut status_colour = vec![json!("match"), json!(["get", "status"])];
    for status in Status::ALL {
        status_colour.push(json!(status.name()));
        status_colour.push(json!(status.colour()));
    }
    status_colour.push(json!(OTHER_STATUS_COLOUR));
    let palette: Vec<Value> = Status::ALL
        .iter()
        .map(|s| json!({"status": s.name(), "colour": s.colour()}))
        .collect();
    let not_a_place = json!(["match", ["get", "kind"], PLACE_KINDS, false, true]);
    let minor = road_min_zoom(Some("local"));
    let primary = road_min_zoom(Some("primary"));
    json!({
        "version": 8,
        "name": "Industrial Zone Zagore",
        "center": center,
        "zoom": zoom,
        "metadata": { "zagore:status-colours": palette },
        "sources": {
            "zagore": { "type": "vector", "url": format!("{base}/tiles.json") }
        },
        "glyphs": format!("{base}/fonts/{{fontstack}}/{{range}}.pbf"),
        "layers": [
            { "id": "zagore-background", "type": "background", "paint": { "background-color": "#f4f1ea" } },
            { "id": "zagore-stages-fill", "type": "fill", "source": "zagore", "source-layer": "stages",
              "paint": { "fill-color": "#d9d2ec", "fill-opacity": 0.45 } },
            { "id": "zagore-stages-outline", "type": "line", "source": "zagore", "source-layer": "stages",
              "paint": { "line-color": "#5b4a9e", "line-width": 2, "line-dasharray": [3, 2] } },
            { "id": "zagore-plots-fill", "type": "fill", "source": "zagore", "source-layer": "plots",
              "paint": { "fill-color": status_colour, "fill-opacity": 0.6 } },
            { "id": "zagore-plots-outline", "type": "line", "source": "zagore", "source-layer": "plots",
              "paint": { "line-color": "#333333",
                         "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.5, 18, 2] } },
            { "id": "zagore-rail", "type": "line", "source": "zagore", "source-layer": "rail",
              "paint": { "line-color": "#555555",
                         "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 16, 3],
                         "line-dasharray": [4, 2] } },
            road_layer("zagore-roads-minor", &["local", "service", "ramp"], minor, "#ffffff", (12.0, 1.5), (18.0, 8.0)),
            road_layer("zagore-roads-primary", &["primary"], primary, "#fcd68a", (8.0, 1.0), (18.0, 12.0)),
            road_layer("zagore-roads-ring-road", &["ring_road"], 0, "#f29b38", (5.0, 1.5), (18.0, 16.0)),
            road_layer("zagore-roads-motorway", &["motorway"], 0, "#e35b2c", (5.0, 2.0), (18.0, 20.0)),
            { "id": "zagore-roads-label", "type": "symbol", "source": "zagore", "source-layer": "roads",
              "minzoom": 13,
              "layout": { "symbol-placement": "line",
                          "text-field": ["coalesce", ["get", "name"], ["get", "ref"]],
                          "text-font": [REGULAR], "text-size": 12 },
              "paint": { "text-color": "#333333", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "zagore-roads-ref", "type": "symbol", "source": "zagore", "source-layer": "roads",
              "minzoom": 9, "maxzoom": 13,
              "filter": ["match", ["get", "class"], ["motorway", "ring_road"], true, false],
              "layout": { "symbol-placement": "line", "text-field": ["get", "ref"],
                          "text-font": [BOLD], "text-size": 11 },
              "paint": { "text-color": "#7a2a0a", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "zagore-poi", "type": "circle", "source": "zagore", "source-layer": "poi",
              "filter": not_a_place.clone(),
              "paint": { "circle-radius": 5, "circle-color": "#1f5fa8",
                         "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
            { "id": "zagore-poi-label", "type": "symbol", "source": "zagore", "source-layer": "poi",
              "filter": not_a_place,
              "layout": { "text-field": ["get", "name"], "text-font": [REGULAR], "text-size": 12,
                          "text-offset": [0, 1.2], "text-anchor": "top" },
              "paint": { "text-color": "#1f3f6a", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "zagore-place-label", "type": "symbol", "source": "zagore", "source-layer": "poi",
              "filter": ["match", ["get", "kind"], PLACE_KINDS, true, false],
              "layout": { "text-field": ["get", "name"],
                          "text-font": ["match", ["get", "kind"], ["town", "stage"], ["literal", [BOLD]], ["literal", [REGULAR]]],
                          "text-size": ["match", ["get", "kind"], "town", 16, "stage", 14, 12],
                          "text-max-width": 10,
                          // Zora and Stage 1 are a kilometre apart: at the opening zoom
                          // one of them moves aside rather than being left out.
                          "text-variable-anchor": ["center", "top", "bottom", "left", "right"],
                          "text-radial-offset": 0.6,
                          "symbol-sort-key": ["match", ["get", "kind"], "town", 0, "stage", 1, 2] },
              "paint": { "text-color": ["match", ["get", "kind"], "stage", "#3d2f7a", "#2b2b2b"],
                         "text-halo-color": "#ffffff", "text-halo-width": 2 } },
            { "id": "zagore-plot-labels", "type": "symbol", "source": "zagore", "source-layer": "plot_labels",
              "layout": {
                  "text-field": ["format",
                                 ["get", "cadastral_id"], { "text-font": ["literal", [BOLD]] },
                                 "\n", {},
                                 ["coalesce", ["get", "upi"], ""], { "font-scale": 0.85 }],
                  "text-font": [REGULAR],
                  "text-size": ["interpolate", ["linear"], ["zoom"], 14, 10, 18, 14],
                  "text-max-width": 12
              },
              "paint": { "text-color": "#1a1a1a", "text-halo-color": "#ffffff", "text-halo-width": 1.2 } }
        ]
    })
}

fn road_layer(
    id: &str,
    classes: &[&str],
    minzoom: u8,
    colour: &str,
    low: (f64, f64),
    high: (f64, f64),
) -> Value {
    let mut layer = json!({
        "id": id, "type": "line", "source": "zagore", "source-layer": "roads",
        "filter": ["match", ["get", "class"], classes, true, false],
        "layout": { "line-cap": "round", "line-join": "round" },
        "paint": { "line-color": colour,
                   "line-width": ["interpolate", ["exponential", 1.5], ["zoom"], low.0, low.1, high.0, high.1] }
    });
    if minzoom > 0 {
        layer["minzoom"] = json!(minzoom);
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opening_view_shows_the_extent_and_never_hides_the_plots() {
        let (centre, zoom) = opening_view(ZONE_PLOTS_EXTENT, 1024.0, 640.0);
        assert!((centre[0] - 25.6629).abs() < 1e-3 && (centre[1] - 42.3991).abs() < 1e-3);
        // 7.4 km north–south in 640 px at 42.4° N: about z12.2 (512-pixel tiles).
        assert!((12.1..12.4).contains(&zoom), "{zoom}");
        // A small map would fit the zone below the plots' zoom: it stays at z12.
        assert_eq!(opening_view(ZONE_PLOTS_EXTENT, 200.0, 150.0).1, 12.0);
    }

    fn layer<'a>(style: &'a Value, id: &str) -> &'a Value {
        style["layers"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["id"] == id))
            .unwrap_or_else(|| panic!("no layer {id}"))
    }

    #[test]
    fn plots_are_drawn_in_the_one_palette_and_the_metadata_lists_it_in_order() {
        let style = style("http://x");
        let listed: Vec<(String, String)> = style["metadata"]["zagore:status-colours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["status"].to_string(), e["colour"].to_string()))
            .collect();
        let palette: Vec<(String, String)> = Status::ALL
            .iter()
            .map(|s| (json!(s.name()).to_string(), json!(s.colour()).to_string()))
            .collect();
        assert_eq!(listed, palette);
        let fill = &layer(&style, "zagore-plots-fill")["paint"]["fill-color"];
        for status in Status::ALL {
            let at = fill
                .as_array()
                .unwrap()
                .iter()
                .position(|v| v == status.name())
                .unwrap();
            assert_eq!(fill[at + 1], status.colour(), "{status:?}");
        }
    }

    #[test]
    fn places_are_labels_without_markers_and_other_points_keep_theirs() {
        let style = style("http://x");
        let places = layer(&style, "zagore-place-label");
        assert_eq!(places["source-layer"], "poi");
        assert_eq!(
            places["filter"],
            json!(["match", ["get", "kind"], PLACE_KINDS, true, false])
        );
        for id in ["zagore-poi", "zagore-poi-label"] {
            assert_eq!(
                layer(&style, id)["filter"],
                json!(["match", ["get", "kind"], PLACE_KINDS, false, true]),
                "{id}"
            );
        }
        // Labels read `name`, which the viewer switches to `name_en` in English.
        assert_eq!(places["layout"]["text-field"], json!(["get", "name"]));
    }
}
