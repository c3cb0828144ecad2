//! Encoding one tile: picks each layer's features from the index, turns their WGS84
//! geometry into clipped, simplified integer tile geometry ([`super::frame`]) and writes MVT
//! 2.1 with the `mvt` crate ([`super::mvt_geometry`]). Pure CPU work: callers run it on a
//! blocking thread.
//!
//! From [`FULL_DETAIL_ZOOM`] up, tiles are full detail: every plot with its whole card.
//! Below it the plots layer is generalised (see `docs/tiles.md`): only what the style and
//! viewer use there (`status`, `stage` and the feature id), a quarter-pixel grid, plots
//! smaller than a pixel replaced by pixel squares where enough of them gather
//! ([`TinyPlots`]), and labels only for plots that can hold one.

use geo::{Coord, CoordsIter};

use super::coord::{TileCoord, EXTENT};
use super::frame::{Detail, Frame};
use super::geometry::P;
use super::layers::{self, Prepared, TileLayer};
use super::mvt_geometry::{GeomType, GeometryParts};
use crate::geodata::{Feature, LayerKind, PropValue};
use crate::zone::Zone;

/// The lowest zoom whose tiles carry every plot in full detail with its card.
pub const FULL_DETAIL_ZOOM: u8 = 14;

/// The properties the plots layer keeps below [`FULL_DETAIL_ZOOM`]: the fill colour's and
/// the filters' fields (hover uses the feature id).
pub const LOW_ZOOM_PLOT_FIELDS: [&str; 2] = ["status", "stage"];

/// A pixel of a 256-pixel tile, in tile units.
const PIXEL: i64 = EXTENT as i64 / 256;

/// Below [`FULL_DETAIL_ZOOM`], a plot gets a label only when it is at least this many
/// square pixels: room for a cadastral number of about 13 characters at 10 px.
const LABEL_MIN_AREA_PX: f64 = 80.0 * 24.0;

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("MVT encoding failed: {0}")]
    Mvt(#[from] mvt::Error),
}

/// Encodes a tile; an empty `Vec` when no layer has a feature in it.
pub fn encode_tile(
    zone: &Zone,
    prepared: &Prepared,
    tile: TileCoord,
    buffer: u32,
) -> Result<Vec<u8>, EncodeError> {
    encode_tile_of(zone, prepared, tile, buffer, None)
}

/// Encodes a tile with only the tile layers drawn from `only` (one collection's tiles), or
/// every layer when `None`. Each layer is encoded alone, so a collection's tile holds the
/// very bytes of those layers in the whole tile.
pub fn encode_tile_of(
    zone: &Zone,
    prepared: &Prepared,
    tile: TileCoord,
    buffer: u32,
    only: Option<LayerKind>,
) -> Result<Vec<u8>, EncodeError> {
    let full = tile.z >= FULL_DETAIL_ZOOM;
    // Only the plots are generalised below full detail: the other layers are few features.
    let frame = Frame::new(tile, buffer, Detail::FULL);
    let plots_frame = Frame::new(
        tile,
        buffer,
        if full { Detail::FULL } else { Detail::LOW_ZOOM },
    );
    let mut out = mvt::Tile::new(EXTENT);
    let mut any = false;
    let mut geometry = GeometryParts::default();
    for spec in &layers::tile_layers(zone) {
        if tile.z < spec.min_zoom || only.is_some_and(|kind| kind != spec.source) {
            continue;
        }
        let Some(layer) = zone.layer(spec.source) else {
            continue;
        };
        let frame = if spec.source == LayerKind::Plots {
            &plots_frame
        } else {
            &frame
        };
        let mut positions: Vec<usize> = zone
            .spatial_index(spec.source)
            .candidates(frame.lonlat)
            .collect();
        positions.sort_unstable();
        let mut mvt_layer = out.create_layer(spec.name);
        let mut tiny = TinyPlots::default();
        for i in positions {
            let feature = &layer.features[i];
            if spec.source == LayerKind::Roads
                && tile.z < layers::road_min_zoom(feature.str_prop("class"))
            {
                continue;
            }
            let kind = match (spec.name, spec.source) {
                ("plot_labels", _) => {
                    if !full && !holds_a_label(frame, feature) {
                        continue;
                    }
                    prepared
                        .label(i, feature)
                        .and_then(|c| frame.point_at(frame.snap_mercator(c), &mut geometry))
                }
                (_, LayerKind::Plots) if !full => {
                    match tiny.consider(frame, feature, &mut geometry) {
                        Tiny::No => frame.geometry(
                            &feature.lonlat,
                            prepared.locked(spec.source, i),
                            &mut geometry,
                        ),
                        Tiny::Dropped => None,
                        Tiny::Square(kind) => Some(kind),
                    }
                }
                _ => frame.geometry(
                    &feature.lonlat,
                    prepared.locked(spec.source, i),
                    &mut geometry,
                ),
            };
            let Some(kind) = kind else {
                continue;
            };
            let mut mvt_feature = mvt_layer.into_feature(geometry.encode(kind)?);
            mvt_feature.set_id(feature.numeric_id);
            write_tags(zone, spec, full, i, feature, &mut mvt_feature);
            mvt_layer = mvt_feature.into_layer();
        }
        if mvt_layer.num_features() > 0 {
            out.add_layer(mvt_layer)?;
            any = true;
        }
    }
    if !any {
        return Ok(Vec::new());
    }
    Ok(out.to_bytes()?)
}

/// A layer's properties for one feature: below [`FULL_DETAIL_ZOOM`] the plots carry
/// [`LOW_ZOOM_PLOT_FIELDS`], else every layer what [`layers::visit_feature_properties`] says.
fn write_tags(
    zone: &Zone,
    spec: &TileLayer,
    full: bool,
    position: usize,
    feature: &Feature,
    out: &mut mvt::Feature,
) {
    if !full && spec.name == "plots" {
        for key in LOW_ZOOM_PLOT_FIELDS {
            if let Some(v) = zone.plot_field(feature, key) {
                add_tag(out, key, &v);
            }
        }
        return;
    }
    layers::visit_feature_properties(zone, spec, position, feature, |k, v| add_tag(out, k, v));
}

/// A scalar property becomes a tag with its JSON type; null, arrays and objects are left
/// out (MVT has no such values).
fn add_tag(feature: &mut mvt::Feature, key: &str, value: &PropValue) {
    match value {
        PropValue::Text(s) => feature.add_tag_string(key, s),
        PropValue::Bool(b) => feature.add_tag_bool(key, *b),
        PropValue::Number(n) => {
            if let Some(i) = n.as_i64() {
                feature.add_tag_sint(key, i);
            } else if let Some(u) = n.as_u64() {
                feature.add_tag_uint(key, u);
            } else if let Some(f) = n.as_f64() {
                feature.add_tag_double(key, f);
            }
        }
        PropValue::Null | PropValue::Json(_) => {}
    }
}

/// A plot's area on screen at the frame's zoom, square tile units (Web Mercator scales
/// areas by 1/cos²φ at the plot's latitude).
fn screen_area(frame: &Frame, plot: &Feature) -> Option<(f64, Coord<f64>)> {
    let first = plot.lonlat.coords_iter().next()?;
    let scale = frame.units_per_metre(first.y);
    Some((plot.area_m2? * scale * scale, first))
}

/// Whether a plot is large enough, at a zoom below full detail, to hold its label.
fn holds_a_label(frame: &Frame, plot: &Feature) -> bool {
    let pixel = (PIXEL * PIXEL) as f64;
    screen_area(frame, plot).is_some_and(|(area, _)| area >= LABEL_MIN_AREA_PX * pixel)
}

/// What becomes of a plot below full detail.
enum Tiny {
    /// Large enough: drawn as it is.
    No,
    /// Smaller than a pixel: left out, its area set aside.
    Dropped,
    /// Smaller than a pixel, and the area set aside reached a pixel: drawn as a pixel square
    /// where it lies (the geometry is written).
    Square(GeomType),
}

/// Tippecanoe's tiny-polygon reduction: plots smaller than a pixel are dropped, but their
/// area is added up, and each time the sum reaches a pixel a pixel-sized square is drawn
/// at the plot that tipped it over. A dense field of small plots keeps its density and its
/// colours; a tile does not carry thousands of sub-pixel polygons. Each plot counts in the
/// one tile whose proper area holds its first vertex, so the buffers of neighbouring tiles
/// do not count it twice.
#[derive(Default)]
struct TinyPlots {
    area: f64,
}

impl TinyPlots {
    fn consider(&mut self, frame: &Frame, plot: &Feature, out: &mut GeometryParts) -> Tiny {
        let pixel = (PIXEL * PIXEL) as f64;
        let Some((area, first)) = screen_area(frame, plot) else {
            return Tiny::No;
        };
        if area >= pixel {
            return Tiny::No;
        }
        let at: P = frame.snap(first);
        if !frame.owns(at) {
            return Tiny::Dropped;
        }
        self.area += area;
        if self.area < pixel {
            return Tiny::Dropped;
        }
        self.area -= pixel;
        out.clear();
        match frame.square(at, PIXEL, out) {
            Some(kind) => Tiny::Square(kind),
            None => Tiny::Dropped,
        }
    }
}
