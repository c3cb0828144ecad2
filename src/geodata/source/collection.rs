//! The serde side of reading a GeoJSON FeatureCollection (`serde_stream` does the windows):
//! a visitor of the top-level object that keeps its `type` and `crs`, skips every other member
//! but `features`, refuses a duplicate `type`, `crs` or `features` as a whole-file parse of a
//! struct would, and keeps each feature as raw text borrowed from the parsed text, with the
//! line it starts on.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::super::parse::RawFeature;

/// The collection's members other than `features`, as read.
pub(crate) struct Header {
    pub kind: Option<String>,
    pub crs: Option<Value>,
    /// Whether the file has a `features` array (`"features": null` is none).
    pub has_features: bool,
}

/// The collection's members other than `features` as read so far, and which were seen.
#[derive(Clone, Default)]
pub(super) struct Members {
    pub kind: Option<String>,
    pub crs: Option<Value>,
    pub has_features: bool,
    pub seen_type: bool,
    pub seen_crs: bool,
    pub seen_features: bool,
}

impl Members {
    pub fn header(self) -> Header {
        Header {
            kind: self.kind,
            crs: self.crs,
            has_features: self.has_features,
        }
    }
}

/// Counts the lines up to each feature of a pass.
pub(super) struct Lines<'t> {
    pub text: &'t str,
    /// Counted up to here, which is on `line`.
    pub at: usize,
    pub line: usize,
}

impl Lines<'_> {
    pub fn line_of(&mut self, part: &str) -> usize {
        let start = offset_in(self.text, part).max(self.at);
        self.line += newlines(&self.text.as_bytes()[self.at..start]);
        self.at = start;
        self.line
    }
}

/// The top-level object: its `type` and `crs`, every other member but `features` skipped,
/// `features` read element by element.
pub(super) struct Collection<'a, 't> {
    /// Whether the text resumes inside the features array, behind the synthetic `{"":[0`.
    pub resumed: bool,
    pub members: Members,
    pub lines: Lines<'t>,
    pub features: &'a mut Vec<RawFeature<'t>>,
    pub at_features: &'a mut Option<Members>,
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
        if self.resumed {
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
pub(super) struct Features<'a, 't> {
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

pub(super) fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Where `part` (borrowed from `text`) starts in it.
pub(super) fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .map_or(0, |at| at.min(text.len()))
}
