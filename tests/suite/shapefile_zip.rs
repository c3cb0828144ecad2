//! The cadastre agency's shapefile ZIP read directly: fixtures written at test time by a tool
//! outside the service (GDAL's ogr2ogr) from the bundled plots, in EPSG:7801 with the agency's
//! field names and a Windows-1251 `.dbf`, read back to the same plots; a whole settlement's
//! export cut to the zone by `within = "stages"`; and every broken or refused file named.

use std::path::{Path, PathBuf};
use std::process::Command;

use geo::CoordsIter;
use zagore::geodata::{Checked, Dataset, LayerKind, Severity};
use zagore::Config;

use crate::common::bundled_geodata;

/// The bundled plots' fields under the agency's names (and two the agency does not have).
const AGENCY_SQL: &str = "SELECT cadastral_id AS cadnum, ekatte, declared_area_m2 AS AREA, \
                          stage, status, settlement, upi FROM plots";

/// Runs ogr2ogr; a machine without it fails the test with what to do.
fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "ogr2ogr (GDAL) is needed to write the shapefile fixtures but cannot run ({e}); \
             install it with `bash scripts/setup.sh clients`"
            )
        });
    assert!(
        out.status.success(),
        "ogr2ogr {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A data folder with the bundled layers but the plots, and a manifest naming `plots` as
/// `plots_entry` says.
fn folder(plots_entry: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for layer in ["stages", "roads", "rail", "poi"] {
        let name = format!("{layer}.geojson");
        std::fs::copy(bundled_geodata().join(&name), dir.path().join(&name)).unwrap();
    }
    std::fs::write(
        dir.path().join("manifest.toml"),
        format!("[layers.plots]\n{plots_entry}\n"),
    )
    .unwrap();
    dir
}

/// Writes `source` (GeoJSON) as a shapefile at `out` (`x.shp`, or `x.shp.zip` for a ZIP),
/// with the agency's field names and a Windows-1251 `.dbf`.
fn write_shapefile(source: &Path, out: &Path, sql: &str) {
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-lco",
        "ENCODING=CP1251",
        "-sql",
        sql,
        out.to_str().unwrap(),
        source.to_str().unwrap(),
    ]);
}

fn check(dir: &Path) -> Checked {
    zagore::geodata::crs::init_proj(&Config::default()).unwrap();
    Dataset::check(dir).unwrap()
}

fn errors(checked: &Checked) -> Vec<String> {
    checked
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

/// The one error of reading `dir`, which must name `file` and say `why`.
fn assert_one_error(dir: &Path, file: &str, why: &str) {
    let errs = errors(&check(dir));
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    assert!(
        errs[0].contains(file),
        "{file:?} not named in {:?}",
        errs[0]
    );
    assert!(errs[0].contains(why), "{why:?} not said in {:?}", errs[0]);
}

fn plots_geojson() -> PathBuf {
    bundled_geodata().join("plots.geojson")
}

#[test]
fn the_agency_zip_reads_back_to_the_same_plots() {
    let dir = folder("file = \"zemi-27214.shp.zip\"");
    write_shapefile(
        &plots_geojson(),
        &dir.path().join("zemi-27214.shp.zip"),
        AGENCY_SQL,
    );
    let from_zip = check(dir.path());
    assert!(errors(&from_zip).is_empty(), "{:#?}", from_zip.problems);
    let original = Dataset::load(&bundled_geodata()).unwrap();
    let (a, b) = (
        original.layer(LayerKind::Plots).unwrap(),
        from_zip.dataset.layer(LayerKind::Plots).unwrap(),
    );
    assert_eq!(b.source_crs.to_string(), "EPSG:7801");
    let ids = |l: &zagore::geodata::Layer| {
        let mut ids: Vec<String> = l.features.iter().map(|f| f.id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(a), ids(b));
    for plot in &a.features {
        let read = b.get(&plot.id).unwrap();
        assert_eq!(
            read.num_prop("declared_area_m2"),
            plot.num_prop("declared_area_m2"),
            "{}",
            plot.id
        );
        // Cyrillic text came through the Windows-1251 table.
        assert_eq!(read.str_prop("upi"), plot.str_prop("upi"), "{}", plot.id);
        assert_eq!(read.str_prop("status"), plot.str_prop("status"));
        assert_eq!(read.stage(), plot.stage());
        // Every vertex within a millimetre of the GeoJSON's (rings may run the other way).
        let theirs: Vec<geo::Coord<f64>> = plot.source.coords_iter().collect();
        let ours: Vec<geo::Coord<f64>> = read.source.coords_iter().collect();
        assert_eq!(ours.len(), theirs.len(), "{}", plot.id);
        for c in &ours {
            let nearest = theirs
                .iter()
                .map(|t| (t.x - c.x).hypot(t.y - c.y))
                .fold(f64::INFINITY, f64::min);
            assert!(nearest < 0.001, "{}: {c:?} is {nearest} m off", plot.id);
        }
    }

    // `zagore check` reports it like GeoJSON: the file, the CRS and how it was decided.
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("layer plots: ") && text.contains("zemi-27214.shp.zip"),
        "{text}"
    );
    assert!(
        text.contains("source CRS: EPSG:7801 (BGS2005 / CCS2005), from the shapefile's .prj"),
        "{text}"
    );
    assert!(text.contains("features:   18"), "{text}");
    assert!(text.contains("stage 2: 7 plots"), "{text}");
}

#[test]
fn without_a_cpg_the_table_is_read_as_windows_1251() {
    let dir = folder("file = \"zemi.shp\"");
    write_shapefile(&plots_geojson(), &dir.path().join("zemi.shp"), AGENCY_SQL);
    std::fs::remove_file(dir.path().join("zemi.cpg")).unwrap();
    let checked = check(dir.path());
    assert!(errors(&checked).is_empty(), "{:#?}", checked.problems);
    let plots = checked.dataset.layer(LayerKind::Plots).unwrap();
    let plot = plots.get("27214.33.1").unwrap();
    assert!(
        plot.str_prop("upi").is_some_and(|u| u.starts_with("УПИ")),
        "{:?}",
        plot.str_prop("upi")
    );
}

#[test]
fn a_whole_settlement_within_the_stages_yields_exactly_the_zones_plots() {
    // The zone's plots and three of the settlement's plots outside both stages.
    let mut settlement: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plots_geojson()).unwrap()).unwrap();
    let features = settlement["features"].as_array_mut().unwrap();
    for (i, (e, n)) in [
        (505_000.0, 4_690_000.0),
        (509_000.0, 4_695_500.0),
        (516_500.0, 4_701_000.0),
    ]
    .into_iter()
    .enumerate()
    {
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {"cadastral_id": format!("27214.40.{}", i + 1), "ekatte": 27214,
                           "declared_area_m2": 8000, "stage": null, "status": null,
                           "settlement": "с. Еленино", "upi": null},
            "geometry": {"type": "Polygon", "coordinates": [[[e, n], [e + 100.0, n],
                [e + 100.0, n + 80.0], [e, n + 80.0], [e, n]]]}
        }));
    }
    let dir = folder("file = \"elenino.shp.zip\"\nwithin = \"stages\"");
    let source = dir.path().join("settlement.json");
    std::fs::write(&source, settlement.to_string()).unwrap();
    write_shapefile(&source, &dir.path().join("elenino.shp.zip"), AGENCY_SQL);
    std::fs::remove_file(&source).unwrap();

    let checked = check(dir.path());
    assert!(errors(&checked).is_empty(), "{:#?}", checked.problems);
    let mut ids: Vec<String> = checked
        .dataset
        .layer(LayerKind::Plots)
        .unwrap()
        .features
        .iter()
        .map(|f| f.id.clone())
        .collect();
    ids.sort();
    let original = Dataset::load(&bundled_geodata()).unwrap();
    let mut zone: Vec<String> = original
        .layer(LayerKind::Plots)
        .unwrap()
        .features
        .iter()
        .map(|f| f.id.clone())
        .collect();
    zone.sort();
    assert_eq!(ids, zone);

    // Without the selection the settlement's other plots are read too.
    std::fs::write(
        dir.path().join("manifest.toml"),
        "[layers.plots]\nfile = \"elenino.shp.zip\"\n",
    )
    .unwrap();
    let all = check(dir.path());
    assert_eq!(
        all.dataset.layer(LayerKind::Plots).unwrap().features.len(),
        zone.len() + 3
    );
}

#[test]
fn an_ownership_table_is_refused_as_personal_data() {
    let dir = folder("file = \"sobstvenost.shp.zip\"");
    let source = dir.path().join("owners.json");
    std::fs::write(
        &source,
        r#"{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::7801"}},
 "features": [{"type": "Feature", "properties": {"cadnum": "27214.33.1", "egn": "0000000000", "ownname": "Иван Петров"},
 "geometry": {"type": "Polygon", "coordinates": [[[512500,4692400],[512600,4692400],[512600,4692480],[512500,4692400]]]}}]}"#,
    )
    .unwrap();
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-lco",
        "ENCODING=UTF-8",
        dir.path().join("sobstvenost.shp.zip").to_str().unwrap(),
        source.to_str().unwrap(),
    ]);
    assert_one_error(dir.path(), "sobstvenost", "personal data");
    // The refusal names the fields that make it one, and no owner's data.
    let errs = errors(&check(dir.path()));
    assert!(
        errs[0].contains("egn") && !errs[0].contains("Иван"),
        "{}",
        errs[0]
    );
}

#[test]
fn a_broken_zip_is_named() {
    let dir = folder("file = \"zemi.zip\"");
    std::fs::write(
        dir.path().join("zemi.zip"),
        b"PK\x03\x04 this is not a whole archive",
    )
    .unwrap();
    assert_one_error(dir.path(), "zemi.zip", "not a readable ZIP archive");
}

/// A `.shp` with its sidecars in a fresh folder.
fn loose_shapefile() -> tempfile::TempDir {
    let dir = folder("file = \"zemi.shp\"");
    write_shapefile(&plots_geojson(), &dir.path().join("zemi.shp"), AGENCY_SQL);
    dir
}

#[test]
fn a_missing_dbf_is_named() {
    let dir = loose_shapefile();
    std::fs::remove_file(dir.path().join("zemi.dbf")).unwrap();
    assert_one_error(dir.path(), "zemi.dbf", "no attribute table");
}

#[test]
fn a_prj_proj_cannot_identify_is_named() {
    let dir = loose_shapefile();
    let prj = std::fs::read_to_string(dir.path().join("zemi.prj")).unwrap();
    // Another false easting: a CRS PROJ has no code for.
    let moved = prj.replace("500000.0", "400000.0");
    assert_ne!(prj, moved, "{prj}");
    std::fs::write(dir.path().join("zemi.prj"), moved).unwrap();
    assert_one_error(dir.path(), "zemi.prj", "PROJ cannot identify");
}

#[test]
fn a_cpg_naming_an_unknown_encoding_is_named() {
    let dir = loose_shapefile();
    std::fs::write(dir.path().join("zemi.cpg"), "KOI8-R").unwrap();
    assert_one_error(dir.path(), "zemi.cpg", "KOI8-R");
}

#[test]
fn select_keeps_only_the_plots_listed_and_warns_of_one_the_file_lacks() {
    let dir = folder(
        "file = \"zemi.shp.zip\"\nselect = [\"27214.33.1\", \"27214.33.7\", \"27214.99.1\"]",
    );
    write_shapefile(
        &plots_geojson(),
        &dir.path().join("zemi.shp.zip"),
        AGENCY_SQL,
    );
    let checked = check(dir.path());
    assert!(errors(&checked).is_empty(), "{:#?}", checked.problems);
    let mut ids: Vec<&str> = checked
        .dataset
        .layer(LayerKind::Plots)
        .unwrap()
        .features
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, ["27214.33.1", "27214.33.7"]);
    let warnings: Vec<String> = checked.problems.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("zemi.shp.zip") && w.contains("27214.99.1")),
        "{warnings:#?}"
    );
}

#[test]
fn a_records_problem_names_the_file_the_record_and_the_field() {
    let dir = folder("file = \"zemi.shp.zip\"");
    // The third plot's status is not one the card knows, the fifth's identifier is malformed.
    let mut plots: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plots_geojson()).unwrap()).unwrap();
    let features = plots["features"].as_array_mut().unwrap();
    features[2]["properties"]["status"] = "gone".into();
    features[4]["properties"]["cadastral_id"] = "68850.0520.105".into();
    let source = dir.path().join("edited.json");
    std::fs::write(&source, plots.to_string()).unwrap();
    write_shapefile(&source, &dir.path().join("zemi.shp.zip"), AGENCY_SQL);
    std::fs::remove_file(&source).unwrap();
    let errs = errors(&check(dir.path()));
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs.iter()
            .any(|e| e.contains("zemi.shp.zip: record 3 (68850.520.103): field `status`")),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("zemi.shp.zip: record 5 (68850.0520.105): field `cadastral_id`")),
        "{errs:#?}"
    );
}
