//! A layer's selection in `manifest.toml`: `select = [ids…]` keeps only the features listed,
//! `within = "stages"` only those inside the zone's stage outlines (a feature is inside when
//! a point in its interior lies inside an outline), so a whole settlement's cadastral export
//! drops in unedited. Applied to the features read, before the layer is indexed.

use std::collections::BTreeSet;

use geo::{Contains, InteriorPoint};

use super::manifest::{LayerManifest, Within};
use super::model::{Layer, LayerKind};
use super::problem::{Problems, Severity};

/// The layer with only the features its settings select (unchanged when they select none).
/// `before` are the layers read before it (the stages come before every other layer).
pub(super) fn apply(
    layer: Layer,
    settings: &LayerManifest,
    before: &[Layer],
    problems: &mut Problems,
) -> Layer {
    if settings.select.is_none() && settings.within.is_none() {
        return layer;
    }
    let Layer {
        kind,
        file,
        source_crs,
        crs_source,
        axis_order,
        axis_reason,
        locating,
        title,
        title_en,
        features,
        ..
    } = layer;
    let mut keep: Vec<bool> = vec![true; features.len()];
    if let Some(ids) = &settings.select {
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let found: BTreeSet<&str> = features.iter().map(|f| f.id.as_str()).collect();
        for missing in wanted.difference(&found) {
            problems.push(
                Severity::Warning,
                None,
                None,
                Some("select"),
                format!("manifest.toml selects {missing}, which the file does not have"),
            );
        }
        for (k, f) in keep.iter_mut().zip(&features) {
            *k &= wanted.contains(f.id.as_str());
        }
    }
    if let Some(Within::Stages) = settings.within {
        match before.iter().find(|l| l.kind == LayerKind::Stages) {
            Some(stages) if kind != LayerKind::Stages => {
                for (k, f) in keep.iter_mut().zip(&features) {
                    let inside = f
                        .lonlat
                        .interior_point()
                        .is_some_and(|p| stages.features.iter().any(|s| s.lonlat.contains(&p)));
                    *k &= inside;
                }
            }
            _ => problems.push(
                Severity::Error,
                None,
                None,
                Some("within"),
                "within = \"stages\" needs the stages layer, read without errors (and is not for \
                 the stages layer itself)",
            ),
        }
    }
    let mut keep = keep.into_iter();
    let features = features
        .into_iter()
        .filter(|_| keep.next().unwrap_or(false))
        .collect();
    let meta = super::model::LayerMeta {
        kind,
        file,
        crs: source_crs,
        crs_source,
        axis_order,
        axis_reason,
        locating,
        title,
        title_en,
    };
    Layer::new(meta, features)
}
