//! Reading a GeoJSON FeatureCollection file piece by piece with serde_json, so that only a
//! bounded window of its text is in memory at once (a province's plots file is hundreds of
//! megabytes), while every problem is reported exactly as a whole-file parse would report it.
//!
//! The file is read in windows of [`WINDOW`] bytes. serde_json's fast in-memory parser reads
//! each window (its bytes folded into the version hash as they are read), keeping every
//! feature as borrowed raw text with the line it starts on; the features are handed over to
//! be parsed on every core while the next window is read and split. A window usually ends
//! inside a feature: the parse then stops at the end of its text, and the next one resumes
//! after the last complete feature. So that serde reads the rest in the state a whole-file
//! parse would be in there, the rest is preceded by a few synthetic bytes (`{"":[0`, an object
//! whose features array has had an element); line and column in serde's messages are mapped
//! back to the file. The file is read once; only the feature cut by a window's end is split
//! twice.
//!
//! A file that is not UTF-8 anywhere is reported as such (with the line and the byte index of
//! the first bad sequence), before any syntax error, as a whole-file parse that checks the text
//! first would; the rest of the file is still read, so the data version covers every byte.
//! Memory is bounded by two windows (one being parsed, one being read) plus the largest single
//! feature, and by the members of the collection before its `features` or after its last
//! feature, which are read again with each window until a feature, or the file, is complete
//! (they are small in any GeoJSON file).

use std::fmt;
use std::io::{self, Read};
use std::str::Utf8Error;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::super::parse::RawFeature;
use super::seam::{end_part, fold_bytes};

/// How much of the file is read before its complete features are handed over.
const WINDOW: usize = 32 << 20;

/// The collection's members other than `features`, as read.
pub(crate) struct Header {
    pub kind: Option<String>,
    pub crs: Option<Value>,
    /// Whether the file has a `features` array (`"features": null` is none).
    pub has_features: bool,
}

/// Why the file could not be read as a FeatureCollection.
pub(crate) enum Failure {
    /// Reading the file failed.
    Read(io::Error),
    /// Not JSON, or JSON of the wrong shape: the message and its line.
    Invalid { message: String, line: usize },
}

/// Reads a GeoJSON file, handing every window of features (with the index of the first) to
/// `window`; returns the collection's header and the version hash with every byte folded in.
/// `size` (the file's, when known) keeps a small file's buffer small.
pub(crate) fn read(
    reader: impl Read + Send,
    size: Option<u64>,
    hash: u64,
    window: impl FnMut(&[RawFeature], usize) + Send,
) -> (Result<Header, Failure>, u64) {
    let block = size
        .and_then(|n| usize::try_from(n).ok())
        .map_or(WINDOW, |n| WINDOW.min(n.saturating_add(1)));
    read_in_windows(reader, block, hash, window)
}

/// [`read`] with the window's size given (the tests make it tiny). Each window's features are
/// handed over while the next window is read and split, so that splitting, sequential by
/// nature, runs beside the parsing rather than before it.
fn read_in_windows(
    mut reader: impl Read + Send,
    block: usize,
    hash: u64,
    mut window: impl FnMut(&[RawFeature], usize) + Send,
) -> (Result<Header, Failure>, u64) {
    let mut p = Pending {
        buf: Vec::new(),
        block: block.max(1),
        resume: Resume::Start,
        offset: 0,
        line: 1,
        column: 0,
        members: Members::default(),
        hash,
    };
    let mut handed = 0;
    let mut hand = |split: &Split| {
        let raw: Vec<RawFeature> = split
            .features
            .iter()
            .filter_map(|&(start, end, line)| {
                let text = split.text.get(start..end)?;
                Some(RawFeature { text, line })
            })
            .collect();
        if !raw.is_empty() {
            window(&raw, handed);
        }
        handed += raw.len();
    };
    let mut next = p.next_window(&mut reader);
    loop {
        match next {
            Next::Window(split) => {
                next = rayon::join(|| hand(&split), || p.next_window(&mut reader)).1;
            }
            Next::Last(split, Ok(header)) => {
                hand(&split);
                return (Ok(header), end_part(p.hash));
            }
            Next::Last(_, Err(Failure::Read(e))) => return (Err(Failure::Read(e)), p.hash),
            Next::Last(_, Err(failure)) => return (Err(failure), end_part(p.hash)),
        }
    }
}

/// A window's text (behind its prefix) and where its complete features are in it: (start,
/// end, line).
struct Split {
    text: String,
    features: Vec<(usize, usize, usize)>,
}

/// What reading on gives.
enum Next {
    /// A window of features; the file goes on.
    Window(Split),
    /// The last window, and the collection or why it is not one (the whole file has been
    /// read and folded into the hash).
    Last(Split, Result<Header, Failure>),
}

impl Pending {
    /// Reads and splits windows until one has a complete feature or the file ends.
    fn next_window(&mut self, reader: &mut impl Read) -> Next {
        let empty = || Split {
            text: String::new(),
            features: Vec::new(),
        };
        loop {
            let from = self.buf.len();
            let eof = match fill(reader, &mut self.buf, self.block) {
                Ok(eof) => eof,
                Err(e) => return Next::Last(empty(), Err(Failure::Read(e))),
            };
            self.hash = fold_bytes(self.hash, &self.buf[from..]);
            let prefix = self.resume.prefix().len();
            let text = match std::str::from_utf8(&self.buf) {
                Ok(text) => text,
                // A character cut by the window's end is read with the next window.
                Err(e) if e.error_len().is_none() && !eof => {
                    std::str::from_utf8(&self.buf[..e.valid_up_to()]).unwrap_or_default()
                }
                Err(e) => {
                    let valid = &self.buf[prefix..e.valid_up_to()];
                    let problem = utf8_problem(&e, valid, self.offset, self.line);
                    let rest = rest(reader, None, self.hash);
                    return Next::Last(empty(), self.finish(problem, rest));
                }
            };
            let pass = pass(text, self);
            // The parse stopped for want of text (serde says a number cut by the window's end
            // is invalid, so any problem at the very end counts): it goes on with more text.
            let cut = !eof && matches!(&pass.result, Err(e) if e.is_eof() || at_end(e, text));
            let mut features: Vec<(usize, usize, usize)> = pass
                .features
                .iter()
                .map(|f| {
                    let start = offset_in(text, f.text);
                    (start, start + f.text.len(), f.line)
                })
                .collect();
            if cut
                && features
                    .last()
                    .is_some_and(|&(_, end, _)| end == text.len())
            {
                // A number may end where the window does: it is read again with what follows.
                features.pop();
            }
            let (at, resume, members) = match pass.result {
                Ok(members) if eof => {
                    let header = members.header();
                    let text = std::mem::take(&mut self.buf);
                    let text = String::from_utf8(text).unwrap_or_default();
                    return Next::Last(Split { text, features }, Ok(header));
                }
                // The collection is complete: only whitespace may follow.
                Ok(members) => (text.len(), Resume::End, members),
                Err(_) if cut => match (features.last(), pass.at_features) {
                    (Some(&(_, end, _)), Some(members)) => (end, Resume::Feature, members),
                    // Not one more complete feature: the window grows.
                    _ => continue,
                },
                Err(e) => {
                    let invalid = invalid(&e, self);
                    let checked = text.len();
                    let tail = Unchecked {
                        bytes: self.buf[checked..].to_vec(),
                        offset: self.offset + (checked - prefix) as u64,
                        line: self.line + newlines(&self.buf[prefix..checked]),
                    };
                    let rest = rest(reader, Some(tail), self.hash);
                    return Next::Last(empty(), self.finish(invalid, rest));
                }
            };
            let valid = text.len();
            let text = self.advance(at, valid, resume, members);
            return Next::Window(Split { text, features });
        }
    }

    /// The outcome once reading as text has stopped at `problem`: text after it that is not
    /// UTF-8 is reported instead (a whole-file parse checks the text first), and a failure to
    /// read the rest before either.
    fn finish(
        &mut self,
        problem: (String, usize),
        rest: io::Result<(Option<(String, usize)>, u64)>,
    ) -> Result<Header, Failure> {
        let (later, hash) = rest.map_err(Failure::Read)?;
        self.hash = hash;
        let (message, line) = later.unwrap_or(problem);
        Err(Failure::Invalid { message, line })
    }
}

/// Reads into `buf` until `block` more bytes are there or the file ends; true at its end.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, block: usize) -> io::Result<bool> {
    let start = buf.len();
    buf.resize(start + block, 0);
    let mut filled = start;
    let eof = loop {
        if filled == buf.len() {
            break false;
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break true,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    buf.truncate(filled);
    Ok(eof)
}

/// Text read but not yet checked to be UTF-8 (a sequence cut by the window's end), where it
/// starts in the file.
struct Unchecked {
    bytes: Vec<u8>,
    offset: u64,
    line: usize,
}

/// Reads the rest of the file, folding it into the hash and, with `check`, finding the first
/// text that is not UTF-8 in it.
fn rest(
    mut reader: impl Read,
    mut check: Option<Unchecked>,
    mut hash: u64,
) -> io::Result<(Option<(String, usize)>, u64)> {
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let eof = n == 0;
        hash = fold_bytes(hash, &buf[..n]);
        let Some(unchecked) = check.as_mut() else {
            match eof {
                true => return Ok((None, hash)),
                false => continue,
            }
        };
        unchecked.bytes.extend_from_slice(&buf[..n]);
        let valid = match std::str::from_utf8(&unchecked.bytes) {
            Ok(_) => unchecked.bytes.len(),
            Err(e) if e.error_len().is_none() && !eof => e.valid_up_to(),
            Err(e) => {
                let valid = &unchecked.bytes[..e.valid_up_to()];
                let problem = utf8_problem(&e, valid, unchecked.offset, unchecked.line);
                return rest(reader, None, hash).map(|(_, hash)| (Some(problem), hash));
            }
        };
        unchecked.line += newlines(&unchecked.bytes[..valid]);
        unchecked.offset += valid as u64;
        unchecked.bytes.drain(..valid);
        if eof {
            return Ok((None, hash));
        }
    }
}

/// The problem with text that is not UTF-8, worded as `std::str::Utf8Error` words it but with
/// the byte index in the file, and its line; `valid` is the text before it, which starts at
/// `offset` on `line`.
fn utf8_problem(e: &Utf8Error, valid: &[u8], offset: u64, line: usize) -> (String, usize) {
    let at = offset + valid.len() as u64;
    let message = match e.error_len() {
        Some(bad) => format!("invalid utf-8 sequence of {bad} bytes from index {at}"),
        None => format!("incomplete utf-8 byte sequence from index {at}"),
    };
    (format!("not UTF-8 text: {message}"), line + newlines(valid))
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Whether serde's problem is at the end of the text it parsed.
fn at_end(e: &serde_json::Error, text: &str) -> bool {
    let line_start = match e.line() {
        0 => return false,
        1 => 0,
        n => match text.match_indices('\n').nth(n - 2) {
            Some((newline, _)) => newline + 1,
            None => return false,
        },
    };
    line_start + e.column() >= text.len()
}

/// Where `part` (borrowed from `text`) starts in it.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .map_or(0, |at| at.min(text.len()))
}

/// Where the text still to be parsed resumes inside the collection.
#[derive(Clone, Copy, PartialEq)]
enum Resume {
    /// At the start of the file.
    Start,
    /// After a feature: `,` or `]` comes next.
    Feature,
    /// After the collection: only whitespace may follow.
    End,
}

impl Resume {
    /// What is put in front of the rest of the file so that serde reads it in the state a
    /// whole-file parse is in there.
    fn prefix(self) -> &'static [u8] {
        match self {
            Resume::Start => b"",
            Resume::Feature => b"{\"\":[0",
            Resume::End => b"{}",
        }
    }
}

/// The text not parsed yet, behind the prefix of its resume point.
struct Pending {
    buf: Vec<u8>,
    /// How much is read at a time.
    block: usize,
    resume: Resume,
    /// Where the text after the prefix is in the file: byte offset, line, and the bytes
    /// before it on its line.
    offset: u64,
    line: usize,
    column: usize,
    /// The collection's members read before the resume point.
    members: Members,
    /// The version hash with every byte read so far folded in.
    hash: u64,
}

impl Pending {
    /// Moves on to `at` (the text before it is parsed): returns the window's text, up to
    /// `valid` (the rest of it is a character cut by the window's end).
    fn advance(&mut self, at: usize, valid: usize, resume: Resume, members: Members) -> String {
        let prefix = self.resume.prefix().len();
        let parsed = &self.buf[prefix..at];
        self.column = match parsed.iter().rposition(|&b| b == b'\n') {
            Some(newline) => parsed.len() - newline - 1,
            None => self.column + parsed.len(),
        };
        self.line += newlines(parsed);
        self.offset += parsed.len() as u64;
        let mut buf = Vec::with_capacity(resume.prefix().len() + self.buf.len() - at + self.block);
        buf.extend_from_slice(resume.prefix());
        buf.extend_from_slice(&self.buf[at..]);
        let mut text = std::mem::replace(&mut self.buf, buf);
        text.truncate(valid);
        self.resume = resume;
        self.members = members;
        String::from_utf8(text).unwrap_or_default()
    }
}

/// What one parse of the pending text found.
struct Pass<'t> {
    /// The collection (Err at the end of the text when it is not the end of the file).
    result: Result<Members, serde_json::Error>,
    features: Vec<RawFeature<'t>>,
    /// The members as they were inside the features array (where a next pass may resume).
    at_features: Option<Members>,
}

fn pass<'t>(text: &'t str, p: &Pending) -> Pass<'t> {
    let mut features = Vec::new();
    let mut at_features = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let visitor = Collection {
        resume: p.resume,
        members: p.members.clone(),
        lines: Lines {
            text,
            at: p.resume.prefix().len(),
            line: p.line,
        },
        features: &mut features,
        at_features: &mut at_features,
    };
    let result =
        de::Deserializer::deserialize_map(&mut de, visitor).and_then(|m| de.end().map(|()| m));
    Pass {
        result,
        features,
        at_features,
    }
}

/// serde's error as a problem with the file: its line and column mapped from the parsed text
/// (behind its prefix) back to the file.
fn invalid(e: &serde_json::Error, p: &Pending) -> (String, usize) {
    let what = match e.is_data() {
        true => "not GeoJSON",
        false => "not JSON",
    };
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    let Some(bare) = text.strip_suffix(&format!(" at line {line} column {column}")) else {
        return (format!("{what}: {text}"), line);
    };
    let (line, column) = match line {
        1 => (
            p.line,
            p.column + column.saturating_sub(p.resume.prefix().len()),
        ),
        _ => (p.line + line - 1, column),
    };
    (
        format!("{what}: {bare} at line {line} column {column}"),
        line,
    )
}

/// The collection's members other than `features` as read so far, and which were seen.
#[derive(Clone, Default)]
struct Members {
    kind: Option<String>,
    crs: Option<Value>,
    has_features: bool,
    seen_type: bool,
    seen_crs: bool,
    seen_features: bool,
}

impl Members {
    fn header(self) -> Header {
        Header {
            kind: self.kind,
            crs: self.crs,
            has_features: self.has_features,
        }
    }
}

/// Counts the lines up to each feature of a pass.
struct Lines<'t> {
    text: &'t str,
    /// Counted up to here, which is on `line`.
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn line_of(&mut self, part: &str) -> usize {
        let start = offset_in(self.text, part).max(self.at);
        self.line += newlines(&self.text.as_bytes()[self.at..start]);
        self.at = start;
        self.line
    }
}

/// The top-level object: its `type` and `crs`, every other member but `features` skipped,
/// `features` read element by element.
struct Collection<'a, 't> {
    resume: Resume,
    members: Members,
    lines: Lines<'t>,
    features: &'a mut Vec<RawFeature<'t>>,
    at_features: &'a mut Option<Members>,
}

impl<'t> Visitor<'t> for Collection<'_, 't> {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection (an object)")
    }

    fn visit_map<A: MapAccess<'t>>(mut self, mut map: A) -> Result<Members, A::Error> {
        let m = &mut self.members;
        let once = |seen: &mut bool, name: &'static str| match std::mem::replace(seen, true) {
            true => Err(de::Error::duplicate_field(name)),
            false => Ok(()),
        };
        if self.resume == Resume::Feature {
            // The prefix's member: the features array, after its synthetic first element.
            map.next_key::<IgnoredAny>()?;
            *self.at_features = Some(m.clone());
            map.next_value_seed(Features {
                lines: &mut self.lines,
                features: &mut *self.features,
                skip: 1,
            })?;
        }
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => {
                    once(&mut m.seen_type, "type")?;
                    m.kind = map.next_value::<Option<String>>()?;
                }
                "crs" => {
                    once(&mut m.seen_crs, "crs")?;
                    m.crs = map.next_value::<Option<Value>>()?;
                }
                "features" => {
                    once(&mut m.seen_features, "features")?;
                    *self.at_features = Some(Members {
                        has_features: true,
                        ..m.clone()
                    });
                    m.has_features = map.next_value_seed(Features {
                        lines: &mut self.lines,
                        features: &mut *self.features,
                        skip: 0,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(self.members)
    }
}

/// The `features` member: null (none), or an array whose elements are kept as raw text, after
/// `skip` synthetic ones.
struct Features<'a, 't> {
    lines: &'a mut Lines<'t>,
    features: &'a mut Vec<RawFeature<'t>>,
    skip: usize,
}

impl<'t> DeserializeSeed<'t> for Features<'_, 't> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'t>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'t> Visitor<'t> for Features<'_, 't> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: de::Deserializer<'t>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'t>>(self, mut seq: A) -> Result<bool, A::Error> {
        for _ in 0..self.skip {
            seq.next_element::<IgnoredAny>()?;
        }
        while let Some(raw) = seq.next_element::<&'t RawValue>()? {
            let text = raw.get();
            let line = self.lines.line_of(text);
            self.features.push(RawFeature { text, line });
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
            resume: Resume::Start,
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
        let crs =
            r#""crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::7801"}}"#;
        match crs_last {
            false => format!(
                "{{\"type\": \"FeatureCollection\", {crs},\n\"features\": [\n{features}\n]}}\n"
            ),
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
}
