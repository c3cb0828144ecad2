//! `zagore register export` and `zagore register import FILE [--dry-run]`: the register as
//! CSV or JSON, for backups and bulk changes. An export holds every entry with every field
//! (private ones too: keep it safe); an import is validated row by row first (every error
//! listed with its row and field), then committed in one transaction with an audit record
//! per changed entry — all rows or none. Rows that change nothing are skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::register::facts::FIELDS;
use crate::register::{self, Change, Facts, Register};

/// Columns an export adds that an import ignores.
const META: [&str; 3] = ["revision", "updated_at", "updated_by"];

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

fn open(config: &Config) -> Result<Box<dyn Register>, String> {
    register::open_store(&register::location(config)).map_err(|e| e.to_string())
}

/// `zagore register export`: every entry to stdout.
pub fn export(config: &Config, format: Format) -> ExitCode {
    match export_text(config, format) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn export_text(config: &Config, format: Format) -> Result<String, String> {
    let book = open(config)?.load().map_err(|e| e.to_string())?;
    let rows: Vec<Map<String, Value>> = book
        .entries()
        .map(|e| {
            let mut row = Map::new();
            row.insert("plot".into(), json!(e.plot));
            row.extend(e.facts.to_json());
            row.insert("revision".into(), json!(e.revision));
            row.insert("updated_at".into(), json!(e.updated_at));
            row.insert("updated_by".into(), json!(e.updated_by));
            row
        })
        .collect();
    match format {
        Format::Json => serde_json::to_string_pretty(&rows)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string()),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            let header: Vec<&str> = std::iter::once("plot").chain(FIELDS).chain(META).collect();
            out.write_record(&header).map_err(|e| e.to_string())?;
            for row in &rows {
                let cells: Vec<String> = header
                    .iter()
                    .map(|k| match row.get(*k) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                    })
                    .collect();
                out.write_record(&cells).map_err(|e| e.to_string())?;
            }
            let bytes = out.into_inner().map_err(|e| e.to_string())?;
            String::from_utf8(bytes).map_err(|e| e.to_string())
        }
    }
}

/// One row of an import: where it is in the file, the plot and the fields it sets.
struct Row {
    at: String,
    plot: String,
    fields: Map<String, Value>,
}

fn json_rows(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let rows: Vec<Map<String, Value>> = serde_json::from_str(text)
        .map_err(|e| vec![format!("not a JSON array of objects: {e}")])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        let at = format!("entry {}", i + 1);
        match row.remove("plot") {
            Some(Value::String(plot)) => {
                row.retain(|k, _| !META.contains(&k.as_str()));
                out.push(Row {
                    at,
                    plot,
                    fields: row,
                });
            }
            _ => errors.push(format!("{at}: no `plot` (its cadastral identifier)")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A CSV cell as the JSON value of its field (empty: null).
fn cell(field: &str, text: &str) -> Result<Value, String> {
    if text.is_empty() {
        return Ok(Value::Null);
    }
    match field {
        "price_eur_m2" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("field `{field}`: {text:?} is not a number")),
        "price_includes_vat" | "investor_public" => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("field `{field}`: {text:?} is not true or false")),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

fn csv_rows(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| vec![format!("the header: {e}")])?
        .iter()
        .map(str::to_string)
        .collect();
    let mut errors: Vec<String> = header
        .iter()
        .filter(|h| {
            h.as_str() != "plot" && !FIELDS.contains(&h.as_str()) && !META.contains(&h.as_str())
        })
        .map(|h| format!("the header: unknown column {h:?}"))
        .collect();
    if !header.iter().any(|h| h == "plot") {
        errors.push("the header: no `plot` column".to_string());
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let at = format!("line {}", i + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{at}: {e}"));
                continue;
            }
        };
        let mut plot = None;
        let mut fields = Map::new();
        for (name, text) in header.iter().zip(record.iter()) {
            if name == "plot" {
                plot = Some(text.to_string());
            } else if FIELDS.contains(&name.as_str()) {
                match cell(name, text) {
                    Ok(v) => {
                        fields.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(format!("{at}: {e}")),
                }
            }
        }
        match plot.filter(|p| !p.is_empty()) {
            Some(plot) => out.push(Row { at, plot, fields }),
            None => errors.push(format!("{at}: no plot")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The changes an import makes to `book` (the register as it is), or every error found.
fn plan(rows: Vec<Row>, book: &register::Book, who: &str) -> Result<Vec<Change>, Vec<String>> {
    let mut errors = Vec::new();
    let mut changes: BTreeMap<String, Change> = BTreeMap::new();
    for row in rows {
        let (facts, from_revision) = match changes.get(&row.plot) {
            Some(c) => (c.facts.clone(), c.from_revision),
            None => match book.get(&row.plot) {
                Some(e) => (e.facts.clone(), Some(e.revision)),
                None => (Facts::available(), None),
            },
        };
        match facts.patched(&Value::Object(row.fields)) {
            Ok(new) => {
                changes.insert(
                    row.plot.clone(),
                    Change {
                        plot: row.plot,
                        from_revision,
                        facts: new,
                        who: who.to_string(),
                        reason: Some("zagore register import".to_string()),
                    },
                );
            }
            Err(e) => errors.push(format!("{} ({}): {e}", row.at, row.plot)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(changes
        .into_values()
        .filter(|c| book.get(&c.plot).is_none_or(|e| e.facts != c.facts))
        .collect())
}

/// `zagore register import FILE [--dry-run]`: CSV (`.csv`) or JSON (anything else).
pub fn import(config: &Config, file: &Path, dry_run: bool) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let is_csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows = if is_csv {
        csv_rows(&text)
    } else {
        json_rows(&text)
    };
    let mut store = match open(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let book = match store.load() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let who = format!(
        "import of {}",
        file.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    let changes = match rows.and_then(|rows| plan(rows, &book, &who)) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("nothing imported: {} errors", errors.len());
            return ExitCode::FAILURE;
        }
    };
    for c in &changes {
        let old = book
            .get(&c.plot)
            .map(|e| e.facts.to_json())
            .unwrap_or_default();
        let new = c.facts.to_json();
        let diff: Vec<String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| format!("{k}: {} → {v}", old.get(k).unwrap_or(&Value::Null)))
            .collect();
        println!("{}: {}", c.plot, diff.join("; "));
    }
    if dry_run {
        eprintln!(
            "dry run: {} entries would change; nothing written",
            changes.len()
        );
        return ExitCode::SUCCESS;
    }
    match store.commit_all(&changes) {
        Ok(done) => {
            eprintln!(
                "imported: {} entries changed in one transaction; a running server shows them after a reload (SIGHUP or POST /admin/reload)",
                done.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}; nothing imported");
            ExitCode::FAILURE
        }
    }
}
