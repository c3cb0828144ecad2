//! Distances of every plot and of chosen points agree with independently computed reference
//! values (tests/data/distance_reference.json, made by tools/distance_reference.py with
//! pyproj's GeographicLib and a brute-force search) to 1 cm; road distances are never
//! shorter than the straight line; routes are real lines along the roads. And the spatial
//! index over the targets' segments gives exactly the answer of searching every segment,
//! for random points and shapes over a synthetic cadastre and for every bundled plot.

use crate::common;

use common::spawn_app;
use geo::{Coord, Distance, Geodesic, Point};
use serde_json::Value;
use zagore::zone::distance::geodesic::{self, Nearest, Shape};
use zagore::zone::distance::SegmentIndex;

const CM: f64 = 0.01;

fn reference() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/distance_reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn lonlat(v: &Value) -> Point {
    Point::new(v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

fn close(what: &str, got: &Value, expected: &Value) {
    let (g, e) = (got.as_f64().unwrap(), expected.as_f64().unwrap());
    assert!(
        (g - e).abs() <= CM,
        "{what}: service {g} m, reference {e} m"
    );
}

/// The reference's values for one plot or point against the service's answer.
fn compare(label: &str, body: &Value, expected: &Value) {
    for target in ["motorway", "interchange", "ring_road", "rail", "station"] {
        let got = &body[target];
        close(
            &format!("{label} {target}"),
            &got["distance_m"],
            &expected[format!("{target}_m")],
        );
        assert_eq!(
            got["feature"],
            expected[format!("{target}_feature")],
            "{label} {target}"
        );
        // The two reported points really are that far apart.
        let between = Geodesic.distance(lonlat(&got["from"]), lonlat(&got["nearest"]));
        close(
            &format!("{label} {target} from→nearest"),
            &Value::from(between),
            &got["distance_m"],
        );
    }
    let interchange = &body["interchange"];
    match expected["interchange_road_m"].as_f64() {
        Some(_) => {
            close(
                &format!("{label} road"),
                &interchange["road_distance_m"],
                &expected["interchange_road_m"],
            );
            close(
                &format!("{label} access"),
                &interchange["access"]["distance_m"],
                &expected["access_m"],
            );
            assert_eq!(
                interchange["access"]["road"]["id"], expected["access_road"],
                "{label}"
            );
        }
        None => {
            assert!(
                interchange["road_distance_m"].is_null(),
                "{label}: {interchange}"
            );
            let reason = interchange["road_reason"].as_str().unwrap();
            assert!(
                reason.contains("no road access within 500 m"),
                "{label}: {reason}"
            );
        }
    }
}

#[tokio::test]
async fn every_plot_matches_the_reference_to_a_centimetre() {
    let app = spawn_app().await;
    let reference = reference();
    let plots = reference["plots"].as_object().unwrap();
    assert_eq!(plots.len(), 18);
    for (id, expected) in plots {
        let (status, body) = app.get_json(&format!("/plots/{id}/distances")).await;
        assert_eq!(status, 200, "{id}: {body}");
        assert_eq!(body["plot"], id.as_str());
        compare(id, &body, expected);
    }
}

#[tokio::test]
async fn points_match_the_reference_and_far_points_say_why_there_is_no_route() {
    let app = spawn_app().await;
    for expected in reference()["points"].as_array().unwrap() {
        let (lon, lat) = (
            expected["lon"].as_f64().unwrap(),
            expected["lat"].as_f64().unwrap(),
        );
        let (status, body) = app
            .get_json(&format!("/distances?lon={lon}&lat={lat}"))
            .await;
        assert_eq!(status, 200, "{body}");
        compare(expected["name"].as_str().unwrap(), &body, expected);
    }
}

#[tokio::test]
async fn road_distance_is_never_shorter_than_the_straight_line_and_follows_the_route() {
    let app = spawn_app().await;
    let (_, table) = app.get_json("/plots/distances").await;
    let data = app.state.zone();
    let interchange = data
        .dataset
        .layer(zagore::geodata::LayerKind::Poi)
        .unwrap()
        .get("poi-interchange")
        .unwrap()
        .lonlat
        .clone();
    let geo::Geometry::Point(interchange) = interchange else {
        panic!("not a point")
    };
    let rows = table["plots"].as_array().unwrap();
    assert_eq!(rows.len(), 18);
    for row in rows {
        let id = row["plot_id"].as_str().unwrap();
        let (_, body) = app.get_json(&format!("/plots/{id}/distances")).await;
        let i = &body["interchange"];
        let straight = i["distance_m"].as_f64().unwrap();
        let road = i["road_distance_m"].as_f64().unwrap();
        assert!(
            road >= straight,
            "{id}: road {road} m < straight {straight} m"
        );
        // The route is a LineString from the plot's nearest point to the interchange, and
        // road_distance_m is its geodesic length.
        assert_eq!(i["route"]["type"], "LineString");
        let coords: Vec<Point> = i["route"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(lonlat)
            .collect();
        assert!(coords.len() >= 3, "{id}");
        let length: f64 = coords
            .windows(2)
            .map(|w| Geodesic.distance(w[0], w[1]))
            .sum();
        assert!(
            (length - road).abs() <= CM,
            "{id}: route {length} m vs {road} m"
        );
        let end = Geodesic.distance(*coords.last().unwrap(), interchange);
        assert!(
            end < 1e-6,
            "{id}: the route ends {end} m from the interchange"
        );
        assert!(Geodesic.distance(coords[0], lonlat(&i["access"]["from"])) < 1e-6);
        // The roads followed add up to the part along the roads, and end on the ring road.
        let roads = i["roads"].as_array().unwrap();
        let along: f64 = roads.iter().map(|r| r["length_m"].as_f64().unwrap()).sum();
        assert!(
            (along - i["along_roads_m"].as_f64().unwrap()).abs() <= CM,
            "{id}"
        );
        assert_eq!(roads.last().unwrap()["ref"], "I-5", "{id}: {roads:?}");
        // The table and the card carry the same numbers, to 0.1 m.
        assert!((row["interchange_road_m"].as_f64().unwrap() - road).abs() <= 0.05 + 1e-9);
        let card = data.distances.summary(id);
        assert_eq!(card["interchange_road_m"], row["interchange_road_m"]);
    }
}

#[tokio::test]
async fn the_table_comes_as_json_and_csv_for_a_spreadsheet() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/plots/distances").await;
    assert_eq!(status, 200);
    let reference = reference();
    for row in body["plots"].as_array().unwrap() {
        let id = row["plot_id"].as_str().unwrap();
        let expected = &reference["plots"][id];
        for key in [
            "motorway_m",
            "interchange_m",
            "ring_road_m",
            "rail_m",
            "station_m",
        ] {
            let (got, want) = (row[key].as_f64().unwrap(), expected[key].as_f64().unwrap());
            assert!(
                (got - want).abs() <= 0.05 + 1e-9,
                "{id} {key}: {got} vs {want}"
            );
        }
        assert!(row["station_name"].as_str().unwrap().starts_with("гара"));
    }
    let resp = app.get("/plots/distances.csv").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = resp.text().await.unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("the CSV starts with a byte-order mark, for Excel");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 19);
    assert!(lines[0].starts_with("plot_id,stage,motorway_m,interchange_m,interchange_road_m"));
    let first: Vec<&str> = lines[1].split(',').collect();
    let id = first[0];
    let motorway: f64 = first[2].parse().unwrap();
    let want = reference["plots"][id]["motorway_m"].as_f64().unwrap();
    assert!(
        (motorway - want).abs() <= 0.05 + 1e-9,
        "{id}: {motorway} vs {want}"
    );
}

#[tokio::test]
async fn bad_ids_and_coordinates_are_problems_naming_the_parameter() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/plots/27214.99.999/distances").await;
    assert_eq!(status, 404, "{body}");
    for (path, parameter) in [
        ("/plots/not-an-id/distances", "id"),
        ("/distances?lat=42.4", "lon"),
        ("/distances?lon=25.6", "lat"),
        ("/distances?lon=abc&lat=42.4", "lon"),
        ("/distances?lon=NaN&lat=42.4", "lon"),
        ("/distances?lon=25.6&lat=inf", "lat"),
        ("/distances?lon=181&lat=42.4", "lon"),
        ("/distances?lon=25.6&lat=-90.5", "lat"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 400, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }
}

/// Shapes to measure to, as the service gathers them: every road (lines) and every POI
/// (lone points), from a data folder.
fn target_shapes(dir: &std::path::Path) -> (zagore::geodata::Dataset, Vec<Shape>) {
    use zagore::geodata::{Dataset, LayerKind};
    let dataset = Dataset::load(dir).unwrap();
    let mut shapes = Vec::new();
    for kind in [LayerKind::Roads, LayerKind::Poi] {
        let mut shape = Shape::default();
        for f in &dataset.layer(kind).unwrap().features {
            match &f.lonlat {
                geo::Geometry::LineString(l) => shape.paths.push(l.0.clone()),
                geo::Geometry::MultiLineString(m) => {
                    shape.paths.extend(m.0.iter().map(|l| l.0.clone()))
                }
                geo::Geometry::Point(p) => shape.paths.push(vec![p.0]),
                _ => {}
            }
        }
        assert!(!shape.is_empty());
        shapes.push(shape);
    }
    (dataset, shapes)
}

/// Every field of the indexed answer equals the whole-shape search's, bit for bit; returns
/// the nearest distance.
fn same_answer(label: &str, index: &SegmentIndex, from: &Shape, to: &Shape, slack_m: f64) -> f64 {
    let key = |n: &Nearest| {
        (
            n.distance_m.to_bits(),
            (n.from.x.to_bits(), n.from.y.to_bits()),
            (n.to.x.to_bits(), n.to.y.to_bits()),
            (n.to_path, n.to_segment, n.to_along_m.to_bits()),
        )
    };
    let everything: Vec<_> = geodesic::nearly_nearest(from, to, slack_m)
        .iter()
        .map(key)
        .collect();
    let indexed: Vec<_> = index
        .nearly_nearest(from, to, slack_m)
        .iter()
        .map(key)
        .collect();
    assert!(!everything.is_empty(), "{label}: nothing found");
    assert_eq!(indexed, everything, "{label}");
    f64::from_bits(everything[0].0)
}

/// A small deterministic generator (xorshift), so a failure names a reproducible case.
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn the_segment_index_finds_what_searching_every_segment_finds() {
    let dir = tempfile::tempdir().unwrap();
    zagore::synth::generate(&zagore::synth::SynthOptions {
        plots: 3_000,
        out: dir.path().to_path_buf(),
        seed: 11,
        shape: Default::default(),
    })
    .unwrap();
    let (dataset, shapes) = target_shapes(dir.path());
    let extent = dataset.extent().unwrap();
    let (w, h) = (extent.width(), extent.height());
    let mut random = Random(0x5eed_1234_abcd_0001);
    let mut crossing = 0;
    for (t, to) in shapes.iter().enumerate() {
        let index = SegmentIndex::build(to);
        for n in 0..150 {
            // Points over the data and a margin around it as wide as the data itself.
            let c = Coord {
                x: extent.min().x - w + 3.0 * w * random.unit(),
                y: extent.min().y - h + 3.0 * h * random.unit(),
            };
            same_answer(
                &format!("target {t}, point {n} {c:?}"),
                &index,
                &Shape::point(c),
                to,
                1.0,
            );
            // A small random triangle there, often crossing a road (distance 0).
            let size = 0.002 * random.unit();
            let ring = vec![
                c,
                Coord {
                    x: c.x + size,
                    y: c.y + 0.3 * size,
                },
                Coord {
                    x: c.x + 0.4 * size,
                    y: c.y + size,
                },
                c,
            ];
            let polygon = geo::Polygon::new(geo::LineString(ring.clone()), vec![]);
            let triangle = Shape {
                paths: vec![ring],
                area: Some(geo::MultiPolygon(vec![polygon])),
            };
            let d = same_answer(
                &format!("target {t}, triangle {n} {c:?}"),
                &index,
                &triangle,
                to,
                1.0,
            );
            crossing += usize::from(d == 0.0);
        }
        // Synthetic plots line the road corridors: edges parallel to roads, many ties.
        let plots = &dataset
            .layer(zagore::geodata::LayerKind::Plots)
            .unwrap()
            .features;
        for plot in plots.iter().step_by(23) {
            let from = Shape::polygonal(&plot.lonlat);
            same_answer(
                &format!("target {t}, plot {}", plot.id),
                &index,
                &from,
                to,
                1.0,
            );
        }
    }
    // The crossing case (distance 0, found in the lon/lat plane) is exercised too.
    assert!(crossing >= 5, "only {crossing} triangles cross a road");
}

#[test]
fn the_segment_index_answers_every_bundled_plot_as_searching_every_segment() {
    let (dataset, shapes) = target_shapes(&common::bundled_geodata());
    for to in &shapes {
        let index = SegmentIndex::build(to);
        for plot in &dataset
            .layer(zagore::geodata::LayerKind::Plots)
            .unwrap()
            .features
        {
            let from = Shape::polygonal(&plot.lonlat);
            same_answer(&format!("plot {}", plot.id), &index, &from, to, 1.0);
            same_answer(
                &format!("plot {} (no slack)", plot.id),
                &index,
                &from,
                to,
                0.0,
            );
        }
    }
}
