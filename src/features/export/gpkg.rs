//! A GeoPackage (OGC 12-128r18, version 1.3) of the table: the required metadata tables
//! (`gpkg_spatial_ref_sys` with WGS84 and the two undefined systems, `gpkg_contents`,
//! `gpkg_geometry_columns`) and one feature table named after the collection, with the
//! geometries as GeoPackage binary blobs (the `GP` header, its envelope, then WKB) in
//! EPSG:4326, longitude first, and one typed column per property.
//!
//! SQLite writes to a file in a temporary directory (rusqlite links the system libsqlite3,
//! which PROJ uses too), whose bytes are the answer; the directory is removed afterwards.

use geo::{BoundingRect, Geometry, Rect};
use rusqlite::types::Value as Sql;
use rusqlite::Connection;
use serde_json::Value;

use super::table::Table;
use super::wkb;

#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    #[error("writing the GeoPackage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the GeoPackage's temporary file: {0}")]
    Io(#[from] std::io::Error),
}

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

const METADATA: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"#;

/// A column's SQLite type, from the values it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Empty,
    Boolean,
    Integer,
    Real,
    Text,
}

impl Kind {
    fn of(value: &Value) -> Kind {
        match value {
            Value::Null => Kind::Empty,
            Value::Bool(_) => Kind::Boolean,
            Value::Number(n) if n.is_i64() => Kind::Integer,
            Value::Number(_) => Kind::Real,
            _ => Kind::Text,
        }
    }

    fn join(self, other: Kind) -> Kind {
        use Kind::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Empty, x) | (x, Empty) => x,
            (Integer, Real) | (Real, Integer) => Real,
            _ => Text,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Kind::Boolean => "BOOLEAN",
            Kind::Integer => "INTEGER",
            Kind::Real => "REAL",
            Kind::Empty | Kind::Text => "TEXT",
        }
    }

    fn value(self, value: Option<Value>) -> Sql {
        match (self, value) {
            (_, None | Some(Value::Null)) => Sql::Null,
            (Kind::Boolean, Some(Value::Bool(b))) => Sql::Integer(i64::from(b)),
            (Kind::Integer, Some(Value::Number(n))) => n.as_i64().map_or(Sql::Null, Sql::Integer),
            (Kind::Real, Some(Value::Number(n))) => n.as_f64().map_or(Sql::Null, Sql::Real),
            (_, Some(Value::String(s))) => Sql::Text(s),
            (_, Some(other)) => Sql::Text(other.to_string()),
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Column names as SQLite takes them: unique without regard to case, never `fid` or `geom`.
fn column_names(columns: &[String]) -> Vec<String> {
    let mut taken = vec!["fid".to_string(), "geom".to_string()];
    columns
        .iter()
        .map(|c| {
            let mut name = c.clone();
            let mut n = 2;
            while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                name = format!("{c}_{n}");
                n += 1;
            }
            taken.push(name.clone());
            name
        })
        .collect()
}

fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "POINT",
        Geometry::LineString(_) | Geometry::Line(_) => "LINESTRING",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
        Geometry::MultiPoint(_) => "MULTIPOINT",
        Geometry::MultiLineString(_) => "MULTILINESTRING",
        Geometry::MultiPolygon(_) => "MULTIPOLYGON",
        Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
    }
}

/// A GeoPackage geometry blob: `GP`, version 0, flags (little-endian, an xy envelope),
/// the SRS id, the envelope (min x, max x, min y, max y), then the WKB.
pub fn blob(g: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = vec![b'G', b'P', 0];
    let envelope = g.bounding_rect();
    // Bit 0: little-endian; bits 1–3: 1 for an xy envelope, 0 for none; bit 4: empty.
    out.push(match envelope {
        Some(_) => 0b0000_0011,
        None => 0b0001_0001,
    });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(r) = envelope {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    wkb::write(&mut out, g);
    out
}

fn fill(conn: &Connection, table: &Table<'_>) -> Result<(), GpkgError> {
    conn.execute_batch(METADATA)?;
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        [WGS84_WKT],
    )?;
    let kinds: Vec<Kind> = table
        .columns
        .iter()
        .map(|c| {
            table.rows.iter().fold(Kind::Empty, |k, row| {
                k.join(row.get(c).as_ref().map_or(Kind::Empty, Kind::of))
            })
        })
        .collect();
    let names = column_names(&table.columns);
    let name = quoted(table.name);
    let mut create = format!(
        "CREATE TABLE {name} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY"
    );
    for (column, kind) in names.iter().zip(&kinds) {
        create.push_str(&format!(", {} {}", quoted(column), kind.sql()));
    }
    create.push(')');
    conn.execute(&create, [])?;

    let extent: Option<Rect> = table
        .rows
        .iter()
        .filter_map(|r| r.lonlat.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        });
    let (min_x, min_y, max_x, max_y) = match extent {
        Some(r) => (
            Some(r.min().x),
            Some(r.min().y),
            Some(r.max().x),
            Some(r.max().y),
        ),
        None => (None, None, None, None),
    };
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 4326)",
        rusqlite::params![table.name, format!("Industrial Zone Zagore: {}", table.name), min_x, min_y, max_x, max_y],
    )?;
    let mut types = table.rows.iter().map(|r| type_name(r.lonlat));
    let first = types.next().unwrap_or("GEOMETRY");
    let geometry_type = if types.all(|t| t == first) {
        first
    } else {
        "GEOMETRY"
    };
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        rusqlite::params![table.name, geometry_type],
    )?;

    let placeholders: Vec<String> = (0..=names.len()).map(|i| format!("?{}", i + 1)).collect();
    let columns: Vec<String> = names.iter().map(|c| quoted(c)).collect();
    let insert = format!(
        "INSERT INTO {name} (geom{}{}) VALUES ({})",
        if columns.is_empty() { "" } else { ", " },
        columns.join(", "),
        placeholders.join(", ")
    );
    let mut statement = conn.prepare(&insert)?;
    for row in &table.rows {
        let mut values = vec![Sql::Blob(blob(row.lonlat, 4326))];
        for (column, kind) in table.columns.iter().zip(&kinds) {
            values.push(kind.value(row.get(column)));
        }
        statement.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

/// The GeoPackage's bytes.
pub fn write(table: &Table<'_>) -> Result<Vec<u8>, GpkgError> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("export.gpkg");
    {
        let mut conn = Connection::open(&path)?;
        // 'GPKG' and version 1.3.0 (what GDAL 3.6 reads without a warning; nothing here is new in 1.4).
        conn.execute_batch("PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;")?;
        let tx = conn.transaction()?;
        fill(&tx, table)?;
        tx.commit()?;
        conn.close().map_err(|(_, e)| e)?;
    }
    Ok(std::fs::read(&path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_never_collide() {
        let names = column_names(&["id".into(), "Geom".into(), "ID".into(), "fid".into()]);
        assert_eq!(names, ["id", "Geom_2", "ID_2", "fid_2"]);
    }

    #[test]
    fn mixed_columns_widen() {
        assert_eq!(Kind::Integer.join(Kind::Real), Kind::Real);
        assert_eq!(Kind::Empty.join(Kind::Boolean), Kind::Boolean);
        assert_eq!(Kind::Integer.join(Kind::Text), Kind::Text);
    }
}
