//! CSV for a spreadsheet: UTF-8 with a byte-order mark (Excel then reads Cyrillic right),
//! RFC 4180 quoting, a header line of the column names, and text that could run as a formula
//! neutralised with a leading `'` (OWASP's CSV-injection rule, as the distance table's CSV).

use super::table::{text, Table};

/// The byte-order mark Excel needs to read a CSV file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first) gets a leading `'`; numbers are left as they are.
pub fn neutralise_formula(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

/// One field, neutralised and quoted when it holds a separator, a quote or a line break.
pub fn field(cell: String) -> String {
    let s = neutralise_formula(cell);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn write(table: &Table<'_>) -> String {
    let mut out = String::from(BOM);
    let header: Vec<String> = table.columns.iter().map(|c| field(c.clone())).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &table.rows {
        let line: Vec<String> = table
            .columns
            .iter()
            .map(|c| field(text(row.get(c).as_ref())))
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("a,b".into()), "\"a,b\"");
        assert_eq!(field("say \"hi\"".into()), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1".into()), "'=1+1");
        assert_eq!(field("-12.5".into()), "-12.5");
        assert_eq!(
            field("УПИ I-520.101, кв. 1".into()),
            "\"УПИ I-520.101, кв. 1\""
        );
    }
}
