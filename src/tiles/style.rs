//! The MapLibre style (`/style.json`): the zone drawn from its own tiles and glyphs alone, no
//! base map and no internet: plots coloured by status with their cadastral id and УПИ, the
//! stage outlines, roads by class, the railway and the points of interest.

use serde_json::{json, Value};

use super::layers::road_min_zoom;

/// Plot fill colours by `status` (shared with the web viewer's legend through the style).
pub const STATUS_COLOURS: [(&str, &str); 4] = [
    ("available", "#2e9e44"),
    ("reserved", "#f0b400"),
    ("pre-contracted", "#e8710a"),
    ("sold", "#9a9a9a"),
];

const REGULAR: &str = "Noto Sans Regular";
const BOLD: &str = "Noto Sans Bold";

pub fn style(base: &str) -> Value {
    let mut status_colour = vec![json!("match"), json!(["get", "status"])];
    for (status, colour) in STATUS_COLOURS {
        status_colour.push(json!(status));
        status_colour.push(json!(colour));
    }
    status_colour.push(json!("#cccccc"));
    let minor = road_min_zoom(Some("local"));
    let primary = road_min_zoom(Some("primary"));
    json!({
        "version": 8,
        "name": "Industrial Zone Zagore",
        "metadata": { "zagore:status-colours": STATUS_COLOURS.iter().map(|(s, c)| json!({"status": s, "colour": c})).collect::<Vec<_>>() },
        "sources": {
            "zagore": { "type": "vector", "url": format!("{base}/tiles.json") }
        },
        "glyphs": format!("{base}/fonts/{{fontstack}}/{{range}}.pbf"),
        "layers": [
            { "id": "background", "type": "background", "paint": { "background-color": "#f4f1ea" } },
            { "id": "stages-fill", "type": "fill", "source": "zagore", "source-layer": "stages",
              "paint": { "fill-color": "#d9d2ec", "fill-opacity": 0.45 } },
            { "id": "stages-outline", "type": "line", "source": "zagore", "source-layer": "stages",
              "paint": { "line-color": "#5b4a9e", "line-width": 2, "line-dasharray": [3, 2] } },
            { "id": "plots-fill", "type": "fill", "source": "zagore", "source-layer": "plots",
              "paint": { "fill-color": status_colour, "fill-opacity": 0.6 } },
            { "id": "plots-outline", "type": "line", "source": "zagore", "source-layer": "plots",
              "paint": { "line-color": "#333333",
                         "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.5, 18, 2] } },
            { "id": "rail", "type": "line", "source": "zagore", "source-layer": "rail",
              "paint": { "line-color": "#555555",
                         "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 16, 3],
                         "line-dasharray": [4, 2] } },
            road_layer("roads-minor", &["local", "service", "ramp"], minor, "#ffffff", (12.0, 1.5), (18.0, 8.0)),
            road_layer("roads-primary", &["primary"], primary, "#fcd68a", (8.0, 1.0), (18.0, 12.0)),
            road_layer("roads-ring-road", &["ring_road"], 0, "#f29b38", (5.0, 1.5), (18.0, 16.0)),
            road_layer("roads-motorway", &["motorway"], 0, "#e35b2c", (5.0, 2.0), (18.0, 20.0)),
            { "id": "roads-label", "type": "symbol", "source": "zagore", "source-layer": "roads",
              "minzoom": 13,
              "layout": { "symbol-placement": "line",
                          "text-field": ["coalesce", ["get", "name"], ["get", "ref"]],
                          "text-font": [REGULAR], "text-size": 12 },
              "paint": { "text-color": "#333333", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "roads-ref", "type": "symbol", "source": "zagore", "source-layer": "roads",
              "minzoom": 9, "maxzoom": 13,
              "filter": ["match", ["get", "class"], ["motorway", "ring_road"], true, false],
              "layout": { "symbol-placement": "line", "text-field": ["get", "ref"],
                          "text-font": [BOLD], "text-size": 11 },
              "paint": { "text-color": "#7a2a0a", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "poi", "type": "circle", "source": "zagore", "source-layer": "poi",
              "paint": { "circle-radius": 5, "circle-color": "#1f5fa8",
                         "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
            { "id": "poi-label", "type": "symbol", "source": "zagore", "source-layer": "poi",
              "layout": { "text-field": ["get", "name"], "text-font": [REGULAR], "text-size": 12,
                          "text-offset": [0, 1.2], "text-anchor": "top" },
              "paint": { "text-color": "#1f3f6a", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
            { "id": "plot-labels", "type": "symbol", "source": "zagore", "source-layer": "plot_labels",
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
