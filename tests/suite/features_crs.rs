//! OGC API – Features Part 2 over HTTP: `crs=` output against PROJ's own `cs2cs` (reference
//! values in tests/data/cs2cs_plot_vertices.tsv, made by `python3 tools/feature_reference.py`),
//! each CRS in its authority axis order, EPSG:7801 exactly as the source, and `bbox-crs`.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::{bundled_geodata, spawn_app, TestApp};
use serde_json::Value;

struct Vertex {
    id: String,
    index: usize,
    /// The source coordinates, easting first as in the file.
    e7801: f64,
    n7801: f64,
    /// cs2cs output per CRS, in that CRS's authority axis order.
    by_crs: BTreeMap<u32, (f64, f64)>,
}

fn vertices() -> Vec<Vertex> {
    include_str!("../data/cs2cs_plot_vertices.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let f = |i: usize| c[i].parse::<f64>().unwrap();
            let by_crs = BTreeMap::from([
                (4326, (f(4), f(5))),
                (3857, (f(6), f(7))),
                (32635, (f(8), f(9))),
                (3035, (f(10), f(11))),
            ]);
            Vertex {
                id: c[0].to_string(),
                index: c[1].parse().unwrap(),
                e7801: f(2),
                n7801: f(3),
                by_crs,
            }
        })
        .collect()
}

/// Every plot's exterior ring as served with `crs` (all pages), by id.
async fn rings(app: &TestApp, crs: &str) -> BTreeMap<String, Vec<(f64, f64)>> {
    let resp = app
        .get(&format!("/collections/plots/items?limit=10000&crs={crs}"))
        .await;
    assert_eq!(resp.status(), 200, "crs={crs}");
    let header = resp.headers()["content-crs"].to_str().unwrap().to_string();
    let page: Value = resp.json().await.unwrap();
    let uri = if crs.starts_with("http") {
        crs.to_string()
    } else {
        format!(
            "http://www.opengis.net/def/crs/EPSG/0/{}",
            crs.trim_start_matches("EPSG:")
        )
    };
    assert_eq!(header, format!("<{uri}>"));
    page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let ring = f["geometry"]["coordinates"][0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect();
            (f["id"].as_str().unwrap().to_string(), ring)
        })
        .collect()
}

#[tokio::test]
async fn epsg_7801_output_is_the_source_northing_first() {
    let app = spawn_app().await;
    let served = rings(&app, "http://www.opengis.net/def/crs/EPSG/0/7801").await;
    let refs = vertices();
    assert_eq!(refs.len(), served.values().map(Vec::len).sum::<usize>());
    for v in &refs {
        let (first, second) = served[&v.id][v.index];
        // EPSG:7801's axes are northing, easting; the values are the file's, not a round trip.
        assert!(
            (first - v.n7801).abs() < 0.0005 && (second - v.e7801).abs() < 0.0005,
            "{} #{}: {first},{second}",
            v.id,
            v.index
        );
    }
    // Every other layer too: the raw file coordinates, swapped.
    for layer in ["stages", "roads", "rail", "poi"] {
        let text =
            std::fs::read_to_string(bundled_geodata().join(format!("{layer}.geojson"))).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        let (_, page) = app
            .get_json(&format!(
                "/collections/{layer}/items?limit=10000&crs=EPSG:7801"
            ))
            .await;
        let served: BTreeMap<String, Value> = page["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["geometry"]["coordinates"].clone(),
                )
            })
            .collect();
        for f in file["features"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            let (mut want, mut got) = (Vec::new(), Vec::new());
            flatten(&f["geometry"]["coordinates"], &mut want);
            flatten(&served[id], &mut got);
            assert_eq!(want.len(), got.len(), "{layer} {id}");
            for (w, g) in want.iter().zip(&got) {
                assert!(
                    (w.0 - g.1).abs() < 0.0005 && (w.1 - g.0).abs() < 0.0005,
                    "{layer} {id}"
                );
            }
        }
    }
}

fn flatten(v: &Value, out: &mut Vec<(f64, f64)>) {
    let list = v.as_array().unwrap();
    if list.first().is_some_and(Value::is_number) {
        out.push((list[0].as_f64().unwrap(), list[1].as_f64().unwrap()));
    } else {
        list.iter().for_each(|x| flatten(x, out));
    }
}

#[tokio::test]
async fn output_crs_matches_cs2cs_in_each_authority_axis_order() {
    let app = spawn_app().await;
    let refs = vertices();
    // Metres per degree here, on the generous side: 1e-8° is about a millimetre.
    for (code, tolerance) in [
        (4326u32, 1e-8),
        (3857, 0.001),
        (32635, 0.001),
        (3035, 0.001),
    ] {
        let served = rings(&app, &format!("EPSG:{code}")).await;
        for v in &refs {
            let got = served[&v.id][v.index];
            let want = v.by_crs[&code];
            assert!(
                (got.0 - want.0).abs() < tolerance && (got.1 - want.1).abs() < tolerance,
                "EPSG:{code} {} #{}: got {got:?}, cs2cs {want:?}",
                v.id,
                v.index
            );
        }
    }
    // CRS84 (also the default) is longitude, latitude: EPSG:4326's pair the other way round.
    for crs in ["http://www.opengis.net/def/crs/OGC/1.3/CRS84", ""] {
        let served = if crs.is_empty() {
            let (_, page) = app.get_json("/collections/plots/items?limit=10000").await;
            page["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["id"].as_str().unwrap().to_string(),
                        f["geometry"]["coordinates"][0]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<BTreeMap<_, _>>()
        } else {
            rings(&app, crs).await
        };
        for v in &refs {
            let (lon, lat) = served[&v.id][v.index];
            let (ref_lat, ref_lon) = v.by_crs[&4326];
            assert!(
                (lon - ref_lon).abs() < 1e-8 && (lat - ref_lat).abs() < 1e-8,
                "{crs:?} {}",
                v.id
            );
        }
    }
}

#[tokio::test]
async fn every_listed_crs_is_served_and_no_other() {
    let app = spawn_app().await;
    let (_, c) = app.get_json("/collections/plots").await;
    for crs in c["crs"].as_array().unwrap() {
        let crs = crs.as_str().unwrap();
        let resp = app
            .get(&format!("/collections/plots/items/27214.33.1?crs={crs}"))
            .await;
        assert_eq!(resp.status(), 200, "{crs}");
        assert_eq!(
            resp.headers()["content-crs"].to_str().unwrap(),
            format!("<{crs}>")
        );
    }
    // A listed CRS in its other spellings: URN, safe CURIE, short code.
    for crs in ["urn:ogc:def:crs:EPSG::3035", "[EPSG:3035]", "EPSG:3035"] {
        let resp = app
            .get(&format!("/collections/plots/items/27214.33.1?crs={crs}"))
            .await;
        assert_eq!(resp.status(), 200, "{crs}");
    }
    // PROJ knows these, but they are not listed: refused, naming the parameter, with the list.
    for crs in ["[EPSG:28405]", "EPSG:2100", "urn:ogc:def:crs:EPSG::3034"] {
        for (path, name) in [
            ("/collections/plots/items/27214.33.1?crs=", "crs"),
            ("/collections/plots/items?crs=", "crs"),
            (
                "/collections/plots/items?bbox=1,2,3,4&bbox-crs=",
                "bbox-crs",
            ),
        ] {
            let (status, body) = app.get_json(&format!("{path}{crs}")).await;
            assert_eq!(status, 400, "{path}{crs}: {body}");
            assert_eq!(body["parameter"], name, "{body}");
            assert!(
                body["detail"].as_str().unwrap().contains("EPSG/0/7801"),
                "{body}"
            );
        }
    }
}

/// Regression: `crs=[ +proj=merc +type=crs]` (a space after the bracket) passed a check on the
/// text and was answered in that CRS; with `+nadgrids=` naming a path, PROJ opened the file
/// (a FIFO there blocked the workers). The check is now on the parsed CRS, against the list.
#[tokio::test]
async fn proj_strings_in_crs_are_refused_however_they_are_spelled() {
    let app = spawn_app().await;
    // A FIFO: were PROJ to open it, the request would block rather than answer.
    let fifo = std::env::temp_dir().join(format!("zagore-nadgrids-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.map(|s| s.success()).unwrap_or(false), "mkfifo");
    let spellings = [
        "[ +proj=merc +type=crs]".to_string(),
        "[+proj=merc +type=crs]".to_string(),
        " +proj=merc".to_string(),
        format!(
            "[ +proj=longlat +ellps=GRS80 +nadgrids={} +type=crs]",
            fifo.display()
        ),
    ];
    for crs in &spellings {
        let q: String = crs.bytes().map(|b| format!("%{b:02X}")).collect();
        for (path, name) in [
            ("/collections/plots/items/27214.33.1?crs=", "crs"),
            ("/collections/plots/items?crs=", "crs"),
            (
                "/collections/plots/items?bbox=1,2,3,4&bbox-crs=",
                "bbox-crs",
            ),
        ] {
            let resp = app.get(&format!("{path}{q}")).await;
            assert_eq!(resp.status(), 400, "{path}{crs}");
            assert!(resp.headers().get("content-crs").is_none(), "{crs}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["parameter"], name, "{body}");
        }
    }
    // The service still answers at once.
    assert_eq!(app.get("/health").await.status(), 200);
    let _ = std::fs::remove_file(&fifo);
}

#[tokio::test]
async fn bbox_in_other_crss_selects_the_same_plots() {
    let app = spawn_app().await;
    let refs = vertices();
    let all: BTreeSet<String> = refs.iter().map(|v| v.id.clone()).collect();
    for id in &all {
        let ring: Vec<&Vertex> = refs.iter().filter(|v| &v.id == id).collect();
        // The mean of the vertices lies inside each of these plots (convex or nearly so);
        // a 2 m box around it in EPSG:7801 (northing, easting order) must find the plot.
        let n = ring.len() as f64 - 1.0; // the closing vertex repeats the first
        let e = ring[..ring.len() - 1].iter().map(|v| v.e7801).sum::<f64>() / n;
        let nn = ring[..ring.len() - 1].iter().map(|v| v.n7801).sum::<f64>() / n;
        let (_, page) = app.get_json(&format!("/collections/plots/items?bbox={},{},{},{}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/7801", nn - 1.0, e - 1.0, nn + 1.0, e + 1.0)).await;
        let ids: Vec<&str> = page["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&id.as_str()), "{id}: {ids:?}");
    }
    // The box of every Stage 2 vertex in EPSG:3857 (from cs2cs) finds exactly Stage 2, and
    // the same box in EPSG:4326 (latitude first) and EPSG:7801 (northing first) agree.
    let stage2: BTreeSet<String> = all
        .iter()
        .filter(|id| id.starts_with("27214."))
        .cloned()
        .collect();
    let boxed = |code: u32| {
        let pts: Vec<(f64, f64)> = refs
            .iter()
            .filter(|v| stage2.contains(&v.id))
            .map(|v| {
                if code == 7801 {
                    (v.n7801, v.e7801)
                } else {
                    v.by_crs[&code]
                }
            })
            .collect();
        let min0 = pts.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        let min1 = pts.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let max0 = pts.iter().map(|p| p.0).fold(f64::MIN, f64::max);
        let max1 = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        format!("{min0},{min1},{max0},{max1}")
    };
    for code in [3857, 4326, 7801, 32635, 3035] {
        let (status, page) = app
            .get_json(&format!(
                "/collections/plots/items?limit=100&bbox={}&bbox-crs=EPSG:{code}",
                boxed(code)
            ))
            .await;
        assert_eq!(status, 200);
        let ids: BTreeSet<String> = page["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, stage2, "bbox-crs=EPSG:{code}");
    }
    // A box in EPSG:4326 given longitude first is somewhere else entirely (central Saudi Arabia): nothing.
    let (status, page) = app
        .get_json("/collections/plots/items?bbox=25.64,42.36,25.66,42.38&bbox-crs=EPSG:4326")
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["numberMatched"], 0);
}

/// Regression: a box far larger than its CRS's domain (±10⁹ m around the zone in
/// EPSG:7801) found no plot at all — its outline wrapped round the Earth on the way to
/// longitude/latitude — and in UTM it was a 400 quoting PROJ. A box that holds every plot
/// finds every plot, in every listed CRS.
#[tokio::test]
async fn a_box_larger_than_its_crs_finds_every_plot_not_none() {
    let app = spawn_app().await;
    let (_, all) = app.get_json("/collections/plots/items?limit=1").await;
    let total = all["numberMatched"].as_u64().unwrap();
    assert!(total >= 18);
    for code in [7801, 7800, 3857, 32635, 25835, 3035, 9391] {
        for size in ["1e7", "1e9", "1e15"] {
            let path = format!(
                "/collections/plots/items?limit=1&bbox=-{size},-{size},{size},{size}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/{code}"
            );
            let (status, page) = app.get_json(&path).await;
            assert_eq!(status, 200, "{path}: {page}");
            assert_eq!(page["numberMatched"], total, "{path}");
        }
    }
}
