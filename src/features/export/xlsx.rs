//! An Excel workbook of the table (rust_xlsxwriter): one sheet named after the collection,
//! a bold frozen header row with a filter, numbers stored as numbers and booleans as
//! booleans (so a spreadsheet sorts and sums them), everything else as text — never as a
//! formula.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Value;

use super::table::{text, Table};

pub fn write(table: &Table<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // Sheet names are at most 31 characters and cannot hold []:*?/\.
    let name: String = table
        .name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if !name.is_empty() {
        sheet.set_name(&name)?;
    }
    let bold = Format::new().set_bold();
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, column, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, column) in table.columns.iter().enumerate() {
            let c = c as u16;
            match row.get(column) {
                None | Some(Value::Null) => {}
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(f) => {
                        sheet.write_number(r, c, f)?;
                    }
                    None => {
                        sheet.write_string(r, c, n.to_string())?;
                    }
                },
                Some(Value::Bool(b)) => {
                    sheet.write_boolean(r, c, b)?;
                }
                other => {
                    sheet.write_string(r, c, text(other.as_ref()))?;
                }
            }
        }
    }
    if !table.columns.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(
            0,
            0,
            table.rows.len() as u32,
            table.columns.len().saturating_sub(1) as u16,
        )?;
    }
    workbook.save_to_buffer()
}
