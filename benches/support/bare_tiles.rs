//! The throughput ceiling of an axum server on this machine: answers `/tiles/{z}/{x}/{y}.mvt`
//! with the gzip bytes `scripts/bench.sh` dumped from zagore, straight from a hash map in
//! memory, with the same headers and nothing else (no cache logic, ETag, metrics or guards).
//!
//! `cargo run --release --example bare_tiles -- DIR ADDR` (DIR holds `z/x/y.mvt.gz`).
//! For benchmarks only.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

type Tiles = Arc<HashMap<String, Bytes>>;

async fn tile(State(tiles): State<Tiles>, Path((z, x, y)): Path<(u8, u32, String)>) -> Response {
    match tiles.get(&format!("{z}/{x}/{y}")) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.mapbox-vector-tile"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn load(dir: &std::path::Path) -> std::io::Result<HashMap<String, Bytes>> {
    let mut tiles = HashMap::new();
    for z in std::fs::read_dir(dir)? {
        let z = z?;
        for x in std::fs::read_dir(z.path())? {
            let x = x?;
            for y in std::fs::read_dir(x.path())? {
                let y = y?;
                let name = y.file_name().to_string_lossy().replace(".gz", "");
                let key = format!(
                    "{}/{}/{name}",
                    z.file_name().to_string_lossy(),
                    x.file_name().to_string_lossy()
                );
                tiles.insert(key, Bytes::from(std::fs::read(y.path())?));
            }
        }
    }
    Ok(tiles)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(addr)) = (args.get(1), args.get(2)) else {
        return Err("usage: bare_tiles DIR ADDR".into());
    };
    let tiles: Tiles = Arc::new(load(std::path::Path::new(dir))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = axum::Router::new()
            .route("/tiles/{z}/{x}/{y}", get(tile))
            .with_state(tiles);
        let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
        eprintln!("bare tiles on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
