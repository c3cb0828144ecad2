//! The vector tiles, fetched over HTTP and decoded with an independent decoder
//! (`tiles_support`): layers, plot identifiers and properties, MVT 2.1 winding and command
//! rules, clipping to the buffer, accuracy against the source geometry, and that
//! neighbouring plots share their boundary exactly at every zoom.

use crate::common;
use crate::tiles_support;

use std::collections::{BTreeMap, BTreeSet};

use geo::{CoordsIter, InteriorPoint};
use tiles_support::{decode, Kind, Layer, Val};
use zagore::geodata::{Feature, LayerKind};
use zagore::Config;

use common::TestApp;

type Tile = BTreeMap<String, Layer>;

/// Fetches and decodes a tile; `None` for 204 No Content.
async fn fetch(app: &TestApp, z: u8, x: u32, y: u32) -> Option<Tile> {
    let resp = app.get(&format!("/tiles/{z}/{x}/{y}.mvt")).await;
    match resp.status().as_u16() {
        204 => None,
        200 => Some(decode(&resp.bytes().await.unwrap())),
        other => panic!("tile {z}/{x}/{y}: status {other}"),
    }
}

fn tile_of(z: u8, lon: f64, lat: f64) -> (u32, u32) {
    let (ux, uy) = tiles_support::lonlat_to_units(z, lon, lat);
    ((ux / 4096.0).floor() as u32, (uy / 4096.0).floor() as u32)
}

fn plots(app: &TestApp) -> Vec<Feature> {
    app.state
        .zone()
        .dataset
        .layer(LayerKind::Plots)
        .unwrap()
        .features
        .clone()
}

/// The plots' ids per stage, read straight from the GeoJSON file.
fn stage_plot_ids() -> BTreeMap<i64, BTreeSet<String>> {
    let text = std::fs::read_to_string(common::bundled_geodata().join("plots.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        let p = &f["properties"];
        out.entry(p["stage"].as_i64().unwrap())
            .or_default()
            .insert(p["cadastral_id"].as_str().unwrap().to_string());
    }
    out
}

/// A plot's source outline in world tile units at zoom z (through its WGS84 geometry).
fn outline_units(plot: &Feature, z: u8) -> Vec<(f64, f64)> {
    plot.lonlat
        .coords_iter()
        .map(|c| tiles_support::lonlat_to_units(z, c.x, c.y))
        .collect()
}

fn distance_to_outline(p: (f64, f64), outline: &[(f64, f64)]) -> f64 {
    outline
        .windows(2)
        .map(|w| tiles_support::distance_to_segment(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

#[tokio::test]
async fn tiles_over_each_stage_carry_the_stages_plots_with_their_cards_from_z14_to_z18() {
    let app = common::spawn_app().await;
    let expected = stage_plot_ids();
    let plots = plots(&app);
    let data = app.state.zone();
    for z in 14..=18u8 {
        for (stage, ids) in &expected {
            let mut tiles = BTreeSet::new();
            for plot in plots.iter().filter(|p| ids.contains(&p.id)) {
                let p = plot.lonlat.interior_point().unwrap();
                tiles.insert(tile_of(z, p.x(), p.y()));
            }
            let mut found = BTreeSet::new();
            let mut roads = false;
            for &(x, y) in &tiles {
                let tile = fetch(&app, z, x, y)
                    .await
                    .expect("a tile over a plot has features");
                for layer in ["plots", "stages"] {
                    assert!(tile.contains_key(layer), "z{z} {x}/{y}: no {layer} layer");
                }
                roads |= tile.contains_key("roads");
                for layer in tile.values() {
                    assert_eq!(layer.extent, 4096);
                    assert!(!layer.features.is_empty(), "empty layer {}", layer.name);
                }
                for f in &tile["plots"].features {
                    let id = f
                        .str("cadastral_id")
                        .expect("plots carry their cadastral id");
                    let plot = plots.iter().find(|p| p.id == id).expect("a known plot");
                    assert_eq!(f.id, Some(plot.numeric_id), "{id}: feature id");
                    assert_eq!(f.kind, Kind::Polygon);
                    // The plot's card, the same answer as a click through the API, but
                    // for its prose and its points (the tile's geometry shows those).
                    let card: BTreeMap<String, serde_json::Value> = data
                        .plot_card(plot)
                        .into_iter()
                        .filter(|(_, v)| !(v.is_null() || v.is_array() || v.is_object()))
                        .filter(|(k, _)| !zagore::zone::card::NOT_IN_TILES.contains(&k.as_str()))
                        .collect();
                    for left_out in ["distance_notes", "centroid_lon", "inside_lat"] {
                        assert!(
                            !f.props.contains_key(left_out),
                            "{id}: {left_out} in a tile"
                        );
                    }
                    let props: BTreeMap<String, serde_json::Value> = f
                        .props
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_json()))
                        .collect();
                    assert_eq!(props, card, "{id}: properties");
                    found.insert(id.to_string());
                }
            }
            assert!(
                found.is_superset(ids),
                "z{z} stage {stage}: {found:?} lacks some of {ids:?}"
            );
            assert!(
                roads || z > 16,
                "z{z} stage {stage}: the stage's streets are in no tile"
            );
        }
    }
}

#[tokio::test]
async fn property_types_are_kept() {
    let app = common::spawn_app().await;
    let plot = plots(&app)
        .into_iter()
        .find(|p| p.id == "27214.33.1")
        .unwrap();
    let p = plot.lonlat.interior_point().unwrap();
    let (x, y) = tile_of(15, p.x(), p.y());
    let tile = fetch(&app, 15, x, y).await.unwrap();
    let f = tile["plots"]
        .features
        .iter()
        .find(|f| f.str("cadastral_id") == Some("27214.33.1"))
        .unwrap();
    // Types as in plots.geojson: integer, float, string, boolean.
    assert!(matches!(f.props["declared_area_m2"], Val::Int(_)));
    assert!(matches!(f.props["stage"], Val::Int(2)));
    assert!(matches!(f.props["max_intensity"], Val::Double(_)));
    assert!(matches!(f.props["has_power"], Val::Bool(_)));
    assert_eq!(f.str("status"), Some("pre-contracted"));
    assert!(f.str("upi").unwrap().starts_with("УПИ"));
    // Null values (price of a pre-contracted plot, for one) are left out, not sent as "".
    assert!(
        !f.props.contains_key("price_eur_m2")
            || plot
                .properties
                .get("price_eur_m2")
                .is_some_and(|v| v.is_number())
    );
}

#[tokio::test]
async fn polygons_are_wound_clockwise_and_clipped_to_the_buffer() {
    let app = common::spawn_app_with(Config {
        data_dir: common::bundled_geodata(),
        tile_buffer: 16,
        ..Config::default()
    })
    .await;
    let mut clipped_somewhere = false;
    for z in [12u8, 14, 16, 18] {
        for plot in plots(&app) {
            let p = plot.lonlat.interior_point().unwrap();
            let (x, y) = tile_of(z, p.x(), p.y());
            let Some(tile) = fetch(&app, z, x, y).await else {
                panic!("no tile over {}", plot.id)
            };
            for layer in tile.values() {
                for f in &layer.features {
                    for part in &f.parts {
                        for &(px, py) in part {
                            assert!(
                                (-16..=4096 + 16).contains(&px) && (-16..=4096 + 16).contains(&py),
                                "{} z{z}: ({px}, {py}) outside the buffer",
                                layer.name
                            );
                            clipped_somewhere |= px == -16 || px == 4112 || py == -16 || py == 4112;
                        }
                    }
                    if f.kind == Kind::Polygon {
                        // The zone has no holes: every ring is an exterior, clockwise on
                        // screen, so positive by the surveyor's formula.
                        for ring in &f.parts {
                            assert!(
                                tiles_support::area2(ring) > 0,
                                "{} z{z}: ring winding",
                                layer.name
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(
        clipped_somewhere,
        "the stage outlines and roads cross tile edges somewhere"
    );
}

#[tokio::test]
async fn decoded_vertices_lie_within_half_a_unit_of_the_source() {
    let app = common::spawn_app().await;
    for z in [14u8, 16, 18] {
        for plot in plots(&app) {
            let p = plot.lonlat.interior_point().unwrap();
            let (x, y) = tile_of(z, p.x(), p.y());
            let tile = fetch(&app, z, x, y).await.unwrap();
            let f = tile["plots"]
                .features
                .iter()
                .find(|f| f.str("cadastral_id") == Some(plot.id.as_str()))
                .unwrap();
            let outline = outline_units(&plot, z);
            let origin = (f64::from(x) * 4096.0, f64::from(y) * 4096.0);
            for &(px, py) in f.parts.iter().flatten() {
                let world = (origin.0 + px as f64, origin.1 + py as f64);
                let edge_x = px == -64 || px == 4160;
                let edge_y = py == -64 || py == 4160;
                if edge_x && edge_y {
                    // A corner of the buffered tile, inside the plot: clipping adds it.
                    continue;
                }
                let on_edge = edge_x || edge_y;
                // Half a unit in x and in y: at most √½ away. A vertex made by clipping on
                // the buffer's edge is rounded once more.
                let limit = if on_edge {
                    1.5
                } else {
                    0.5f64.hypot(0.5) + 1e-6
                };
                let d = distance_to_outline(world, &outline);
                assert!(
                    d <= limit,
                    "{} z{z}: vertex ({px}, {py}) is {d:.3} units off",
                    plot.id
                );
            }
        }
    }
}

/// Pairs of plots whose source outlines share vertices (identical coordinates in the file).
fn neighbours(plots: &[Feature]) -> Vec<(usize, usize)> {
    let keys = |f: &Feature| -> BTreeSet<(u64, u64)> {
        f.source
            .coords_iter()
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect()
    };
    let mut pairs = Vec::new();
    for i in 0..plots.len() {
        for j in i + 1..plots.len() {
            if keys(&plots[i]).intersection(&keys(&plots[j])).count() >= 2 {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

#[tokio::test]
async fn neighbouring_plots_share_their_boundary_exactly_at_every_zoom() {
    let app = common::spawn_app().await;
    let plots = plots(&app);
    let pairs = neighbours(&plots);
    assert!(
        pairs.len() >= 10,
        "the zone's plots have neighbours: {}",
        pairs.len()
    );
    for z in 12..=18u8 {
        for &(i, j) in &pairs {
            let (a, b) = (&plots[i], &plots[j]);
            // The tile holding a vertex the two share.
            let shared = a
                .source
                .coords_iter()
                .zip(a.lonlat.coords_iter())
                .find(|(s, _)| b.source.coords_iter().any(|t| t == *s))
                .map(|(_, ll)| ll)
                .unwrap();
            let (x, y) = tile_of(z, shared.x, shared.y);
            let tile = fetch(&app, z, x, y).await.unwrap();
            // By feature id: below z14 the plots carry no cadastral id.
            let ring = |plot: &Feature| -> Vec<(i64, i64)> {
                let f = tile["plots"]
                    .features
                    .iter()
                    .find(|f| f.id == Some(plot.numeric_id))
                    .unwrap_or_else(|| panic!("z{z}: {} missing", plot.id));
                assert_eq!(f.parts.len(), 1, "one ring");
                f.parts[0].clone()
            };
            let (ra, rb) = (ring(a), ring(b));
            // Below z14 vertices snap to a quarter-pixel grid (4 units): up to 2√2 units off.
            let near = if z < 14 { 3.0 } else { 1.0 };
            let origin = (f64::from(x) * 4096.0, f64::from(y) * 4096.0);
            for (this, other, other_plot, name) in [(&ra, &rb, b, &a.id), (&rb, &ra, a, &b.id)] {
                let outline = outline_units(other_plot, z);
                // Vertices of this plot that lie on the other's source boundary must lie on
                // the other's tile boundary exactly, and so must the edges between them.
                let on_boundary: Vec<bool> = this
                    .iter()
                    .map(|&(px, py)| {
                        let w = (origin.0 + px as f64, origin.1 + py as f64);
                        distance_to_outline(w, &outline) <= near
                    })
                    .collect();
                let count = on_boundary.iter().filter(|b| **b).count();
                assert!(
                    count >= 2,
                    "z{z}: {name} has {count} vertices on its neighbour"
                );
                let n = this.len();
                for k in 0..n {
                    if !on_boundary[k] {
                        continue;
                    }
                    assert!(
                        tiles_support::on_ring(this[k], other),
                        "z{z}: {name}'s vertex {:?} is not on its neighbour's ring (gap or overlap)",
                        this[k]
                    );
                    let next = (k + 1) % n;
                    if on_boundary[next] {
                        let mid2 = (this[k].0 + this[next].0, this[k].1 + this[next].1);
                        let other2: Vec<(i64, i64)> =
                            other.iter().map(|p| (2 * p.0, 2 * p.1)).collect();
                        assert!(
                            tiles_support::on_ring(mid2, &other2),
                            "z{z}: {name}: shared edge differs"
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn plot_labels_sit_inside_their_plots() {
    let app = common::spawn_app().await;
    let z = 16;
    for plot in plots(&app) {
        let r = geo::BoundingRect::bounding_rect(&plot.lonlat).unwrap();
        let (x0, y0) = tile_of(z, r.min().x, r.max().y);
        let (x1, y1) = tile_of(z, r.max().x, r.min().y);
        let mut labels = 0;
        for x in x0..=x1 {
            for y in y0..=y1 {
                let Some(tile) = fetch(&app, z, x, y).await else {
                    continue;
                };
                let Some(layer) = tile.get("plot_labels") else {
                    continue;
                };
                for label in layer
                    .features
                    .iter()
                    .filter(|f| f.str("cadastral_id") == Some(&plot.id))
                {
                    assert_eq!(label.kind, Kind::Point);
                    assert_eq!(label.id, Some(plot.numeric_id));
                    let p = label.parts[0][0];
                    let polygon = &tile["plots"]
                        .features
                        .iter()
                        .find(|f| f.str("cadastral_id") == Some(&plot.id))
                        .unwrap()
                        .parts[0];
                    assert!(
                        tiles_support::inside_ring((p.0 as f64, p.1 as f64), polygon),
                        "{}: label {p:?} outside its plot",
                        plot.id
                    );
                    labels += 1;
                }
            }
        }
        assert!(labels >= 1, "{}: no label", plot.id);
    }
}

#[tokio::test]
async fn layers_start_at_their_minimum_zoom_and_empty_tiles_are_204() {
    let app = common::spawn_app().await;
    let plot = &plots(&app)[0];
    let p = plot.lonlat.interior_point().unwrap();
    let (x, y) = tile_of(10, p.x(), p.y());
    let tile = fetch(&app, 10, x, y).await.unwrap();
    assert!(!tile.contains_key("plots") && !tile.contains_key("plot_labels"));
    assert!(tile.contains_key("stages"));
    // At z6 only the motorway and the ring road are drawn.
    let (x, y) = tile_of(6, 25.6617, 42.3394);
    let tile = fetch(&app, 6, x, y).await.unwrap();
    let classes: BTreeSet<&str> = tile["roads"]
        .features
        .iter()
        .filter_map(|f| f.str("class"))
        .collect();
    assert_eq!(classes, BTreeSet::from(["motorway", "ring_road"]));
    assert!(!tile.contains_key("stages"));
    // Every road carries its class, ref and name.
    let (x, y) = tile_of(14, 25.6617, 42.3394);
    let tile = fetch(&app, 14, x, y).await.unwrap();
    for f in &tile["roads"].features {
        assert_eq!(f.kind, Kind::Line);
        for key in ["class", "ref", "name"] {
            assert!(f.str(key).is_some(), "road without {key}");
        }
    }
    // The Atlantic off Africa has nothing of the zone.
    assert!(fetch(&app, 14, 8192, 8192).await.is_none());
}
