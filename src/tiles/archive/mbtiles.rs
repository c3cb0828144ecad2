//! The MBTiles 1.3 writer of [`super::export`]: one SQLite file (`rusqlite`, Debian's
//! libsqlite3), the `tiles` table (TMS rows: `tile_row` counts from the south) holding the
//! tiles as the server gzips them, and the `metadata` table (name, format `pbf`, bounds,
//! centre, zooms, attribution, and `json` with TileJSON's `vector_layers`), all in one
//! transaction.

use std::path::Path;

use rusqlite::{params, Connection};
use serde_json::Value;

use super::writer::{ArchiveWriter, ExportError, Metadata};
use crate::tiles::coord::TileCoord;

pub(super) struct Writer {
    db: Connection,
}

impl Writer {
    pub(super) fn create(path: &Path) -> Result<Writer, ExportError> {
        let error = |e: rusqlite::Error| ExportError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let db = Connection::open(path).map_err(error)?;
        db.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             BEGIN;",
        )
        .map_err(error)?;
        Ok(Writer { db })
    }
}

impl ArchiveWriter for Writer {
    fn add(&mut self, tile: TileCoord, gzipped: &[u8]) -> Result<(), String> {
        let tms_row = (1u32 << tile.z) - 1 - tile.y;
        self.db
            .prepare_cached(
                "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut insert| insert.execute(params![tile.z, tile.x, tms_row, gzipped]))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn finish(self: Box<Self>, metadata: &Metadata) -> Result<(), String> {
        let text = |key: &str| {
            metadata
                .tilejson
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let [west, south, east, north] = metadata.bounds;
        let (lon, lat, zoom) = metadata.center;
        let json = serde_json::json!({
            "vector_layers": metadata.tilejson.get("vector_layers").cloned().unwrap_or(Value::Array(Vec::new())),
        });
        let rows = [
            ("name", text("name")),
            ("description", text("description")),
            ("attribution", text("attribution")),
            ("version", text("version")),
            ("type", "overlay".to_string()),
            ("format", "pbf".to_string()),
            ("bounds", format!("{west},{south},{east},{north}")),
            ("center", format!("{lon},{lat},{zoom}")),
            ("minzoom", metadata.min_zoom.to_string()),
            ("maxzoom", metadata.max_zoom.to_string()),
            ("json", json.to_string()),
        ];
        let db = self.db;
        let result = (|| {
            for (name, value) in rows {
                db.execute(
                    "INSERT INTO metadata (name, value) VALUES (?1, ?2)",
                    params![name, value],
                )?;
            }
            db.execute_batch(
                "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
                 CREATE UNIQUE INDEX name ON metadata (name);
                 COMMIT;",
            )
        })();
        result.map_err(|e| e.to_string())?;
        db.close().map_err(|(_, e)| e.to_string())
    }
}
