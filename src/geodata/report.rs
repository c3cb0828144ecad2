//! The `zagore check` report: what was read from each layer, the stages' areas, and every
//! problem found, in a form a person reads in a terminal.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::model::{Checked, LayerKind};
use super::problem::Severity;

/// Area totals of one stage, from its plots.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StageArea {
    pub stage: i64,
    pub plots: usize,
    /// Sum of the plots' geodesic areas on the WGS84 ellipsoid.
    pub computed_m2: f64,
    /// Sum of the plots' declared areas (plots without one are left out).
    pub declared_m2: f64,
}

/// Per-stage area totals of the plots layer, ordered by stage.
pub fn stage_areas(checked: &Checked) -> Vec<StageArea> {
    let mut stages: BTreeMap<i64, StageArea> = BTreeMap::new();
    if let Some(plots) = checked.dataset.layer(LayerKind::Plots) {
        for f in &plots.features {
            let Some(stage) = f.stage() else { continue };
            let entry = stages.entry(stage).or_insert_with(|| StageArea {
                stage,
                ..StageArea::default()
            });
            entry.plots += 1;
            entry.computed_m2 += f.area_m2.unwrap_or(0.0);
            entry.declared_m2 += f.num_prop("declared_area_m2").unwrap_or(0.0);
        }
    }
    stages.into_values().collect()
}

/// Thousands separated by thin spaces, as Bulgarian and SI usage writes them.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    if value < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Renders the whole report.
pub fn render(checked: &Checked) -> String {
    let ds = &checked.dataset;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "geodata: {} (version {})",
        ds.dir.display(),
        ds.version
    );
    for layer in &ds.layers {
        let crs_name = layer
            .source_crs
            .name()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = writeln!(out, "\nlayer {}: {}", layer.kind, layer.file.display());
        let _ = writeln!(
            out,
            "  source CRS: {}{crs_name}, {}",
            layer.source_crs, layer.crs_source
        );
        let _ = writeln!(
            out,
            "  axis order: {} ({})",
            layer.axis_order, layer.axis_reason
        );
        let _ = writeln!(out, "  features:   {}", layer.features.len());
        if let Some(e) = layer.extent {
            let _ = writeln!(
                out,
                "  extent:     {:.6}, {:.6} .. {:.6}, {:.6} (WGS84 lon, lat)",
                e.min().x,
                e.min().y,
                e.max().x,
                e.max().y
            );
        }
    }
    let stages = stage_areas(checked);
    if !stages.is_empty() {
        let _ = writeln!(
            out,
            "\nstage areas (plots, geodesic on the WGS84 ellipsoid):"
        );
        for s in &stages {
            let _ = writeln!(
                out,
                "  stage {}: {} plots, {} m² = {:.3} decares (declared {} m², {:+.2} %)",
                s.stage,
                s.plots,
                grouped(s.computed_m2),
                s.computed_m2 / 1000.0,
                grouped(s.declared_m2),
                if s.declared_m2 > 0.0 {
                    (s.computed_m2 - s.declared_m2) / s.declared_m2 * 100.0
                } else {
                    0.0
                }
            );
        }
    }
    let errors = checked
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = checked.problems.len() - errors;
    let _ = writeln!(out, "\n{errors} error(s), {warnings} warning(s)");
    for p in &checked.problems {
        let _ = writeln!(out, "  {p}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(115454.4), "115 454");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1234567.0), "1 234 567");
    }
}
