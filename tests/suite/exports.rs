//! The exports of the items endpoints (`?f=csv|xlsx|kml|kmz|gpkg`, issue 16), read back with
//! readers that share nothing with the writers: Python's `csv` module, `openpyxl` (in a
//! virtual environment under `target/`), GDAL's `ogr2ogr`/`ogrinfo` for KML, KMZ and the
//! GeoPackage. Identifiers, areas and vertices must be those of the API's GeoJSON. A missing
//! tool fails the test saying how to install it.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{spawn_app, spawn_app_with, test_config, TestApp};
use serde_json::Value;

fn need(tool: &str, install: &str) {
    common::need_tool(tool, "to read the exports back", install);
}

fn gdal() {
    need("ogr2ogr", "bash scripts/setup.sh clients");
    need("ogrinfo", "bash scripts/setup.sh clients");
}

/// A Python with openpyxl: target/export-venv, made (and openpyxl installed from PyPI) when
/// missing, as scripts/ogc-clients.sh does for its tools.
fn python_with_openpyxl() -> PathBuf {
    need("python3", "apt-get install python3 python3-venv");
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-venv");
    let python = venv.join("bin/python3");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import openpyxl"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has(&python) {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            made,
            "cannot make a virtual environment at {}: install python3-venv (apt-get install python3-venv)",
            venv.display()
        );
        let installed = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "openpyxl",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed && has(&python),
            "cannot install openpyxl: run {}/bin/pip install openpyxl",
            venv.display()
        );
    }
    python
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("the reader runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The download's bytes, after checking its status, media type and file name.
async fn download(app: &TestApp, path: &str, media: &str, file: &str) -> Vec<u8> {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "{path}");
    let headers = resp.headers().clone();
    assert!(
        headers["content-type"].to_str().unwrap().starts_with(media),
        "{path}: {:?}",
        headers["content-type"]
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"{file}\""));
    resp.bytes().await.unwrap().to_vec()
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// GDAL's reading of a file, as GeoJSON features.
fn ogr_features(path: &str) -> Vec<Value> {
    let text = run(Command::new("ogr2ogr").args(["-f", "GeoJSON", "/vsistdout/", path]));
    let v: Value = serde_json::from_str(&text).expect("ogr2ogr wrote GeoJSON");
    v["features"].as_array().unwrap().clone()
}

/// The API's GeoJSON of the plots a query selects.
async fn geojson(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = app
        .get_json(&format!("/collections/plots/items?limit=1000{query}"))
        .await;
    assert_eq!(status, 200, "{page}");
    page["features"].as_array().unwrap().clone()
}

/// The exterior ring of a Polygon, or of a MultiPolygon's first polygon.
fn exterior(geometry: &Value) -> Vec<(f64, f64)> {
    let rings = match geometry["type"].as_str() {
        Some("Polygon") => &geometry["coordinates"],
        Some("MultiPolygon") => &geometry["coordinates"][0],
        other => panic!("not a polygon: {other:?}"),
    };
    rings[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

/// GDAL's features match the API's: the same ids in the same order, the same areas, the
/// same vertices (to 1e-9°, about 0.1 mm).
fn same_as_geojson(read: &[Value], id_field: &str, api: &[Value], what: &str) {
    let ids: Vec<&str> = read
        .iter()
        .map(|f| f["properties"][id_field].as_str().unwrap())
        .collect();
    let want: Vec<&str> = api.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, want, "{what}: identifiers");
    for (r, a) in read.iter().zip(api) {
        let id = a["id"].as_str().unwrap();
        let area = &r["properties"]["area_m2"];
        let area = area
            .as_f64()
            .or_else(|| area.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or_else(|| panic!("{what} {id}: no area_m2 in {}", r["properties"]));
        assert_eq!(
            area,
            a["properties"]["area_m2"].as_f64().unwrap(),
            "{what} {id}"
        );
        let (got, expected) = (exterior(&r["geometry"]), exterior(&a["geometry"]));
        assert_eq!(got.len(), expected.len(), "{what} {id}: vertices");
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                (g.0 - e.0).abs() < 1e-9 && (g.1 - e.1).abs() < 1e-9,
                "{what} {id}: {g:?} vs {e:?}"
            );
        }
    }
}

#[tokio::test]
async fn csv_has_a_bom_and_a_row_per_filtered_plot_with_its_card_and_distances() {
    need("python3", "apt-get install python3");
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let api = geojson(&app, "&status=available").await;
    assert!(api.len() >= 2, "the bundled data has available plots");
    let bytes = download(
        &app,
        "/collections/plots/items?f=csv&status=available",
        "text/csv",
        "plots.csv",
    )
    .await;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let path = save(dir.path(), "plots.csv", &bytes);
    let script = "import csv, json, sys\nwith open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n    print(json.dumps(list(csv.DictReader(f)), ensure_ascii=False))";
    let rows: Vec<Value> = serde_json::from_str(&run(Command::new("python3")
        .args(["-c", script])
        .arg(&path)))
    .unwrap();
    assert_eq!(rows.len(), api.len());
    for (row, feature) in rows.iter().zip(&api) {
        let card = &feature["properties"];
        assert_eq!(row["id"], feature["id"]);
        assert_eq!(row["status"], "available");
        assert_eq!(row["upi"], card["upi"], "УПИ in Cyrillic survives");
        for number in ["area_m2", "interchange_road_m", "interchange_drive_min"] {
            let cell: f64 = row[number].as_str().unwrap().parse().unwrap();
            assert_eq!(cell, card[number].as_f64().unwrap(), "{number}");
        }
    }
    // One plot.
    let id = api[0]["id"].as_str().unwrap();
    let one = download(
        &app,
        &format!("/collections/plots/items/{id}?f=csv"),
        "text/csv",
        &format!("plots-{id}.csv"),
    )
    .await;
    let one = String::from_utf8(one).unwrap();
    assert_eq!(one.lines().count(), 2);
    assert!(one.lines().nth(1).unwrap().starts_with(id));
}

#[tokio::test]
async fn xlsx_stores_numbers_as_numbers_and_reads_back_in_openpyxl() {
    let python = python_with_openpyxl();
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let api = geojson(&app, "").await;
    let bytes = download(
        &app,
        "/collections/plots/items?f=xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "plots.xlsx",
    )
    .await;
    let path = save(dir.path(), "plots.xlsx", &bytes);
    let script = "import json, sys, openpyxl\nws = openpyxl.load_workbook(sys.argv[1]).active\nprint(json.dumps({'title': ws.title, 'rows': [list(r) for r in ws.iter_rows(values_only=True)]}, ensure_ascii=False, default=str))";
    let book: Value =
        serde_json::from_str(&run(Command::new(&python).args(["-c", script]).arg(&path))).unwrap();
    assert_eq!(book["title"], "plots");
    let rows = book["rows"].as_array().unwrap();
    let header: Vec<&str> = rows[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(rows.len(), api.len() + 1);
    for (row, feature) in rows[1..].iter().zip(&api) {
        let card = &feature["properties"];
        assert_eq!(row[col("id")], feature["id"]);
        assert_eq!(row[col("upi")], card["upi"]);
        for number in [
            "area_m2",
            "declared_area_m2",
            "interchange_road_m",
            "interchange_drive_min",
        ] {
            assert!(row[col(number)].is_number(), "{number} is a number cell");
            assert_eq!(row[col(number)].as_f64(), card[number].as_f64(), "{number}");
        }
        assert_eq!(row[col("has_power")], card["has_power"], "a boolean cell");
    }
}

#[tokio::test]
async fn kml_kmz_and_geopackage_read_back_in_gdal_as_the_api_serves_them() {
    gdal();
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let api = geojson(&app, "").await;

    let kml = download(
        &app,
        "/collections/plots/items?f=kml",
        "application/vnd.google-earth.kml+xml",
        "plots.kml",
    )
    .await;
    let text = String::from_utf8(kml.clone()).unwrap();
    assert!(text.contains("<styleUrl>#status-sold</styleUrl>"));
    assert!(text.contains("<styleUrl>#status-available</styleUrl>"));
    let kml = save(dir.path(), "plots.kml", &kml);
    let read = ogr_features(kml.to_str().unwrap());
    same_as_geojson(&read, "Name", &api, "KML");
    for f in &read {
        let description = f["properties"]["description"].as_str().unwrap();
        assert!(description.contains("<th>area_m2</th>"), "{description}");
    }

    let kmz = download(
        &app,
        "/collections/plots/items?f=kmz",
        "application/vnd.google-earth.kmz",
        "plots.kmz",
    )
    .await;
    assert!(kmz.starts_with(b"PK"), "a zip archive");
    let kmz = save(dir.path(), "plots.kmz", &kmz);
    same_as_geojson(&ogr_features(kmz.to_str().unwrap()), "Name", &api, "KMZ");

    let gpkg = download(
        &app,
        "/collections/plots/items?f=gpkg",
        "application/geopackage+sqlite3",
        "plots.gpkg",
    )
    .await;
    let gpkg = save(dir.path(), "plots.gpkg", &gpkg);
    let info = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&gpkg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&info.stdout);
    let stderr = String::from_utf8_lossy(&info.stderr);
    assert!(info.status.success(), "{stderr}");
    assert!(
        !stderr.contains("Warning") && !stderr.contains("ERROR"),
        "GDAL finds the GeoPackage valid: {stderr}"
    );
    assert!(stdout.contains("Layer name: plots"), "{stdout}");
    assert!(
        stdout.contains("EPSG\",4326") || stdout.contains("WGS 84"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("Feature Count: {}", api.len())),
        "{stdout}"
    );
    assert!(stdout.contains("area_m2: Real"), "{stdout}");
    assert!(stdout.contains("has_power: Integer(Boolean)"), "{stdout}");
    same_as_geojson(
        &ogr_features(gpkg.to_str().unwrap()),
        "id",
        &api,
        "GeoPackage",
    );

    // One plot, and a bbox selection.
    let id = api[0]["id"].as_str().unwrap();
    let one = download(
        &app,
        &format!("/collections/plots/items/{id}?f=gpkg"),
        "application/geopackage+sqlite3",
        &format!("plots-{id}.gpkg"),
    )
    .await;
    let one = save(dir.path(), "one.gpkg", &one);
    same_as_geojson(
        &ogr_features(one.to_str().unwrap()),
        "id",
        &api[..1],
        "one plot's GeoPackage",
    );
    let lon = api[0]["properties"]["inside_lon"].as_f64().unwrap();
    let lat = api[0]["properties"]["inside_lat"].as_f64().unwrap();
    let bbox = format!(
        "&bbox={},{},{},{}",
        lon - 1e-4,
        lat - 1e-4,
        lon + 1e-4,
        lat + 1e-4
    );
    let near = geojson(&app, &bbox).await;
    assert!(!near.is_empty() && near.len() < api.len());
    let kml = download(
        &app,
        &format!("/collections/plots/items?f=kml{bbox}"),
        "application/vnd.google-earth.kml+xml",
        "plots.kml",
    )
    .await;
    let kml = save(dir.path(), "near.kml", &kml);
    same_as_geojson(
        &ogr_features(kml.to_str().unwrap()),
        "Name",
        &near,
        "bbox KML",
    );
}

#[tokio::test]
async fn markup_in_the_data_stays_text_in_kml() {
    gdal();
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let plots = dir.path().join("plots.geojson");
    let hostile = "<script>alert(1)</script> & <b>bold</b>";
    let text = std::fs::read_to_string(&plots).unwrap();
    std::fs::write(
        &plots,
        text.replace(
            "\"investor\": null",
            &format!("\"investor\": \"{hostile}\""),
        ),
    )
    .unwrap();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..test_config()
    })
    .await;
    let kml = download(
        &app,
        "/collections/plots/items?f=kml",
        "application/vnd.google-earth.kml+xml",
        "plots.kml",
    )
    .await;
    let text = String::from_utf8(kml.clone()).unwrap();
    assert!(!text.contains("<script>") && !text.contains("<b>bold"));
    let path = save(dir.path(), "plots.kml", &kml);
    let read = ogr_features(path.to_str().unwrap());
    let with = read
        .iter()
        .find(|f| f["properties"]["investor"] == hostile)
        .expect("the text comes back as it was, as text");
    let description = with["properties"]["description"].as_str().unwrap();
    assert!(
        description.contains("&lt;script&gt;") && !description.contains("<script>"),
        "the balloon shows the markup as text: {description}"
    );
}

#[tokio::test]
async fn exports_are_linked_refused_politely_and_in_the_api_document() {
    let app = spawn_app().await;
    let (_, page) = app
        .get_json("/collections/plots/items?status=sold&limit=2")
        .await;
    let links = page["links"].as_array().unwrap();
    for (f, media) in [
        ("csv", "text/csv"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("kml", "application/vnd.google-earth.kml+xml"),
        ("kmz", "application/vnd.google-earth.kmz"),
        ("gpkg", "application/geopackage+sqlite3"),
    ] {
        let link = links
            .iter()
            .find(|l| l["rel"] == "alternate" && l["type"] == media)
            .unwrap_or_else(|| panic!("no {f} link in {links:?}"));
        let href = link["href"].as_str().unwrap();
        assert!(href.ends_with(&format!("status=sold&f={f}")), "{href}");
        let resp = app.client.get(href).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{href}");
    }
    let id = page["features"][0]["id"].as_str().unwrap();
    let (_, item) = app
        .get_json(&format!("/collections/plots/items/{id}"))
        .await;
    assert!(item["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "alternate" && l["href"].as_str().unwrap().ends_with("?f=kmz")));

    for (path, status, parameter) in [
        (
            "/collections/plots/items?f=csv&crs=http://www.opengis.net/def/crs/EPSG/0/7801",
            400,
            Some("crs"),
        ),
        ("/collections/plots/items?f=kml&limit=0", 400, Some("limit")),
        (
            "/collections/plots/items?f=gpkg&colour=red",
            400,
            Some("colour"),
        ),
        ("/collections/plots/items/68850.999.999?f=kml", 404, None),
        ("/collections/nothing/items?f=csv", 404, None),
    ] {
        let (got, body) = app.get_json(path).await;
        assert_eq!(got, status, "{path}: {body}");
        if let Some(p) = parameter {
            assert_eq!(body["parameter"], p, "{path}: {body}");
        }
    }

    let (_, doc) = app.get_json("/api").await;
    let op = &doc["paths"]["/collections/plots/items"]["get"];
    let content = &op["responses"]["200"]["content"];
    for media in [
        "text/csv",
        "application/geopackage+sqlite3",
        "application/vnd.google-earth.kmz",
    ] {
        assert!(content.get(media).is_some(), "{media} in {content}");
    }
    let f = &doc["components"]["parameters"]["f-items"]["schema"]["enum"];
    assert_eq!(
        f,
        &serde_json::json!(["json", "csv", "kml", "kmz", "xlsx", "gpkg"])
    );
}

#[tokio::test]
async fn kml_status_colours_are_the_map_style_ones() {
    let app = spawn_app().await;
    let (_, style) = app.get_json("/style.json").await;
    let served = style["metadata"]["zagore:status-colours"]
        .as_array()
        .unwrap();
    assert_eq!(served.len(), 4, "{served:?}");
    let kml = String::from_utf8(
        download(
            &app,
            "/collections/plots/items?f=kml",
            "application/vnd.google-earth.kml+xml",
            "plots.kml",
        )
        .await,
    )
    .unwrap();
    for entry in served {
        let (status, colour) = (
            entry["status"].as_str().unwrap(),
            entry["colour"].as_str().unwrap(),
        );
        // KML writes `#rrggbb` as `aabbggrr`.
        let (r, g, b) = (&colour[1..3], &colour[3..5], &colour[5..7]);
        let style = format!("<Style id=\"status-{status}\"><LineStyle><color>ff{b}{g}{r}</color>");
        assert!(kml.contains(&style), "{style} not in the KML");
    }
}
