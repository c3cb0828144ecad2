//! Reading in windows against reading whole: the reference is the whole file checked to be
//! UTF-8 and parsed at once by `serde_json::from_str`.

use super::*;
use proptest::prelude::*;
use serde_json::Value;

/// The header's members, and every feature's text and line.
type Collected = (Option<String>, Option<Value>, bool, Vec<(String, usize)>);
/// What reading gives: the collection or the problem (message, line), and the hash.
type Outcome = (Result<Collected, (String, usize)>, u64);

/// Reads `bytes` in windows of `block` bytes.
fn windowed(bytes: &[u8], block: usize) -> Outcome {
    let mut seen = Vec::new();
    let (result, hash) = read_in_windows(bytes, block, 7, |raw, first| {
        assert_eq!(first, seen.len(), "windows handed over in order");
        seen.extend(raw.iter().map(|f| (f.text.to_string(), f.line)));
    });
    let result = match result {
        Ok(h) => Ok((h.kind, h.crs, h.has_features, seen)),
        Err(Failure::Invalid { message, line }) => Err((message, line)),
        Err(Failure::Read(e)) => panic!("{e}"),
    };
    (result, hash)
}

/// The reference: the whole file checked to be UTF-8, then parsed at once by
/// `serde_json::from_str` with the same visitor, each feature's line counted from the
/// start of the file.
fn whole(bytes: &[u8]) -> Outcome {
    let hash = end_part(fold_bytes(7, bytes));
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = 1 + newlines(&bytes[..e.valid_up_to()]);
            return (Err((format!("not UTF-8 text: {e}"), line)), hash);
        }
    };
    let mut features = Vec::new();
    let mut at_features = None;
    let visitor = Collection {
        resumed: false,
        members: Members::default(),
        lines: Lines {
            text,
            at: 0,
            line: 1,
        },
        features: &mut features,
        at_features: &mut at_features,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed =
        de::Deserializer::deserialize_map(&mut de, visitor).and_then(|m| de.end().map(|()| m));
    let result = match parsed {
        Ok(m) => {
            let lines = features
                .iter()
                .map(|f| {
                    let at = f.text.as_ptr() as usize - text.as_ptr() as usize;
                    (f.text.to_string(), 1 + newlines(&bytes[..at]))
                })
                .collect();
            Ok((m.kind, m.crs, m.has_features, lines))
        }
        Err(e) => {
            let what = if e.is_data() {
                "not GeoJSON"
            } else {
                "not JSON"
            };
            Err((format!("{what}: {e}"), e.line()))
        }
    };
    (result, hash)
}

const COLLECTION: &str = "{\n\"type\": \"FeatureCollection\",\n\"name\": {\"a\": [1, \"]}\"]},\n\"features\": [\n{\"type\": \"Feature\", \"properties\": {\"s\": \"a \\\" ] } b\", \"име\": \"Стара Загора\"}},\n  {\"n\": [[1,2],[3,4]]}\n,\n\n5 ,\"x\", 123.5e-3],\n\"crs\": {\"type\": \"name\"}\n}\n";

#[test]
fn every_feature_comes_with_the_line_it_starts_on_whatever_the_windows() {
    let expected = vec![
        (
            r#"{"type": "Feature", "properties": {"s": "a \" ] } b", "име": "Стара Загора"}}"#
                .to_string(),
            5,
        ),
        (r#"{"n": [[1,2],[3,4]]}"#.to_string(), 6),
        ("5".to_string(), 9),
        (r#""x""#.to_string(), 9),
        ("123.5e-3".to_string(), 9),
    ];
    for block in 1..=COLLECTION.len() + 1 {
        let (result, hash) = windowed(COLLECTION.as_bytes(), block);
        let Ok((kind, crs, has_features, seen)) = result else {
            panic!("block {block}: {result:?}");
        };
        assert_eq!(seen, expected, "block {block}");
        assert_eq!(kind.as_deref(), Some("FeatureCollection"));
        assert_eq!(crs, Some(serde_json::json!({"type": "name"})));
        assert!(has_features);
        assert_eq!(hash, end_part(fold_bytes(7, COLLECTION.as_bytes())));
    }
}

#[test]
fn problems_come_with_their_line_and_column_as_in_a_whole_file() {
    let message = |text: &[u8], block: usize| match windowed(text, block).0 {
        Err(problem) => problem,
        Ok(_) => panic!("accepted"),
    };
    for block in [1, 2, 5, 13, 1 << 20] {
        let (m, line) = message(b"{\"features\": [\n{\"a\": tru}]}", block);
        assert_eq!(
            (m.as_str(), line),
            ("not JSON: expected ident at line 2 column 10", 2)
        );
        let (m, line) = message(b"{\"features\": [{},\n {\"a\":\n 1},  {} x]}", block);
        assert_eq!(
            (m.as_str(), line),
            ("not JSON: expected `,` or `]` at line 3 column 10", 3)
        );
        let (m, _) = message(
            b"{\"type\": \"a\", \"type\": \"b\", \"features\": []}",
            block,
        );
        assert!(m.contains("duplicate field `type`"), "{m}");
        let (m, line) = message(b"{\"features\": [1, 2]}\n\n  x", block);
        assert_eq!(
            (m.as_str(), line),
            ("not JSON: trailing characters at line 3 column 3", 3)
        );
        let (m, line) = message(b"{\"features\": [1,\n2], \"features\": []}", block);
        assert_eq!(
            (m.as_str(), line),
            (
                "not GeoJSON: duplicate field `features` at line 2 column 14",
                2
            )
        );
        // A syntax error first, bad UTF-8 later: the UTF-8 is reported, as in a whole file.
        let bad: &[u8] = b"{\"features\": [x\n\n\"\xff\"]}";
        let (m, line) = message(bad, block);
        assert_eq!(
            (m.as_str(), line),
            (
                "not UTF-8 text: invalid utf-8 sequence of 1 bytes from index 18",
                3
            )
        );
        let whole = std::str::from_utf8(std::hint::black_box(bad)).unwrap_err();
        assert_eq!(m, format!("not UTF-8 text: {whole}"));
        let cut: &[u8] = b"{\"features\": []} \xd0";
        let whole = std::str::from_utf8(std::hint::black_box(cut)).unwrap_err();
        assert_eq!(message(cut, block), (format!("not UTF-8 text: {whole}"), 1));
    }
}

#[test]
fn unusual_files_read_in_windows_as_a_whole_file_parse_reads_them() {
    let deep = format!("{{\"features\": [{}{}]}}", "[".repeat(130), "]".repeat(130));
    for text in [
        "",
        "  ",
        "\u{feff}{\"features\": []}",
        "[]",
        r#"{"features": []"#,
        r#"{"features": [{"a": 1}"#,
        r#"{"features": [] x"#,
        r#"{"features": []} {}"#,
        r#"{"features": [1 2]}"#,
        r#"{"features": [1,]}"#,
        r#"{"features": [,1]}"#,
        r#"{"features": null}"#,
        r#"{"features": 5}"#,
        r#"{"type": "FeatureCollection"}"#,
        r#"{"features": [], "features": []}"#,
        r#"{"type": 5, "features": []}"#,
        r#"{"crs": {"a": tru}, "features": []}"#,
        r#"{"other": [1, 2,], "features": []}"#,
        r#"{"features": [] "type": "x"}"#,
        r#"{"features": [], }"#,
        r#"{"features" []}"#,
        r#"{features: []}"#,
        "{\"feat\nures\": []}",
        "{\"features\": [1, 2, 3.\n]}",
        "{\"features\": [\"a\\u12\"]}",
        "{\"features\": [1], \"crs\": {\"a\":\n [1, 2,]}}",
        &deep,
        COLLECTION,
    ] {
        let reference = whole(text.as_bytes());
        for block in 1..=text.len() + 1 {
            assert_eq!(
                windowed(text.as_bytes(), block),
                reference,
                "{text:?} {block}"
            );
        }
    }
}

/// A collection with `features` before or after its other members, its features on
/// lines of their own or not.
fn collection(crs_last: bool, lines: bool) -> String {
    let sep = if lines { ",\n" } else { ", " };
    let features = [
        r#"{"type": "Feature", "id": 1, "properties": {"име": "Загоре", "n": -1.5e2}, "geometry": null}"#,
        "{\"type\": \"Feature\",\n \"properties\": {\"s\": \"a\\\"\\u0416]\"},\n \"geometry\": {\"type\": \"Point\", \"coordinates\": [25.6, 42.4]}}",
        "[true, false, null]",
        "12345",
    ]
    .join(sep);
    let crs = r#""crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::7801"}}"#;
    match crs_last {
        false => {
            format!("{{\"type\": \"FeatureCollection\", {crs},\n\"features\": [\n{features}\n]}}\n")
        }
        true => {
            format!("{{\"features\": [{features}],\n {crs}, \"type\": \"FeatureCollection\"}}")
        }
    }
}

/// A change to a file: a byte inserted, replaced or deleted at a position, or the file cut.
#[derive(Debug, Clone)]
enum Change {
    Insert(usize, u8),
    Replace(usize, u8),
    Delete(usize),
    Cut(usize),
}

fn change() -> impl Strategy<Value = Change> {
    let byte = prop::sample::select(b"{}[],:\"\\ \n0-e.tx\xd0\xff".to_vec());
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Change::Insert(at, b)),
        (any::<usize>(), byte).prop_map(|(at, b)| Change::Replace(at, b)),
        any::<usize>().prop_map(Change::Delete),
        any::<usize>().prop_map(Change::Cut),
    ]
}

fn apply(text: &mut Vec<u8>, change: &Change) {
    let at = |n: usize, len: usize| n % (len + 1);
    match *change {
        Change::Insert(n, b) => text.insert(at(n, text.len()), b),
        Change::Replace(n, b) if !text.is_empty() => {
            let i = n % text.len();
            text[i] = b;
        }
        Change::Delete(n) if !text.is_empty() => {
            text.remove(n % text.len());
        }
        Change::Cut(n) => text.truncate(at(n, text.len())),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever is wrong with a file and wherever its windows end, the reader reports
    /// what a whole-file parse does: the same problem at the same line and column, the
    /// same features at the same lines, the same data version.
    #[test]
    fn reading_in_windows_equals_reading_whole(
        crs_last in any::<bool>(),
        lines in any::<bool>(),
        changes in prop::collection::vec(change(), 0..4),
        block in 1usize..80,
    ) {
        let mut text = collection(crs_last, lines).into_bytes();
        for change in &changes {
            apply(&mut text, change);
        }
        prop_assert_eq!(windowed(&text, block), whole(&text));
    }
}
