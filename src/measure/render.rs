//! The distance table in the forms planners use: JSON rows, CSV for a spreadsheet and a
//! Markdown table for the docs (what `zagore distances` prints).

use serde_json::{json, Map, Value};

use crate::zone::distance::table::SUMMARY_FIELDS;
use crate::zone::DistanceTable;

/// The table's columns: the card summary's keys ([`SUMMARY_FIELDS`]), after the plot and
/// its stage.
pub const COLUMNS: [&str; 2 + SUMMARY_FIELDS.len()] = columns();

const fn columns() -> [&'static str; 2 + SUMMARY_FIELDS.len()] {
    let mut all = [""; 2 + SUMMARY_FIELDS.len()];
    all[0] = "plot_id";
    all[1] = "stage";
    let mut i = 0;
    while i < SUMMARY_FIELDS.len() {
        all[2 + i] = SUMMARY_FIELDS[i];
        i += 1;
    }
    all
}

/// One flat object per plot, keyed by [`COLUMNS`].
pub fn rows(table: &DistanceTable) -> Vec<Map<String, Value>> {
    table
        .rows()
        .iter()
        .map(|row| {
            let mut out = Map::new();
            out.insert("plot_id".into(), json!(row.plot_id));
            out.insert("stage".into(), json!(row.stage));
            out.extend(row.distances.summary());
            out
        })
        .collect()
}

fn cell(row: &Map<String, Value>, column: &str) -> String {
    match row.get(column) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if column.ends_with("_m") => format!("{f:.1}"),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first: OWASP's CSV-injection rule) gets a leading `'`, which spreadsheets show as
/// text. Numbers are left as they are (the table's are never negative anyway).
fn neutralise_formula(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

/// RFC 4180 CSV with a header line; text that could run as a spreadsheet formula is
/// neutralised ([`neutralise_formula`]).
pub fn csv(table: &DistanceTable) -> String {
    let quote = |s: String| {
        let s = neutralise_formula(s);
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for row in rows(table) {
        let line: Vec<String> = COLUMNS.iter().map(|c| quote(cell(&row, c))).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A Markdown table (distances in metres, to 0.1 m).
pub fn markdown(table: &DistanceTable) -> String {
    let escape = |s: String| s.replace('|', "\\|");
    let mut out = format!("| {} |\n", COLUMNS.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
    for row in rows(table) {
        let line: Vec<String> = COLUMNS.iter().map(|c| escape(cell(&row, c))).collect();
        out.push_str(&format!("| {} |\n", line.join(" | ")));
    }
    out
}

/// The JSON document of `GET /plots/distances`.
pub fn json(table: &DistanceTable) -> Value {
    json!({ "columns": COLUMNS, "plots": rows(table) })
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn cells_that_would_run_as_formulas_are_neutralised() {
        for risky in [
            "=HYPERLINK(\"http://x\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise_formula(risky.into()), format!("'{risky}"));
        }
        assert_eq!(neutralise_formula("-12.5".into()), "-12.5");
        assert_eq!(neutralise_formula("Път I-5".into()), "Път I-5");
    }
}
