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

use std::io::{self, Read};
use std::str::Utf8Error;

use serde::de;

use super::super::parse::RawFeature;
use super::collection::{newlines, offset_in, Collection, Lines, Members};
use super::seam::{end_part, fold_bytes};

pub(crate) use super::collection::Header;

/// How much of the file is read before its complete features are handed over.
const WINDOW: usize = 32 << 20;

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
        resumed: p.resume == Resume::Feature,
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

#[cfg(test)]
mod tests;
