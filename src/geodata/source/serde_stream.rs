//! The GeoJSON source's path for files the scanner finds unusual (a syntax error, a byte-order
//! mark, a duplicate member, deep nesting, text that is not UTF-8): serde_json's streaming
//! deserializer reads the file through a line-counting reader, keeping each feature as raw
//! text with the line it starts on and handing them over in windows, which are parsed on every
//! core. Nothing holds the whole file, and every problem is reported as serde finds it, with
//! its line and column, exactly as a whole-file parse would report it.
//!
//! A file that is not UTF-8 anywhere is reported as such (with the line and the byte index of
//! the first bad sequence), before any syntax error, as a whole-file parse that checks the text
//! first would; the rest of the file is still read, so the data version covers every byte.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::seam::{end_part, fold_bytes};

/// How much text of complete features is gathered before it is handed over for parsing.
const WINDOW: usize = 32 << 20;
/// How much of the file is read per system call.
const BLOCK: usize = 1 << 16;

/// The collection's members other than `features`, as read.
pub(crate) struct Header {
    pub kind: Option<String>,
    pub crs: Option<Value>,
    /// Whether the file has a `features` array (`"features": null` is none).
    pub has_features: bool,
}

/// One feature's raw text and the line it starts on.
pub(crate) type RawWindow = Vec<(Box<RawValue>, usize)>;

/// Why the file could not be read as a FeatureCollection.
pub(crate) enum Failure {
    /// Reading the file failed.
    Read(io::Error),
    /// Not JSON, or JSON of the wrong shape: the message and its line.
    Invalid { message: String, line: usize },
}

/// Reads a GeoJSON file, handing every window of features (with the index of the first) to
/// `window`; returns the collection's header and the version hash with every byte folded in.
pub(crate) fn read(
    reader: impl Read,
    hash: u64,
    mut window: impl FnMut(&RawWindow, usize),
) -> (Result<Header, Failure>, u64) {
    let line = Rc::new(Cell::new(1));
    let mut tracking = Tracking {
        inner: reader,
        buf: vec![0; BLOCK],
        start: 0,
        end: 0,
        line: Rc::clone(&line),
        hash,
        checked: 0,
        lines_checked: 0,
        carry: Vec::new(),
        not_utf8: None,
        failed: None,
    };
    let parsed = {
        let mut de = serde_json::Deserializer::from_reader(&mut tracking);
        let visitor = Collection {
            line: &line,
            window: &mut window,
        };
        de::Deserializer::deserialize_map(&mut de, visitor)
            .and_then(|header| de.end().map(|()| header))
    };
    // The rest of the file (after an error) is read too: for text that is not UTF-8 further
    // on, which a whole-file parse reports first, and for the version hash.
    let drained = io::copy(&mut tracking, &mut io::sink());
    tracking.hash_rest();
    let outcome = if let Some((message, line)) = tracking.not_utf8.take() {
        Err(Failure::Invalid { message, line })
    } else if let Some(e) = tracking.failed.take() {
        Err(Failure::Read(e))
    } else {
        match (parsed, drained) {
            (Ok(header), Ok(_)) => Ok(header),
            (Err(e), _) if e.is_io() => Err(Failure::Read(io::Error::other(e.to_string()))),
            (Err(e), _) => {
                let what = if e.is_data() {
                    "not GeoJSON"
                } else {
                    "not JSON"
                };
                Err(Failure::Invalid {
                    message: format!("{what}: {e}"),
                    line: e.line(),
                })
            }
            (Ok(_), Err(e)) => Err(Failure::Read(e)),
        }
    };
    (outcome, end_part(tracking.hash))
}

/// A reader that counts the lines of what it hands over, folds every byte it reads into the
/// version hash and checks that the text is UTF-8.
struct Tracking<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The line at the position handed over last (shared with the visitors).
    line: Rc<Cell<usize>>,
    hash: u64,
    /// Bytes read and checked so far, and the newlines among them.
    checked: u64,
    lines_checked: usize,
    /// The start of a UTF-8 sequence the last block ended inside.
    carry: Vec<u8>,
    /// The first text that is not UTF-8: the message (as `std::str::Utf8Error` words it, with
    /// the byte index in the file) and its line.
    not_utf8: Option<(String, usize)>,
    /// A read that failed.
    failed: Option<io::Error>,
}

impl<R: Read> Tracking<R> {
    /// Folds what is left of the file into the hash, once reading as text has stopped.
    fn hash_rest(&mut self) {
        if self.failed.is_some() {
            return;
        }
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(0) => return,
                Ok(n) => self.hash = fold_bytes(self.hash, &self.buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failed = Some(e);
                    return;
                }
            }
        }
    }

    /// Reads the next block; false at the end of the file or when the text stops being UTF-8.
    fn refill(&mut self) -> bool {
        let n = loop {
            match self.inner.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = Some(e);
                    return false;
                }
                Ok(n) => break n,
            }
        };
        if n == 0 {
            if !self.carry.is_empty() {
                let at = self.checked - self.carry.len() as u64;
                self.not_utf8 = Some((
                    format!("not UTF-8 text: incomplete utf-8 byte sequence from index {at}"),
                    self.lines_checked + 1,
                ));
            }
            return false;
        }
        let block = &self.buf[..n];
        self.hash = fold_bytes(self.hash, block);
        // Checked with the unfinished sequence of the last block in front.
        let mut joined;
        let text: &[u8] = if self.carry.is_empty() {
            block
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(block);
            &joined
        };
        let base = self.checked - (text.len() - n) as u64;
        match std::str::from_utf8(text) {
            Ok(_) => {}
            Err(e) => {
                match e.error_len() {
                    None => self.carry = text[e.valid_up_to()..].to_vec(),
                    Some(bad) => {
                        let valid = &text[..e.valid_up_to()];
                        let line = self.lines_checked + newlines(valid) + 1;
                        let at = base + e.valid_up_to() as u64;
                        self.not_utf8 = Some((
                        format!("not UTF-8 text: invalid utf-8 sequence of {bad} bytes from index {at}"),
                        line,
                    ));
                        return false;
                    }
                }
            }
        }
        self.lines_checked += newlines(block);
        self.checked += n as u64;
        self.start = 0;
        self.end = n;
        true
    }
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

impl<R: Read> Read for Tracking<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.not_utf8.is_some() || self.failed.is_some() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "stopped"));
        }
        if self.start == self.end && !self.refill() {
            return match self.not_utf8.is_some() || self.failed.is_some() {
                true => Err(io::Error::new(io::ErrorKind::InvalidData, "stopped")),
                false => Ok(0),
            };
        }
        let n = out.len().min(self.end - self.start);
        let given = &self.buf[self.start..self.start + n];
        out[..n].copy_from_slice(given);
        self.line.set(self.line.get() + newlines(given));
        self.start += n;
        Ok(n)
    }
}

/// The top-level object: its `type` and `crs`, every other member but `features` skipped,
/// `features` read element by element.
struct Collection<'a, F> {
    line: &'a Rc<Cell<usize>>,
    window: &'a mut F,
}

impl<'de, F: FnMut(&RawWindow, usize)> Visitor<'de> for Collection<'_, F> {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut header = Header {
            kind: None,
            crs: None,
            has_features: false,
        };
        let (mut seen_type, mut seen_crs, mut seen_features) = (false, false, false);
        let once = |seen: &mut bool, name: &'static str| {
            if std::mem::replace(seen, true) {
                Err(de::Error::duplicate_field(name))
            } else {
                Ok(())
            }
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => {
                    once(&mut seen_type, "type")?;
                    header.kind = map.next_value::<Option<String>>()?;
                }
                "crs" => {
                    once(&mut seen_crs, "crs")?;
                    header.crs = map.next_value::<Option<Value>>()?;
                }
                "features" => {
                    once(&mut seen_features, "features")?;
                    header.has_features = map.next_value_seed(Features {
                        line: self.line,
                        window: &mut *self.window,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(header)
    }
}

/// The `features` member: null (none), or an array read a window at a time.
struct Features<'a, F> {
    line: &'a Rc<Cell<usize>>,
    window: &'a mut F,
}

impl<'de, F: FnMut(&RawWindow, usize)> DeserializeSeed<'de> for Features<'_, F> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, F: FnMut(&RawWindow, usize)> Visitor<'de> for Features<'_, F> {
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

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut pending: RawWindow = Vec::new();
        let (mut size, mut first) = (0, 0);
        while let Some(feature) = seq.next_element_seed(Located(self.line))? {
            size += feature.0.get().len();
            pending.push(feature);
            if size >= WINDOW {
                (self.window)(&pending, first);
                first += pending.len();
                pending.clear();
                size = 0;
            }
        }
        if !pending.is_empty() {
            (self.window)(&pending, first);
        }
        Ok(true)
    }
}

/// One feature's raw text with its line: when serde asks for the element it has just read
/// the element's first character (after the whitespace before it), so the line handed over
/// so far is the element's.
struct Located<'a>(&'a Rc<Cell<usize>>);

impl<'de> DeserializeSeed<'de> for Located<'_> {
    type Value = (Box<RawValue>, usize);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let line = self.0.get();
        Box::<RawValue>::deserialize(d).map(|raw| (raw, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> (Vec<(String, usize)>, Result<Header, Failure>) {
        let mut seen = Vec::new();
        let (outcome, _) = read(text.as_bytes(), 0, |w, first| {
            assert_eq!(first, seen.len());
            seen.extend(w.iter().map(|(r, l)| (r.get().to_string(), *l)));
        });
        (seen, outcome)
    }

    #[test]
    fn every_feature_comes_with_the_line_it_starts_on() {
        let (seen, header) = lines(
            "{\"type\": \"FeatureCollection\",\n\"features\": [\n  {\"a\": 1},\n\n{\"b\":\n 2}, 3],\n\"crs\": null}\n",
        );
        assert_eq!(
            seen,
            [
                ("{\"a\": 1}".to_string(), 3),
                ("{\"b\":\n 2}".to_string(), 5),
                ("3".to_string(), 6)
            ]
        );
        let header = header.ok().unwrap();
        assert_eq!(header.kind.as_deref(), Some("FeatureCollection"));
        assert!(header.has_features);
    }

    #[test]
    fn problems_come_with_their_line_and_text_that_is_not_utf8_first() {
        let message = |text: &[u8]| match read(text, 0, |_, _| {}).0 {
            Err(Failure::Invalid { message, line }) => (message, line),
            Ok(_) => panic!("accepted"),
            Err(Failure::Read(e)) => panic!("{e}"),
        };
        let (m, line) = message(b"{\"features\": [\n{\"a\": tru}]}");
        assert!(m.starts_with("not JSON") && line == 2, "{m} {line}");
        let (m, _) = message(b"{\"type\": \"a\", \"type\": \"b\", \"features\": []}");
        assert!(m.contains("duplicate field `type`"), "{m}");
        // A syntax error first, bad UTF-8 later: the UTF-8 is reported, as in a whole file.
        let bad: &[u8] = b"{\"features\": [x\n\n\"\xff\"]}";
        let (m, line) = message(bad);
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
        assert_eq!(message(cut), (format!("not UTF-8 text: {whole}"), 1));
    }
}
