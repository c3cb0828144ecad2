//! Data above the distance table's size (`EAGER_PLOTS`): a synthetic cadastre of 6,000 plots
//! starts, answers each plot's distances on request, and says plainly that the whole table
//! is not kept.

use crate::common;

use common::{spawn_app_with, test_config};
use zagore::synth::{generate, SynthOptions};

#[tokio::test]
async fn a_large_cadastre_measures_each_plot_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let options = SynthOptions {
        plots: 6_000,
        out: dir.path().to_path_buf(),
        seed: 5,
        shape: Default::default(),
    };
    generate(&options).unwrap();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..test_config()
    })
    .await;

    let (status, page) = app.get_json("/collections/plots/items?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(page["numberMatched"], 6_000);
    let id = page["features"][0]["id"].as_str().unwrap().to_string();

    let (status, body) = app.get_json(&format!("/plots/{id}/distances")).await;
    assert_eq!(status, 200, "{body}");
    let straight = body["interchange"]["distance_m"].as_f64().unwrap();
    let by_road = body["interchange"]["road_distance_m"].as_f64().unwrap();
    assert!(straight > 0.0);
    // A way along the roads is never shorter than the straight line.
    assert!(by_road >= straight, "{by_road} < {straight}");

    let (_, item) = app
        .get_json(&format!("/collections/plots/items/{id}"))
        .await;
    let notes = item["properties"]["distance_notes"].as_str().unwrap();
    assert!(notes.contains(&format!("/plots/{id}/distances")), "{notes}");

    // The tiles leave that note (unique to each plot) and the card's points out; the labels
    // carry their text and what the viewer filters them by, not the card again.
    let (lon, lat) = (
        item["properties"]["inside_lon"].as_f64().unwrap(),
        item["properties"]["inside_lat"].as_f64().unwrap(),
    );
    let (ux, uy) = crate::tiles_support::lonlat_to_units(16, lon, lat);
    let (x, y) = ((ux / 4096.0).floor(), (uy / 4096.0).floor());
    let resp = app.get(&format!("/tiles/16/{x}/{y}.mvt")).await;
    assert_eq!(resp.status(), 200);
    let tile = crate::tiles_support::decode(&resp.bytes().await.unwrap());
    let plot = tile["plots"]
        .features
        .iter()
        .find(|f| f.str("cadastral_id") == Some(id.as_str()))
        .expect("the plot in the tile over its inside point");
    for left_out in [
        "distance_notes",
        "centroid_lon",
        "centroid_lat",
        "inside_lon",
        "inside_lat",
    ] {
        assert!(!plot.props.contains_key(left_out), "{left_out} in the tile");
    }
    assert_eq!(plot.str("status"), item["properties"]["status"].as_str());
    for label in &tile["plot_labels"].features {
        let keys: Vec<&str> = label.props.keys().map(String::as_str).collect();
        assert!(
            keys.iter()
                .all(|k| ["cadastral_id", "upi", "status", "stage"].contains(k)),
            "a label carries {keys:?}"
        );
        assert!(
            keys.contains(&"cadastral_id"),
            "a label without its text: {keys:?}"
        );
    }

    let (status, problem) = app.get_json("/plots/distances").await;
    assert_eq!(status, 501);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("/plots/{id}/distances"));
}
