//! Finding the features of a GeoJSON FeatureCollection in a file read piece by piece, so that
//! only a bounded window of the file's text is in memory at once (a province's plots file is
//! hundreds of megabytes).
//!
//! The scanner only finds where each feature starts and ends (and its line) and keeps the
//! collection's other members; serde parses every piece. It accepts only what a whole-file
//! parse would accept in the same way: anything unusual (a syntax error, a duplicate member,
//! a byte-order mark, deep nesting, text that is not UTF-8) makes it give up with
//! [`Scan::Unusual`], and the caller reads the file again with serde's own streaming
//! deserializer (`source::serde_stream`), which reports the problem exactly as a whole-file
//! parse would, also without holding the whole file.

use std::collections::BTreeMap;
use std::io::Read;

use serde::de::IgnoredAny;
use serde_json::Value;

/// How much text is read per system call.
const READ_BLOCK: usize = 4 << 20;
/// How much text of complete features is gathered before it is handed over for parsing.
const WINDOW: usize = 32 << 20;
/// Nesting deeper than this is left to the whole-file parser (serde's limit is 128 levels,
/// counted from the top of the file).
const MAX_DEPTH: usize = 100;

/// One feature inside a window's text.
pub(super) struct RawFeature<'a> {
    pub text: &'a str,
    /// Line of the file where the feature starts.
    pub line: usize,
}

/// The collection's members other than `features`, as the whole-file parser would read them.
pub(super) struct Header {
    pub kind: Option<String>,
    pub crs: Option<Value>,
}

pub(super) enum Scan {
    /// The whole file was scanned; every feature was handed over.
    Done { header: Header, hash: u64 },
    /// Reading the file failed.
    Read(std::io::Error),
    /// Something the whole-file parser must judge.
    Unusual,
}

/// Where the scanner is in the file's structure.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Start,
    /// Inside the top-level object; `first` before its first member.
    Members {
        first: bool,
    },
    Features {
        first: bool,
    },
    End,
}

/// The result of one step over the buffered text.
enum Step {
    /// More text is needed to go on.
    More,
    Unusual,
    /// The step consumed text up to this position.
    Done(usize),
}

/// What follows in an object or array.
enum Element {
    /// A member or element starts here.
    At(usize),
    /// The object or array ends just before here.
    Closed(usize),
}

/// Why the scanner stopped.
enum Pause {
    /// More text is needed to go on.
    More,
    Unusual,
    /// A window's worth of text has been scanned.
    Window,
    /// The collection and the text after it have been scanned to the end of the file.
    Finished,
}

struct Scanner {
    /// Hand over once this much text has been scanned.
    window: usize,
    buf: Vec<u8>,
    /// Scanned up to here; everything before is consumed.
    pos: usize,
    /// Line at `pos`.
    line: usize,
    state: State,
    members: BTreeMap<String, Vec<u8>>,
    /// Features found in `buf` since the last hand-over: (start, end, line).
    found: Vec<(usize, usize, usize)>,
}

/// Reads `reader` to its end, handing every window of complete features to `parse` (with the
/// features and the index of the first) and folding every byte into `hash` with `fold` (each
/// window's hashing runs beside its parsing). `parse` says Err when a feature is not even
/// JSON: that is for the whole-file parser to report.
pub(super) fn scan(
    reader: impl Read,
    size_hint: Option<u64>,
    hash: u64,
    fold: impl Fn(u64, &[u8]) -> u64 + Sync,
    parse: impl FnMut(&[RawFeature], usize) -> Result<(), ()> + Send,
) -> Scan {
    // A small file needs no more room than its size (and one byte to see its end).
    let fits = size_hint.and_then(|n| usize::try_from(n).ok());
    let window = fits.map_or(WINDOW, |n| WINDOW.min(n));
    let block = fits.map_or(READ_BLOCK, |n| READ_BLOCK.min(n + 1));
    scan_in_pieces(reader, block, window, hash, fold, parse)
}

/// [`scan`] with the sizes of its reads and windows given (the tests make them tiny).
fn scan_in_pieces(
    mut reader: impl Read,
    block: usize,
    window: usize,
    mut hash: u64,
    fold: impl Fn(u64, &[u8]) -> u64 + Sync,
    mut parse: impl FnMut(&[RawFeature], usize) -> Result<(), ()> + Send,
) -> Scan {
    // Each window and read must make progress.
    let (block, window) = (block.max(1), window.max(1));
    let mut s = Scanner {
        window,
        buf: Vec::with_capacity(window + 2 * block),
        pos: 0,
        line: 1,
        state: State::Start,
        members: BTreeMap::new(),
        found: Vec::new(),
    };
    let mut handed = 0;
    let mut eof = false;
    loop {
        let step = s.run(eof);
        match step {
            Pause::Unusual => return Scan::Unusual,
            // The text ends inside the collection.
            Pause::More if eof => return Scan::Unusual,
            Pause::More => {}
            Pause::Window | Pause::Finished => {
                let Ok(text) = std::str::from_utf8(&s.buf[..s.pos]) else {
                    return Scan::Unusual;
                };
                let raw: Vec<RawFeature> = s
                    .found
                    .iter()
                    .map(|&(start, end, line)| RawFeature {
                        text: &text[start..end],
                        line,
                    })
                    .collect();
                let (parsed, hashed) = rayon::join(
                    || match raw.is_empty() {
                        true => Ok(()),
                        false => parse(&raw, handed),
                    },
                    || fold(hash, text.as_bytes()),
                );
                if parsed.is_err() {
                    return Scan::Unusual;
                }
                hash = hashed;
                handed += raw.len();
                drop(raw);
                s.buf.drain(..s.pos);
                s.pos = 0;
                s.found.clear();
            }
        }
        match step {
            Pause::Finished => break,
            Pause::More => {
                let start = s.buf.len();
                s.buf.resize(start + block, 0);
                match read_some(&mut reader, &mut s.buf[start..]) {
                    Ok(n) => {
                        s.buf.truncate(start + n);
                        eof = n == 0;
                    }
                    Err(e) => return Scan::Read(e),
                }
            }
            _ => {}
        }
    }
    match s.header() {
        Some(header) => Scan::Done { header, hash },
        None => Scan::Unusual,
    }
}

fn read_some(reader: &mut impl Read, into: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(into) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl Scanner {
    /// Runs steps until more text is needed, the window is full, or the file is done.
    fn run(&mut self, eof: bool) -> Pause {
        loop {
            if self.pos >= self.window {
                return Pause::Window;
            }
            if self.state == State::End && eof && self.pos == self.buf.len() {
                return Pause::Finished;
            }
            let step = match self.state {
                State::Start => self.start(),
                State::Members { first } => self.member(first),
                State::Features { first } => self.feature(first),
                State::End => self.end(eof),
            };
            match step {
                Step::Done(to) => self.advance(to),
                Step::More => return Pause::More,
                Step::Unusual => return Pause::Unusual,
            }
        }
    }

    fn advance(&mut self, to: usize) {
        self.line += self.buf[self.pos..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = to;
    }

    fn skip_space(&self, mut at: usize) -> Option<usize> {
        while at < self.buf.len() {
            if !is_space(self.buf[at]) {
                return Some(at);
            }
            at += 1;
        }
        None
    }

    fn start(&mut self) -> Step {
        let Some(at) = self.skip_space(self.pos) else {
            return Step::More;
        };
        if self.buf[at] != b'{' {
            return Step::Unusual;
        }
        self.state = State::Members { first: true };
        Step::Done(at + 1)
    }

    fn end(&mut self, eof: bool) -> Step {
        match self.skip_space(self.pos) {
            Some(_) => Step::Unusual,
            None if eof => Step::Done(self.buf.len()),
            None => {
                // Whitespace only so far: consume it and ask for more.
                self.advance(self.buf.len());
                Step::More
            }
        }
    }

    /// Where the next member or element starts after `self.pos` (past the separating comma
    /// unless it is the first), or where the object or array ends at `close`.
    fn next_element(&self, first: bool, close: u8) -> Result<Element, Step> {
        let at = self.skip_space(self.pos).ok_or(Step::More)?;
        if self.buf[at] == close {
            return Ok(Element::Closed(at + 1));
        }
        if first {
            return Ok(Element::At(at));
        }
        if self.buf[at] != b',' {
            return Err(Step::Unusual);
        }
        self.skip_space(at + 1).map(Element::At).ok_or(Step::More)
    }

    fn member(&mut self, first: bool) -> Step {
        let at = match self.next_element(first, b'}') {
            Ok(Element::At(at)) => at,
            Ok(Element::Closed(end)) => {
                self.state = State::End;
                return Step::Done(end);
            }
            Err(step) => return step,
        };
        if self.buf[at] != b'"' {
            return Step::Unusual;
        }
        let key_end = match self.string_end(at) {
            Some(Ok(end)) => end,
            Some(Err(())) => return Step::Unusual,
            None => return Step::More,
        };
        let Ok(key) = serde_json::from_slice::<String>(&self.buf[at..key_end]) else {
            return Step::Unusual;
        };
        let Some(colon) = self.skip_space(key_end) else {
            return Step::More;
        };
        if self.buf[colon] != b':' {
            return Step::Unusual;
        }
        let Some(value) = self.skip_space(colon + 1) else {
            return Step::More;
        };
        if self.members.contains_key(&key) {
            return Step::Unusual;
        }
        if key == "features" {
            if self.buf[value] != b'[' {
                return Step::Unusual;
            }
            self.members.insert(key, Vec::new());
            self.state = State::Features { first: true };
            return Step::Done(value + 1);
        }
        match self.value_end(value, 1) {
            Some(Ok(end)) => {
                self.members.insert(key, self.buf[value..end].to_vec());
                self.state = State::Members { first: false };
                Step::Done(end)
            }
            Some(Err(())) => Step::Unusual,
            None => Step::More,
        }
    }

    fn feature(&mut self, first: bool) -> Step {
        let at = match self.next_element(first, b']') {
            Ok(Element::At(at)) => at,
            Ok(Element::Closed(end)) => {
                self.state = State::Members { first: false };
                return Step::Done(end);
            }
            Err(step) => return step,
        };
        match self.value_end(at, 2) {
            Some(Ok(end)) => {
                let line = self.line
                    + self.buf[self.pos..at]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                self.found.push((at, end, line));
                self.state = State::Features { first: false };
                Step::Done(end)
            }
            Some(Err(())) => Step::Unusual,
            None => Step::More,
        }
    }

    /// The end of the string starting at `at` (its opening quote): None when the buffer ends
    /// first, Err for a raw line break (a whole-file parse would refuse it).
    fn string_end(&self, at: usize) -> Option<Result<usize, ()>> {
        let mut i = at + 1;
        while i < self.buf.len() {
            match self.buf[i] {
                b'"' => return Some(Ok(i + 1)),
                b'\\' => i += 2,
                b'\n' => return Some(Err(())),
                _ => i += 1,
            }
        }
        None
    }

    /// The end of the JSON value starting at `at`, nested `depth` levels into the file: its
    /// brackets balanced and strings closed (serde checks the rest). None when the buffer
    /// ends first.
    fn value_end(&self, at: usize, depth: usize) -> Option<Result<usize, ()>> {
        let mut nesting = 0usize;
        let mut i = at;
        while i < self.buf.len() {
            match self.buf[i] {
                b'"' => match self.string_end(i)? {
                    Ok(end) => {
                        i = end;
                        if nesting == 0 {
                            return Some(Ok(i));
                        }
                        continue;
                    }
                    Err(()) => return Some(Err(())),
                },
                b'{' | b'[' => {
                    nesting += 1;
                    if depth + nesting > MAX_DEPTH {
                        return Some(Err(()));
                    }
                }
                b'}' | b']' => {
                    if nesting == 0 {
                        // A scalar ends at its container's bracket.
                        return Some(if i > at { Ok(i) } else { Err(()) });
                    }
                    nesting -= 1;
                    if nesting == 0 {
                        return Some(Ok(i + 1));
                    }
                }
                b',' if nesting == 0 => {
                    return Some(if i > at { Ok(i) } else { Err(()) });
                }
                b if nesting == 0 && is_space(b) => return Some(Ok(i)),
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The members other than `features`, read as the whole-file parser reads them; None when
    /// the file has no `features` array or a member the parser would refuse.
    fn header(&self) -> Option<Header> {
        if !self.members.contains_key("features") {
            return None;
        }
        let mut header = Header {
            kind: None,
            crs: None,
        };
        for (key, value) in &self.members {
            match key.as_str() {
                "features" => {}
                "type" => header.kind = serde_json::from_slice(value).ok()?,
                "crs" => header.crs = serde_json::from_slice(value).ok()?,
                _ => {
                    serde_json::from_slice::<IgnoredAny>(value).ok()?;
                }
            }
        }
        Some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feature's text, line and index.
    type Found = (String, usize, usize);

    /// Scans `text` in reads of `block` bytes and windows of `window`: the features (text,
    /// line, index) in order, and the header; None when the scanner gives up.
    fn scan_text(text: &str, block: usize, window: usize) -> Option<(Vec<Found>, Header, u64)> {
        let mut seen = Vec::new();
        let fold = |h: u64, b: &[u8]| b.iter().fold(h, |h, &x| h.wrapping_mul(31) + u64::from(x));
        let scanned = scan_in_pieces(text.as_bytes(), block, window, 7, fold, |raw, first| {
            for (i, r) in raw.iter().enumerate() {
                seen.push((r.text.to_string(), r.line, first + i));
            }
            Ok(())
        });
        match scanned {
            Scan::Done { header, hash } => {
                assert_eq!(
                    hash,
                    fold(7, text.as_bytes()),
                    "every byte hashed once, in order"
                );
                Some((seen, header, hash))
            }
            Scan::Read(e) => panic!("{e}"),
            Scan::Unusual => None,
        }
    }

    const COLLECTION: &str = "{\n\"type\": \"FeatureCollection\",\n\"name\": {\"a\": [1, \"]}\"]},\n\"features\": [\n{\"type\": \"Feature\", \"properties\": {\"s\": \"a \\\" ] } b\"}},\n  {\"n\": [[1,2],[3,4]]}\n,\n\n5 ,\"x\"],\n\"crs\": {\"type\": \"name\"}\n}\n";

    #[test]
    fn finds_every_feature_and_its_line_whatever_the_pieces() {
        let expected = vec![
            (
                r#"{"type": "Feature", "properties": {"s": "a \" ] } b"}}"#.to_string(),
                5,
                0,
            ),
            (r#"{"n": [[1,2],[3,4]]}"#.to_string(), 6, 1),
            ("5".to_string(), 9, 2),
            (r#""x""#.to_string(), 9, 3),
        ];
        for block in [1, 2, 3, 7, 64, 4096] {
            for window in [1, 5, 40, 1 << 20] {
                let (seen, header, _) = scan_text(COLLECTION, block, window)
                    .unwrap_or_else(|| panic!("block {block} window {window}"));
                assert_eq!(seen, expected, "block {block} window {window}");
                assert_eq!(header.kind.as_deref(), Some("FeatureCollection"));
                assert_eq!(header.crs, Some(serde_json::json!({"type": "name"})));
            }
        }
    }

    #[test]
    fn an_empty_collection_has_no_features() {
        let (seen, header, _) = scan_text(r#"{"features": [ ], "type": "X"}"#, 3, 8).unwrap();
        assert!(seen.is_empty());
        assert_eq!(header.kind.as_deref(), Some("X"));
    }

    #[test]
    fn leaves_anything_unusual_to_the_whole_file_parser() {
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
            r#"{"type": "FeatureCollection"}"#,
            r#"{"features": [], "features": []}"#,
            r#"{"type": 5, "features": []}"#,
            r#"{"type": "a", "type": "b", "features": []}"#,
            r#"{"crs": {"a": tru}, "features": []}"#,
            r#"{"other": [1, 2,], "features": []}"#,
            r#"{"features": [] "type": "x"}"#,
            r#"{"features": [], }"#,
            r#"{"features" []}"#,
            r#"{features: []}"#,
            r#"{"feat
ures": []}"#,
        ] {
            assert!(scan_text(text, 2, 4).is_none(), "{text:?}");
        }
        let empty = scan("".as_bytes(), Some(0), 0, |h, _| h, |_, _| Ok(()));
        assert!(matches!(empty, Scan::Unusual));
        let deep = format!(
            r#"{{"features": [{}{}]}}"#,
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(scan_text(&deep, 64, 1024).is_none());
    }

    #[test]
    fn a_feature_that_is_not_json_gives_up() {
        let scanned = scan_in_pieces(
            r#"{"features": [{"a": tru}]}"#.as_bytes(),
            4,
            8,
            0,
            |h, _| h,
            |_, _| Err(()),
        );
        assert!(matches!(scanned, Scan::Unusual));
    }
}
