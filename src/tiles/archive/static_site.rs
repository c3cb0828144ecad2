//! What a static host needs besides the archive, for MapLibre to draw the zone from it with
//! no server of ours: the zone's style pointing at the archive through the `pmtiles://`
//! protocol (npm `pmtiles`, which reads the archive with HTTP range requests) and the glyphs
//! of its labels as files. `zagore export --style FILE --public-url URL` writes both.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::super::{fonts, style};
use crate::zone::Zone;

/// Why the style or its glyphs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StaticSiteError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--public-url {0:?}: give the http:// or https:// address the archive, the style and fonts/ will be published at, without a query")]
    PublicUrl(String),
}

/// The public address of the published folder, checked: `http(s)://host[/path]`, no query or
/// fragment; without its trailing slash.
pub fn public_url(text: &str) -> Result<String, StaticSiteError> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty()
            && !r.contains(['?', '#', ' ', '"', '\\'])
            && r.chars().all(|c| c.is_ascii_graphic())
    });
    if !ok {
        return Err(StaticSiteError::PublicUrl(text.to_string()));
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// The zone's style (the server's own, [`style::zone_style`]) with its tiles read from the
/// archive published at `public_url`/`archive` and its glyphs from `public_url`/fonts.
pub fn archive_style(zone: &Zone, public_url: &str, archive: &str) -> Value {
    let mut style = style::zone_style(zone, public_url);
    style["sources"]["zagore"] = json!({
        "type": "vector",
        "url": format!("pmtiles://{public_url}/{archive}"),
        "attribution": "Industrial Zone Zagore; approximate digitisation, not surveyed",
    });
    style
}

/// Writes the style to `file` and every glyph range of the style's fonts under `fonts/`
/// beside it (`fonts/{fontstack}/{start}-{end}.pbf`, as the style's `glyphs` asks).
/// Returns how many glyph files were written.
pub fn write(style: &Value, file: &Path) -> Result<usize, StaticSiteError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StaticSiteError::Write { path, source }
    };
    let text = serde_json::to_string_pretty(style).unwrap_or_default();
    std::fs::write(file, text).map_err(err(file))?;
    let dir = file.parent().unwrap_or(Path::new(".")).join("fonts");
    let mut written = 0;
    for stack in fonts::FONTSTACKS {
        let stack_dir = dir.join(stack);
        std::fs::create_dir_all(&stack_dir).map_err(err(&stack_dir))?;
        for start in (0..=65280u32).step_by(256) {
            let range = format!("{start}-{}.pbf", start + 255);
            // Every range in steps of 256 up to 65535 is one `glyph_range` serves.
            let Ok(bytes) = fonts::glyph_range(stack, &range) else {
                continue;
            };
            let path = stack_dir.join(&range);
            std::fs::write(&path, &bytes).map_err(err(&path))?;
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_http_or_https_without_a_query() {
        assert_eq!(
            public_url("https://tiles.example.bg/zone/").unwrap(),
            "https://tiles.example.bg/zone"
        );
        assert!(public_url("http://127.0.0.1:8081").is_ok());
        for bad in [
            "ftp://x",
            "tiles.example.bg",
            "https://",
            "https://x/?a=1",
            "https://x/\"><script>",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }
}
