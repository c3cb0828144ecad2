//! The table every export writes: one row per feature (its id, its served properties — a
//! plot's card — and its geometry in longitude/latitude), and the columns: `id`, then every
//! property name in the order first seen.

use geo::Geometry;
use serde_json::{Map, Value};

use crate::features::output::Properties;
use crate::geodata::Feature;

pub struct Row<'a> {
    pub id: &'a str,
    pub properties: Map<String, Value>,
    pub lonlat: &'a Geometry<f64>,
}

impl Row<'_> {
    /// The value of a column (`id` is the feature's id).
    pub fn get(&self, column: &str) -> Option<Value> {
        if column == "id" {
            return Some(Value::String(self.id.to_string()));
        }
        self.properties.get(column).cloned()
    }
}

pub struct Table<'a> {
    /// The collection, which names the layer or sheet.
    pub name: &'a str,
    pub columns: Vec<String>,
    pub rows: Vec<Row<'a>>,
}

impl<'a> Table<'a> {
    pub fn new(
        name: &'a str,
        features: impl IntoIterator<Item = &'a Feature>,
        props: &Properties<'_>,
    ) -> Table<'a> {
        let rows: Vec<Row<'a>> = features
            .into_iter()
            .map(|f| Row {
                id: &f.id,
                properties: props.of(f),
                lonlat: &f.lonlat,
            })
            .collect();
        let mut columns = vec!["id".to_string()];
        for row in &rows {
            for key in row.properties.keys() {
                if !columns.iter().any(|c| c == key) {
                    columns.push(key.clone());
                }
            }
        }
        Table {
            name,
            columns,
            rows,
        }
    }
}

/// A value as the text a cell shows: strings as they are, numbers as JSON writes them,
/// booleans `true`/`false`, null empty, anything else as JSON.
pub fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
