//! Reprojection agrees with PROJ's own `cs2cs` to the millimetre, on control points whose
//! expected values were computed with `cs2cs` (tests/data/cs2cs_control_points.tsv, made by
//! `bash tools/control_points.sh`).

use zagore::geodata::{Crs, Transform};

struct ControlPoint {
    e7801: f64,
    n7801: f64,
    lon: f64,
    lat: f64,
    merc: (f64, f64),
    utm: (f64, f64),
}

fn control_points() -> Vec<ControlPoint> {
    let text = include_str!("../data/cs2cs_control_points.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let v: Vec<f64> = l.split('\t').map(|x| x.parse().unwrap()).collect();
            ControlPoint {
                e7801: v[0],
                n7801: v[1],
                lon: v[2],
                lat: v[3],
                merc: (v[4], v[5]),
                utm: (v[6], v[7]),
            }
        })
        .collect()
}

/// Metres per degree of latitude/longitude here, generous on the safe side for the check.
fn degrees_to_metres(dlon: f64, dlat: f64, lat: f64) -> f64 {
    let m_lat = 111_320.0;
    let m_lon = 111_320.0 * lat.to_radians().cos();
    ((dlon * m_lon).powi(2) + (dlat * m_lat).powi(2)).sqrt()
}

#[test]
fn cadastral_to_wgs84_matches_cs2cs_to_the_millimetre() {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    let t = Transform::new(&Crs::Epsg(7801), &Crs::Epsg(4326)).unwrap();
    let points = control_points();
    assert!(points.len() >= 9);
    for p in points {
        let (lon, lat) = t.apply(p.e7801, p.n7801).unwrap();
        // cs2cs printed 10 decimals of a degree (~0.01 mm), so 1 mm is a real bound.
        let err = degrees_to_metres(lon - p.lon, lat - p.lat, p.lat);
        assert!(err < 0.001, "({}, {}): off by {err} m", p.e7801, p.n7801);
    }
}

#[test]
fn wgs84_to_cadastral_round_trips_to_the_millimetre() {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    let t = Transform::new(&Crs::Epsg(4326), &Crs::Epsg(7801)).unwrap();
    for p in control_points() {
        let (e, n) = t.apply(p.lon, p.lat).unwrap();
        let err = ((e - p.e7801).powi(2) + (n - p.n7801).powi(2)).sqrt();
        assert!(err < 0.001, "({}, {}): off by {err} m", p.lon, p.lat);
    }
}

#[test]
fn cadastral_to_web_mercator_and_utm_match_cs2cs() {
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    let merc = Transform::new(&Crs::Epsg(7801), &Crs::Epsg(3857)).unwrap();
    let utm = Transform::new(&Crs::Epsg(7801), &Crs::Epsg(32635)).unwrap();
    for p in control_points() {
        let (x, y) = merc.apply(p.e7801, p.n7801).unwrap();
        assert!(
            (x - p.merc.0).abs() < 0.001 && (y - p.merc.1).abs() < 0.001,
            "3857 {x} {y}"
        );
        let (x, y) = utm.apply(p.e7801, p.n7801).unwrap();
        assert!(
            (x - p.utm.0).abs() < 0.001 && (y - p.utm.1).abs() < 0.001,
            "32635 {x} {y}"
        );
    }
}

#[test]
fn the_facts_files_check_value_holds() {
    // geodata-facts.md: Stara Zagora centre (42.4258 N, 25.6345 E) ≈ N 4 698 942, E 511 065.
    zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap();
    let t = Transform::new(&Crs::Epsg(4326), &Crs::Epsg(7801)).unwrap();
    let (e, n) = t.apply(25.6345, 42.4258).unwrap();
    assert!(
        (e - 511_065.0).abs() < 5.0 && (n - 4_698_942.0).abs() < 5.0,
        "{e} {n}"
    );
}
