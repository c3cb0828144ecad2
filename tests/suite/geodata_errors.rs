//! Bad geodata never panics and never slips through: each kind of problem is reported with
//! the file, the feature (and line) and the field, and `serve` refuses to start on it.

use std::path::Path;

use zagore::geodata::{Dataset, Severity};
use zagore::Config;

const CRS_7801: &str =
    r#""crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::7801"}}"#;

/// A 100 m × 80 m plot near Stage 2, easting first, in EPSG:7801.
fn square(e: f64, n: f64) -> String {
    format!(
        "[[[{e},{n}],[{e1},{n}],[{e1},{n1}],[{e},{n1}],[{e},{n}]]]",
        e1 = e + 100.0,
        n1 = n + 80.0
    )
}

fn plot(id: &str, coords: &str) -> String {
    format!(
        r#"{{"type": "Feature", "properties": {{"cadastral_id": "{id}", "stage": 2, "status": "available", "declared_area_m2": 8000}},
  "geometry": {{"type": "Polygon", "coordinates": {coords}}}}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", {CRS_7801},\n\"features\": [\n{}\n]}}\n",
        features.join(",\n")
    )
}

fn folder(plots: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plots.geojson"), plots).unwrap();
    dir
}

fn errors(dir: &Path) -> Vec<String> {
    zagore::geodata::crs::init_proj(&Config::default()).unwrap();
    let checked = Dataset::check(dir).unwrap();
    checked
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn assert_one_error(dir: &Path, needles: &[&str]) {
    let errs = errors(dir);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    for needle in needles {
        assert!(
            errs[0].contains(needle),
            "{needle:?} missing from {:?}",
            errs[0]
        );
    }
}

#[test]
fn a_good_minimal_folder_loads() {
    let dir = folder(&collection(&[plot(
        "27214.33.1",
        &square(510900.0, 4693010.0),
    )]));
    assert!(errors(dir.path()).is_empty());
    let ds = Dataset::load(dir.path()).unwrap();
    let f = &ds
        .layer(zagore::geodata::LayerKind::Plots)
        .unwrap()
        .features[0];
    // 100 m × 80 m on the cadastral grid; the LCC scale factor here is within 0.1 % of 1.
    let area = f.area_m2.unwrap();
    assert!((area - 8000.0).abs() < 8.0, "{area}");
}

#[test]
fn malformed_json_names_the_line() {
    let text = collection(&[plot("27214.33.1", &square(510900.0, 4693010.0))])
        .replace("\"stage\": 2,", "\"stage\": 2,,");
    let dir = folder(&text);
    assert_one_error(dir.path(), &["plots.geojson:3", "not JSON", "column 77"]);
}

#[test]
fn json_that_is_not_geojson() {
    let dir = folder(r#"{"type": "Topology", "objects": {}}"#);
    assert_one_error(
        dir.path(),
        &["plots.geojson", "FeatureCollection", "Topology"],
    );
}

#[test]
fn a_geometry_type_the_layer_does_not_allow() {
    let f = r#"{"type": "Feature", "properties": {"cadastral_id": "27214.33.1"}, "geometry": {"type": "Point", "coordinates": [510900, 4693010]}}"#;
    let dir = folder(&collection(&[f.to_string()]));
    assert_one_error(
        dir.path(),
        &[
            "feature 1 (27214.33.1)",
            "Point is not allowed in the plots layer",
        ],
    );
}

#[test]
fn an_unclosed_ring() {
    let coords = "[[[510900,4693010],[511000,4693010],[511000,4693090],[510900,4693090]]]";
    let dir = folder(&collection(&[plot("27214.33.1", coords)]));
    assert_one_error(dir.path(), &["feature 1 (27214.33.1)", "not closed"]);
}

#[test]
fn a_self_intersecting_ring() {
    let bowtie =
        "[[[510900,4693010],[511000,4693090],[511000,4693010],[510900,4693090],[510900,4693010]]]";
    let dir = folder(&collection(&[plot("27214.33.1", bowtie)]));
    assert_one_error(dir.path(), &["27214.33.1", "self-intersection"]);
}

#[test]
fn coordinates_outside_the_crs_area_of_use() {
    // Easting and northing swapped twice over: far outside Bulgaria whichever order is read.
    let dir = folder(&collection(&[plot(
        "27214.33.1",
        &square(1_510_900.0, 3_693_010.0),
    )]));
    assert_one_error(
        dir.path(),
        &["27214.33.1", "outside the area of use of EPSG:7801"],
    );
}

#[test]
fn a_malformed_cadastral_identifier() {
    let dir = folder(&collection(&[plot(
        "27214.033.1",
        &square(510900.0, 4693010.0),
    )]));
    assert_one_error(dir.path(), &["cadastral_id", "27214.033.1", "region"]);
}

#[test]
fn a_duplicate_identifier() {
    let dir = folder(&collection(&[
        plot("27214.33.1", &square(510900.0, 4693010.0)),
        plot("27214.33.1", &square(511000.0, 4693010.0)),
    ]));
    assert_one_error(
        dir.path(),
        &["duplicate identifier 27214.33.1", "first at line"],
    );
}

#[test]
fn an_invalid_status_names_the_field() {
    let text = collection(&[plot("27214.33.1", &square(510900.0, 4693010.0))])
        .replace("available", "for sale");
    let dir = folder(&text);
    assert_one_error(dir.path(), &["field `status`", "for sale"]);
}

#[test]
fn a_declared_area_off_by_more_than_one_percent_is_a_warning() {
    let text =
        collection(&[plot("27214.33.1", &square(510900.0, 4693010.0))]).replace("8000", "9000");
    let dir = folder(&text);
    zagore::geodata::crs::init_proj(&Config::default()).unwrap();
    let checked = Dataset::check(dir.path()).unwrap();
    assert!(!checked.has_errors());
    let warning = checked.problems.iter().find(|p| {
        p.severity == Severity::Warning && p.field.as_deref() == Some("declared_area_m2")
    });
    assert!(warning.is_some(), "{:#?}", checked.problems);
}

#[test]
fn northing_first_files_are_recognised_and_reported() {
    let ne =
        "[[[4693010,510900],[4693010,511000],[4693090,511000],[4693090,510900],[4693010,510900]]]";
    let dir = folder(&collection(&[plot("27214.33.1", ne)]));
    assert!(errors(dir.path()).is_empty());
    let ds = Dataset::load(dir.path()).unwrap();
    let layer = ds.layer(zagore::geodata::LayerKind::Plots).unwrap();
    assert_eq!(layer.axis_order, zagore::geodata::AxisOrder::NorthEast);
    assert!(
        layer.axis_reason.contains("northing-first"),
        "{}",
        layer.axis_reason
    );
    let extent = layer.extent.unwrap();
    assert!((25.5..25.7).contains(&extent.min().x) && (42.3..42.4).contains(&extent.min().y));
}

#[test]
fn official_export_field_names_are_accepted() {
    let f = format!(
        r#"{{"type": "Feature", "properties": {{"cadnum": "27214.33.1", "AREA": 8000, "usetype": "Нива"}}, "geometry": {{"type": "Polygon", "coordinates": {}}}}}"#,
        square(510900.0, 4693010.0)
    );
    let dir = folder(&collection(&[f]));
    let ds = Dataset::load(dir.path()).unwrap();
    let plot = &ds
        .layer(zagore::geodata::LayerKind::Plots)
        .unwrap()
        .features[0];
    assert_eq!(plot.id, "27214.33.1");
    assert_eq!(plot.num_prop("declared_area_m2"), Some(8000.0));
    assert_eq!(plot.str_prop("usetype"), Some("Нива"));
}

#[test]
fn a_missing_crs_member_means_wgs84_and_the_manifest_can_say_otherwise() {
    let text = collection(&[plot("27214.33.1", &square(510900.0, 4693010.0))])
        .replace(&format!("{CRS_7801},"), "");
    let dir = folder(&text);
    // Read as WGS84 the cadastral metres are far out of range.
    assert!(!errors(dir.path()).is_empty());
    std::fs::write(
        dir.path().join("manifest.toml"),
        "[layers.plots]\ncrs = \"EPSG:7801\"\n",
    )
    .unwrap();
    assert!(errors(dir.path()).is_empty());
    let ds = Dataset::load(dir.path()).unwrap();
    assert_eq!(
        ds.layer(zagore::geodata::LayerKind::Plots)
            .unwrap()
            .crs_source,
        zagore::geodata::CrsSource::Manifest
    );
}

#[test]
fn serve_refuses_bad_data_and_says_why() {
    let dir = folder(&collection(&[plot(
        "27214.033.1",
        &square(510900.0, 4693010.0),
    )]));
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let err = zagore::Application::build(config)
        .err()
        .expect("bad data was served")
        .to_string();
    assert!(
        err.contains("refusing to serve") && err.contains("27214.033.1"),
        "{err}"
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    for text in [
        "",
        "\u{feff}",
        "null",
        "[]",
        "{",
        "{\"type\": \"FeatureCollection\", \"features\": [1, null, {}]}",
        "\u{0}\u{1}",
    ] {
        let dir = folder(text);
        assert!(!errors(dir.path()).is_empty(), "{text:?} accepted");
    }
}
