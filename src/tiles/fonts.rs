//! Glyphs for the style's text labels, served at `/fonts/{fontstack}/{range}.pbf` so
//! maps label plots without any internet access. The SDF glyph ranges of Noto Sans Regular
//! and Bold (SIL Open Font License, `web/fonts/OFL.txt`) were generated with `glyphore` from
//! the fonts' TTF files and are compiled into the binary: nothing to install or locate at run
//! time. Ranges a font has no glyphs in are answered with a valid empty range, as MapLibre
//! expects; an unknown font is a 404. See `docs/tiles.md` for how to regenerate them.

use axum::body::Bytes;

/// The fontstacks served, by name as MapLibre asks for them.
pub const FONTSTACKS: [&str; 2] = ["Noto Sans Regular", "Noto Sans Bold"];

/// One font's glyph ranges: `(start, bytes)`, the bytes compiled in from
/// `web/fonts/<font>/<start>-<end>.pbf`.
type Ranges = &'static [(u32, &'static [u8])];

/// The ranges a font has glyphs in (the same for both fonts), compiled in.
macro_rules! glyph_ranges {
    ($font:literal; $($start:literal - $end:literal),* $(,)?) => {
        &[$((
            $start,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/web/fonts/",
                $font,
                "/",
                stringify!($start),
                "-",
                stringify!($end),
                ".pbf"
            )) as &[u8],
        )),*]
    };
}

static REGULAR: Ranges = glyph_ranges!("Noto Sans Regular";
    0 - 255,
    256 - 511,
    512 - 767,
    768 - 1023,
    1024 - 1279,
    1280 - 1535,
    7424 - 7679,
    7680 - 7935,
    7936 - 8191,
    8192 - 8447,
    8448 - 8703,
    8704 - 8959,
    8960 - 9215,
    9472 - 9727,
    9728 - 9983,
    10496 - 10751,
    11264 - 11519,
    11776 - 12031,
    42752 - 43007,
    64256 - 64511,
    65024 - 65279,
    65280 - 65535,
);

static BOLD: Ranges = glyph_ranges!("Noto Sans Bold";
    0 - 255,
    256 - 511,
    512 - 767,
    768 - 1023,
    1024 - 1279,
    1280 - 1535,
    7424 - 7679,
    7680 - 7935,
    7936 - 8191,
    8192 - 8447,
    8448 - 8703,
    8704 - 8959,
    8960 - 9215,
    9472 - 9727,
    9728 - 9983,
    10496 - 10751,
    11264 - 11519,
    11776 - 12031,
    42752 - 43007,
    64256 - 64511,
    65024 - 65279,
    65280 - 65535,
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    #[error("no font named in {0:?} is served (available: Noto Sans Regular, Noto Sans Bold)")]
    UnknownFontstack(String),
    #[error("{0:?} is not a glyph range: expected START-END.pbf with START a multiple of 256 and END = START + 255 ≤ 65535")]
    BadRange(String),
}

/// The glyph PBF for a fontstack (a comma-separated list: the first one served wins) and a
/// range such as `0-255.pbf`.
/// Served without a copy: the compiled-in bytes are shared as they are.
pub fn glyph_range(fontstack: &str, range: &str) -> Result<Bytes, FontError> {
    let start = parse_range(range).ok_or_else(|| FontError::BadRange(range.to_string()))?;
    let (name, table) = fontstack
        .split(',')
        .map(str::trim)
        .find_map(|name| match name {
            "Noto Sans Regular" => Some((name, REGULAR)),
            "Noto Sans Bold" => Some((name, BOLD)),
            _ => None,
        })
        .ok_or_else(|| FontError::UnknownFontstack(fontstack.to_string()))?;
    Ok(match table.iter().find(|(s, _)| *s == start) {
        Some((_, bytes)) => Bytes::from_static(bytes),
        None => Bytes::from(empty_range(name, start)),
    })
}

fn parse_range(range: &str) -> Option<u32> {
    let (start, end) = range.strip_suffix(".pbf")?.split_once('-')?;
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(start) || !all_digits(end) {
        return None;
    }
    let (start, end): (u32, u32) = (start.parse().ok()?, end.parse().ok()?);
    (start % 256 == 0 && end == start + 255 && end <= 65535).then_some(start)
}

/// A glyphs message with one fontstack and no glyphs (protobuf, written by hand: `glyphs {
/// stacks = 1 }`, `fontstack { name = 1; range = 2 }`).
fn empty_range(name: &str, start: u32) -> Vec<u8> {
    let range = format!("{start}-{}", start + 255);
    let mut stack = Vec::new();
    for (field, text) in [(0x0a_u8, name), (0x12, range.as_str())] {
        stack.push(field);
        stack.push(text.len() as u8); // names and ranges are far below 128 bytes
        stack.extend_from_slice(text.as_bytes());
    }
    let mut out = vec![0x0a, stack.len() as u8];
    out.extend(stack);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_validated_and_missing_ones_are_empty() {
        assert!(
            glyph_range("Noto Sans Regular", "1024-1279.pbf")
                .unwrap()
                .len()
                > 1000
        );
        assert!(glyph_range("Foo,Noto Sans Bold", "0-255.pbf").is_ok());
        assert!(matches!(
            glyph_range("Comic Sans", "0-255.pbf"),
            Err(FontError::UnknownFontstack(_))
        ));
        for bad in [
            "0-256.pbf",
            "1-256.pbf",
            "65536-65791.pbf",
            "a-b.pbf",
            "0-255.png",
            "-255.pbf",
        ] {
            assert!(
                matches!(
                    glyph_range("Noto Sans Regular", bad),
                    Err(FontError::BadRange(_))
                ),
                "{bad}"
            );
        }
        let empty = glyph_range("Noto Sans Regular", "19968-20223.pbf").unwrap();
        assert_eq!(empty[0], 0x0a);
        assert!(String::from_utf8_lossy(&empty).contains("19968-20223"));
    }
}
