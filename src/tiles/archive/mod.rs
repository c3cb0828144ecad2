//! Static tile archives: `zagore export` writes every non-empty tile of a [`TileSource`] over
//! a zoom range into one file — PMTiles v3 ([`pmtiles`]) or MBTiles ([`mbtiles`]) — for
//! object storage, a CDN or any static host. The tiles are the source's own bytes (the
//! gzipped MVT the server sends), so an archive's tile is byte for byte the one
//! `/tiles/{z}/{x}/{y}` serves; the metadata carries TileJSON's `vector_layers`, bounds,
//! centre and attribution.
//!
//! How: for each zoom, the tiles covering the data's bounds (or the requested box), one
//! tile wider on each side (a feature near an edge reaches the neighbour's buffer), in the
//! archive's order (PMTiles' Hilbert tile ids), encoded on every core a chunk at a time and
//! written in order by one writer, so memory stays bounded by a chunk. The file is written
//! under a temporary name beside the target and renamed when complete: an interrupted export
//! leaves no half archive behind.
//!
//! [`static_site`] writes what a static host needs besides: a style reading the archive
//! through MapLibre's `pmtiles://` protocol, and the glyphs as files.

mod mbtiles;
mod pmtiles;
pub mod static_site;
mod writer;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::coord::{lonlat_to_tile, TileCoord};
use super::source::TileSource;
use crate::index::BBox;
use writer::ArchiveWriter;
pub use writer::{ExportError, Metadata, MAX_EXPORT_ZOOM};

/// Tiles encoded in parallel before they are written, in order.
const CHUNK: usize = 512;

/// The archive formats, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    PmTiles,
    MbTiles,
}

impl ArchiveFormat {
    pub fn from_path(path: &Path) -> Result<ArchiveFormat, ExportError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("pmtiles") => Ok(ArchiveFormat::PmTiles),
            Some("mbtiles") => Ok(ArchiveFormat::MbTiles),
            _ => Err(ExportError::Format(path.display().to_string())),
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Only tiles meeting this WGS84 box (within the data's bounds either way).
    pub bbox: Option<BBox>,
}

/// Progress of an export, reported after each chunk and at the end of each zoom.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub zoom: u8,
    /// Tiles of this zoom looked at so far, and in all.
    pub done: usize,
    pub total: usize,
    /// Non-empty tiles written so far (every zoom).
    pub written: usize,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Non-empty tiles written, per zoom (lowest first).
    pub per_zoom: Vec<(u8, usize)>,
    /// Candidate tiles that turned out empty (not stored).
    pub empty: usize,
    /// The archive's size, bytes.
    pub bytes: u64,
}

impl ExportSummary {
    pub fn tiles(&self) -> usize {
        self.per_zoom.iter().map(|(_, n)| n).sum()
    }
}

/// Writes every non-empty tile of `source` in `plan` to `out`. Blocking: runs on every core.
pub fn export(
    source: &dyn TileSource,
    plan: &ExportPlan,
    out: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let format = ArchiveFormat::from_path(out)?;
    let source_max = source.max_zoom();
    if plan.min_zoom > plan.max_zoom || plan.max_zoom > MAX_EXPORT_ZOOM.min(source_max) {
        return Err(ExportError::Zooms {
            min: plan.min_zoom,
            max: plan.max_zoom,
            source_max,
        });
    }
    let metadata = metadata(source, plan)?;
    let area = BBox {
        west: metadata.bounds[0],
        south: metadata.bounds[1],
        east: metadata.bounds[2],
        north: metadata.bounds[3],
    };
    let shown = out.display().to_string();
    let write_error = |message: String| ExportError::Write {
        path: shown.clone(),
        message,
    };
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let mut writer: Box<dyn ArchiveWriter> = match format {
        ArchiveFormat::PmTiles => Box::new(pmtiles::Writer::create(&partial, &metadata)?),
        ArchiveFormat::MbTiles => Box::new(mbtiles::Writer::create(&partial)?),
    };
    let mut summary = ExportSummary::default();
    let mut written = 0;
    let result = (|| {
        for zoom in plan.min_zoom..=plan.max_zoom {
            let mut tiles = covering(zoom, area);
            if format == ArchiveFormat::PmTiles {
                tiles.sort_by_key(|t| pmtiles::tile_id(*t));
            }
            let total = tiles.len();
            let mut here = 0;
            for (n, chunk) in tiles.chunks(CHUNK).enumerate() {
                let encoded: Vec<_> = chunk
                    .par_iter()
                    .map(|&tile| {
                        source
                            .tile(tile)
                            .map(|t| (tile, t))
                            .map_err(|source| ExportError::Tile { tile, source })
                    })
                    .collect::<Result<_, _>>()?;
                for (tile, bytes) in encoded {
                    if bytes.raw.is_empty() {
                        summary.empty += 1;
                        continue;
                    }
                    writer.add(tile, &bytes.gzip).map_err(write_error)?;
                    here += 1;
                }
                progress(Progress {
                    zoom,
                    done: (n * CHUNK + chunk.len()).min(total),
                    total,
                    written: written + here,
                });
            }
            if total == 0 {
                progress(Progress {
                    zoom,
                    done: 0,
                    total,
                    written,
                });
            }
            written += here;
            summary.per_zoom.push((zoom, here));
        }
        writer.finish(&metadata).map_err(write_error)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, out).map_err(|e| write_error(e.to_string()))?;
    summary.bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(summary)
}

/// Where the archive is written until it is complete.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    out.with_file_name(name)
}

/// The archive's metadata: the source's TileJSON with the plan's zooms, bounds (the data's
/// bounds, cut to the plan's box) and centre.
fn metadata(source: &dyn TileSource, plan: &ExportPlan) -> Result<Metadata, ExportError> {
    let mut tilejson = source.tilejson("");
    let number = |v: &Value, i: usize| v.get(i).and_then(Value::as_f64);
    let b = tilejson.get("bounds").cloned().unwrap_or(Value::Null);
    let mut bounds = match (number(&b, 0), number(&b, 1), number(&b, 2), number(&b, 3)) {
        (Some(w), Some(s), Some(e), Some(n)) => [w, s, e, n],
        _ => return Err(ExportError::NoExtent),
    };
    if let Some(cut) = plan.bbox {
        bounds = [
            bounds[0].max(cut.west),
            bounds[1].max(cut.south),
            bounds[2].min(cut.east),
            bounds[3].min(cut.north),
        ];
        if bounds[0] > bounds[2] || bounds[1] > bounds[3] {
            return Err(ExportError::NoExtent);
        }
    }
    let c = tilejson.get("center").cloned().unwrap_or(Value::Null);
    let inside = |lon: f64, lat: f64| {
        (bounds[0]..=bounds[2]).contains(&lon) && (bounds[1]..=bounds[3]).contains(&lat)
    };
    let center_zoom = c.get(2).and_then(Value::as_u64).map_or(plan.min_zoom, |z| {
        z.clamp(plan.min_zoom.into(), plan.max_zoom.into()) as u8
    });
    let center = match (number(&c, 0), number(&c, 1)) {
        (Some(lon), Some(lat)) if inside(lon, lat) => (lon, lat, center_zoom),
        _ => (
            (bounds[0] + bounds[2]) / 2.0,
            (bounds[1] + bounds[3]) / 2.0,
            center_zoom,
        ),
    };
    // The archive's TileJSON: its own zooms; no tile URL (the host decides where it lives).
    if let Some(obj) = tilejson.as_object_mut() {
        obj.remove("tiles");
        obj.insert("minzoom".into(), plan.min_zoom.into());
        obj.insert("maxzoom".into(), plan.max_zoom.into());
        obj.insert("bounds".into(), serde_json::json!(bounds));
        obj.insert(
            "center".into(),
            serde_json::json!([center.0, center.1, center.2]),
        );
        if let Some(Value::Array(layers)) = obj.get_mut("vector_layers") {
            for layer in layers {
                let min = layer.get("minzoom").and_then(Value::as_u64).unwrap_or(0);
                layer["minzoom"] = min.clamp(plan.min_zoom.into(), plan.max_zoom.into()).into();
                layer["maxzoom"] = plan.max_zoom.into();
            }
        }
    }
    Ok(Metadata {
        tilejson,
        min_zoom: plan.min_zoom,
        max_zoom: plan.max_zoom,
        bounds,
        center,
    })
}

/// The tiles of `zoom` meeting `area`, one tile wider on each side.
fn covering(zoom: u8, area: BBox) -> Vec<TileCoord> {
    let last = (1i64 << zoom) - 1;
    let (x0, y0) = lonlat_to_tile(zoom, area.west, area.north.min(85.051_128));
    let (x1, y1) = lonlat_to_tile(zoom, area.east, area.south.max(-85.051_128));
    let clamp = |v: f64, grow: i64| ((v.floor() as i64) + grow).clamp(0, last) as u32;
    let (x0, x1) = (clamp(x0, -1), clamp(x1, 1));
    let (y0, y1) = (clamp(y0, -1), clamp(y1, 1));
    (y0..=y1)
        .flat_map(|y| (x0..=x1).map(move |x| TileCoord { z: zoom, x, y }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_takes_one_tile_more_on_each_side_and_stays_in_the_world() {
        // Stara Zagora at z10: one tile, so 3 × 3 with the ring around it.
        let zone = BBox {
            west: 25.6,
            south: 42.40,
            east: 25.61,
            north: 42.41,
        };
        let tiles = covering(10, zone);
        assert_eq!(tiles.len(), 9);
        let world = BBox {
            west: -180.0,
            south: -90.0,
            east: 180.0,
            north: 90.0,
        };
        assert_eq!(covering(0, world), vec![TileCoord { z: 0, x: 0, y: 0 }]);
        assert_eq!(covering(2, world).len(), 16);
    }

    #[test]
    fn the_format_comes_from_the_extension() {
        assert_eq!(
            ArchiveFormat::from_path(Path::new("a/zone.pmtiles")).unwrap(),
            ArchiveFormat::PmTiles
        );
        assert_eq!(
            ArchiveFormat::from_path(Path::new("zone.mbtiles")).unwrap(),
            ArchiveFormat::MbTiles
        );
        let err = ArchiveFormat::from_path(Path::new("zone.zip")).unwrap_err();
        assert!(err.to_string().contains("zone.zip"), "{err}");
    }
}
