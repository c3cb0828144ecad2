//! A layer the manifest adds (the bundled `utilities`: Stage 2's planned supply
//! infrastructure) is published like the built-in ones without code changes: an OGC
//! collection, a tile layer, a TileJSON entry, a default style and a legend entry in the
//! style's metadata; `zagore check` reports it; a name that clashes with a built-in layer is
//! an error.

use std::process::Command;

use geo::InteriorPoint;
use serde_json::Value;
use zagore::geodata::{Dataset, LayerKind};

use crate::common::{bundled_geodata, spawn_app};
use crate::tiles_support;

/// The tile at zoom `z` over a point (lon, lat).
fn tile_over(z: u8, lon: f64, lat: f64) -> String {
    let (ux, uy) = tiles_support::lonlat_to_units(z, lon, lat);
    format!(
        "/tiles/{z}/{}/{}.mvt",
        (ux / 4096.0) as u32,
        (uy / 4096.0) as u32
    )
}

#[tokio::test]
async fn utilities_reach_collections_tiles_tilejson_and_the_style() {
    let app = spawn_app().await;

    // A collection, titled by the manifest, with every feature approximate and named twice.
    let (status, body) = app.get_json("/collections/utilities").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["title"], "Supply infrastructure (Stage 2, planned)");
    let (status, items) = app.get_json("/collections/utilities/items").await;
    assert_eq!(status, 200, "{items}");
    let features = items["features"].as_array().unwrap();
    assert_eq!(features.len(), 7);
    let kinds: Vec<&str> = features
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    for want in [
        "water_main",
        "sewer",
        "pumping_station",
        "substation",
        "power_line",
        "parking",
    ] {
        assert!(kinds.contains(&want), "{want} missing from {kinds:?}");
    }
    for f in features {
        let p = &f["properties"];
        assert_eq!(p["approximate"], true, "{f}");
        assert!(p["name"].as_str().is_some_and(|n| !n.is_empty()), "{f}");
        assert!(p["name_en"].as_str().is_some_and(|n| !n.is_empty()), "{f}");
    }
    let (_, list) = app.get_json("/collections").await;
    assert!(list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "utilities"));

    // TileJSON lists the tile layer with its fields.
    let (_, tilejson) = app.get_json("/tiles.json").await;
    let layer = tilejson["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "utilities")
        .unwrap_or_else(|| panic!("no utilities in {tilejson}"));
    assert_eq!(layer["fields"]["approximate"], "Boolean");
    assert_eq!(layer["fields"]["name_en"], "String");

    // The tiles over Stage 2 carry it, with its properties.
    let zone = app.state.zone();
    let utilities = zone
        .dataset
        .layers
        .iter()
        .find(|l| l.kind.name() == "utilities")
        .unwrap();
    let pumping = utilities.get("pumping-station-s2").unwrap();
    let p = pumping.lonlat.interior_point().unwrap();
    let resp = app.get(&tile_over(15, p.x(), p.y())).await;
    assert_eq!(resp.status(), 200);
    let tile = tiles_support::decode(&resp.bytes().await.unwrap());
    let drawn = tile
        .get("utilities")
        .unwrap_or_else(|| panic!("no utilities layer in {:?}", tile.keys()));
    assert!(drawn.features.iter().any(|f| f.str("name_en")
        == Some("sewage pumping station (Stage 2, planned)")
        && f.kind == tiles_support::Kind::Point));
    assert!(drawn
        .features
        .iter()
        .any(|f| f.kind == tiles_support::Kind::Line));

    // The style draws it (polygons, lines, points, labels) and lists it for the legend.
    let (_, style) = app.get_json("/style.json").await;
    let drawn_by: Vec<&Value> = style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["source-layer"] == "utilities")
        .collect();
    let types: Vec<&str> = drawn_by
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["fill", "line", "circle", "symbol"], "{drawn_by:?}");
    assert!(drawn_by
        .iter()
        .all(|l| l["id"].as_str().unwrap().starts_with("zagore-utilities-")));
    let legend = &style["metadata"]["zagore:layers"][0];
    assert_eq!(legend["id"], "utilities");
    assert_eq!(
        legend["title_en"],
        "Supply infrastructure (Stage 2, planned)"
    );
    assert_eq!(
        legend["colour"], drawn_by[0]["paint"]["fill-color"],
        "the legend's colour is the map's"
    );
}

#[test]
fn the_110_kv_line_is_the_profiles_7_15_km() {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    let data = Dataset::load(&bundled_geodata()).unwrap();
    let utilities = data
        .layers
        .iter()
        .find(|l| l.kind.name() == "utilities")
        .unwrap();
    let line = utilities.get("line-110kv-s2").unwrap();
    let km = line.length_m.unwrap() / 1000.0;
    assert!((km - 7.15).abs() < 0.02, "{km} km");
    // It ends at the planned substation.
    let substation = utilities.get("substation-110-20-s2").unwrap();
    let end = geo::CoordsIter::coords_iter(&line.lonlat).last().unwrap();
    let at = geo::CoordsIter::coords_iter(&substation.lonlat)
        .next()
        .unwrap();
    assert!((end.x - at.x).abs() < 1e-7 && (end.y - at.y).abs() < 1e-7);
    // The built-in layers keep their meaning: utilities is none of them.
    assert!(utilities.kind.is_extra());
    assert!(data.layer(LayerKind::Poi).is_some());
}

#[test]
fn check_reports_an_extra_layer_like_the_built_in_ones() {
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["check", "geodata"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("layer utilities: "))
        .take(5)
        .collect();
    assert!(section[0].ends_with("utilities.geojson"), "{text}");
    assert!(
        section[1].contains("EPSG:7801") && section[1].contains("from the file's crs member"),
        "{section:?}"
    );
    assert!(
        section[2].contains("axis order: easting, northing"),
        "{section:?}"
    );
    assert_eq!(section[3].trim(), "features:   7");
    assert!(section[4].contains("extent:"), "{section:?}");
}

#[test]
fn an_extra_layers_problems_and_a_clashing_name_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        bundled_geodata().join("plots.geojson"),
        dir.path().join("plots.geojson"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("wells.geojson"),
        "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\", \"properties\": {\"name\": \"well\"}, \"geometry\": null}\n]}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("manifest.toml"), "[layers.wells]\n").unwrap();
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_zagore"))
            .arg("check")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = check();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("wells.geojson:2: feature 1 (wells-1): field `geometry`"),
        "{text}"
    );

    for clash in ["Plots", "plot_labels"] {
        std::fs::write(
            dir.path().join("manifest.toml"),
            format!("[layers.{clash}]\nfile = \"wells.geojson\"\n"),
        )
        .unwrap();
        let out = check();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{said}");
        assert!(
            said.contains(&format!("[layers.{clash}]"))
                && said.contains("clashes with the built-in layer"),
            "{said}"
        );
    }
}
