//! Property tests: the GeoJSON reader, the identifier, bbox and CRS parsers, and every query
//! endpoint never panic and never answer 5xx, whatever they are given.

use crate::common;

use std::sync::OnceLock;

use proptest::prelude::*;
use zagore::geodata::{CadastralId, Crs, Dataset};
use zagore::index::BBox;

fn init() {
    static PROJ: OnceLock<()> = OnceLock::new();
    PROJ.get_or_init(|| zagore::geodata::crs::init_proj(&zagore::Config::default()).unwrap());
}

fn check_bytes(bytes: &[u8]) -> bool {
    init();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plots.geojson"), bytes).unwrap();
    // Must come back (with or without problems), never panic.
    Dataset::check(dir.path())
        .map(|c| c.has_errors())
        .unwrap_or(true)
}

fn bundled_plots() -> &'static [u8] {
    static PLOTS: OnceLock<Vec<u8>> = OnceLock::new();
    PLOTS.get_or_init(|| std::fs::read(common::bundled_geodata().join("plots.geojson")).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cadastral_id_parser_never_panics(s in ".{0,40}") {
        let _ = s.parse::<CadastralId>();
    }

    #[test]
    fn valid_cadastral_ids_round_trip(
        ekatte in 10000u32..99999, region in 1u32..9999, plot in 1u32..9999,
        building in proptest::option::of(1u32..999), unit in 1u32..999,
    ) {
        let text = match building {
            Some(b) => format!("{ekatte}.{region}.{plot}.{b}.{unit}"),
            None => format!("{ekatte}.{region}.{plot}"),
        };
        let id: CadastralId = text.parse().unwrap();
        prop_assert_eq!(id.to_string(), text);
    }

    #[test]
    fn bbox_and_crs_parsers_never_panic(s in ".{0,60}", nums in proptest::collection::vec(any::<f64>(), 0..6)) {
        let _ = BBox::parse(&s, true);
        let joined = nums.iter().map(f64::to_string).collect::<Vec<_>>().join(",");
        if let Ok(b) = BBox::parse(&joined, true) {
            prop_assert!(b.west <= b.east && b.south <= b.north);
        }
        let _ = s.parse::<Crs>();
    }

    #[test]
    fn the_reader_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        prop_assert!(check_bytes(&bytes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Truncated or corrupted copies of the real file: reported, never a panic; a cut file is
    /// always an error (half-written data must never pass as good).
    #[test]
    fn the_reader_survives_damaged_real_files(
        cut in 0usize..100_000, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        let mut bytes = bundled_plots().to_vec();
        // Cut before the closing bracket (trailing white space does not count).
        let content = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).unwrap();
        let cut = cut % content;
        let truncated = check_bytes(&bytes[..cut]);
        prop_assert!(truncated, "a file cut at byte {} passed as good", cut);
        for (at, byte) in flips {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        let _ = check_bytes(&bytes);
    }
}

/// Query strings of random names and values against every GET endpoint that takes them.
fn query_strategy() -> impl Strategy<Value = (usize, Vec<(String, String)>)> {
    let name = prop_oneof![
        Just("bbox".to_string()),
        Just("bbox-crs".to_string()),
        Just("crs".to_string()),
        Just("limit".to_string()),
        Just("offset".to_string()),
        Just("f".to_string()),
        Just("lon".to_string()),
        Just("lat".to_string()),
        Just("q".to_string()),
        Just("status".to_string()),
        Just("stage".to_string()),
        Just("filter".to_string()),
        Just("filter-lang".to_string()),
        Just("filter-crs".to_string()),
        "[a-z%]{1,8}",
    ];
    let value = prop_oneof![
        "-?[0-9]{1,12}(\\.[0-9]{0,20})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-1e400".to_string()),
        Just("25.6,42.3,25.7,42.4".to_string()),
        Just("EPSG:7801".to_string()),
        Just("http://www.opengis.net/def/crs/EPSG/0/999999".to_string()),
        Just("cql2-json".to_string()),
        cql2_soup(),
        ".{0,30}",
    ];
    (
        0usize..ENDPOINTS.len(),
        proptest::collection::vec((name, value), 0..5),
    )
}

const ENDPOINTS: [&str; 12] = [
    "/collections/plots/items",
    "/collections/roads/items",
    "/collections/plots/items/27214.33.1",
    "/collections/plots/queryables",
    "/collections",
    "/plots/at",
    "/plots/search",
    "/distances",
    "/plots/27214.33.1/distances",
    "/plots/distances.csv",
    "/",
    "/api",
];

#[test]
fn no_query_string_gets_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    runner
        .run(&query_strategy(), |(endpoint, pairs)| {
            let query: String = pairs
                .iter()
                .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let path = format!("{}?{query}", ENDPOINTS[endpoint]);
            let (status, content_type) = runtime.block_on(async {
                let resp = app.get(&path).await;
                let ct = resp
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap_or("").to_string());
                (resp.status(), ct.unwrap_or_default())
            });
            prop_assert!(status.as_u16() < 500, "{} answered {}", path, status);
            if status.is_client_error() {
                prop_assert_eq!(content_type, "application/problem+json", "{}", path);
            }
            Ok(())
        })
        .unwrap();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b',' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Strings made of CQL2's own tokens (text and JSON), in any order: mostly not filters, some
/// nearly so, a few valid.
fn cql2_soup() -> impl Strategy<Value = String> {
    const TOKENS: [&str; 44] = [
        "stage",
        "area_m2",
        "status",
        "geometry",
        "price_eur_m2",
        "colour",
        "=",
        "<>",
        "<",
        ">=",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "'sold'",
        "2",
        "-",
        "1e400",
        "LIKE",
        "'%a_\\'",
        "IN",
        "BETWEEN",
        "IS",
        "NULL",
        "S_INTERSECTS",
        "S_WITHIN",
        "BBOX",
        "POINT",
        "POLYGON",
        ",",
        "25.6",
        "42.3",
        "true",
        "{",
        "}",
        "[",
        "]",
        "\"op\"",
        ":",
        "\"args\"",
        "{\"property\"",
        "CASEI",
        "''",
    ];
    proptest::collection::vec(0..TOKENS.len(), 0..24).prop_map(|picks| {
        picks
            .into_iter()
            .map(|i| TOKENS[i])
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// `filter` (text and JSON, in either CRS) never gets a 5xx: a filter is answered or refused.
#[test]
fn no_filter_gets_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    let strategy = (
        cql2_soup(),
        prop_oneof![Just(""), Just("&filter-lang=cql2-json")],
        prop_oneof![Just(""), Just("&filter-crs=EPSG:7801")],
    );
    runner
        .run(&strategy, |(filter, lang, crs)| {
            let path = format!(
                "/collections/plots/items?filter={}{lang}{crs}",
                urlencode(&filter)
            );
            let status = runtime.block_on(async { app.get(&path).await.status() });
            prop_assert!(status.as_u16() < 500, "{} answered {}", path, status);
            Ok(())
        })
        .unwrap();
}
