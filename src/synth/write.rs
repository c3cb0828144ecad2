//! Streaming the synthetic cadastre to GeoJSON files in EPSG:7801 (easting first, with the
//! `crs` member `ogr2ogr` writes), one feature per line, through a buffered writer.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::error::{write_error, SynthError};
use super::lattice::{planar_area, Lattice, BLOCK_COLS, BLOCK_ROWS, SETTLEMENTS};

const HEADER_CRS: &str =
    r#""crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::7801" } },"#;
const PROVENANCE: &str = "synthetic benchmark data written by `zagore synth`; not a real plot";
const STATUSES: [&str; 4] = ["available", "reserved", "pre-contracted", "sold"];

/// A GeoJSON FeatureCollection written feature by feature.
struct Collection {
    out: BufWriter<File>,
    first: bool,
    count: usize,
}

impl Collection {
    fn create(path: &Path, name: &str) -> std::io::Result<Collection> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
        writeln!(
            out,
            "{{\n\"type\": \"FeatureCollection\",\n\"name\": \"{name}\",\n{HEADER_CRS}\n\"features\": ["
        )?;
        Ok(Collection {
            out,
            first: true,
            count: 0,
        })
    }

    /// Starts the next feature: the separator, then the caller writes the feature.
    fn next(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        self.count += 1;
        Ok(&mut self.out)
    }

    fn finish(mut self) -> std::io::Result<usize> {
        self.out.write_all(b"\n]\n}\n")?;
        self.out.flush()?;
        Ok(self.count)
    }
}

fn positions(out: &mut impl Write, points: &[(f64, f64)]) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (k, (x, y)) in points.iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        // Millimetres, as the zone's own files.
        write!(out, "[{x:.3},{y:.3}]")?;
    }
    out.write_all(b"]")
}

/// Rounds to millimetres exactly as written, so the declared area is that of the file.
fn as_written(ring: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    ring.iter().map(|&(x, y)| (mm(x), mm(y))).collect()
}

pub(super) fn plots(lattice: &Lattice, path: &Path) -> Result<usize, SynthError> {
    let io = |e| write_error(path, e);
    let mut file = Collection::create(path, "plots").map_err(io)?;
    for (i, j) in lattice.plot_cells() {
        let (town, region) = lattice.region(i, j);
        let settlement = &SETTLEMENTS[town];
        let id = format!(
            "{:05}.{region}.{}",
            settlement.ekatte,
            Lattice::plot_number(i, j)
        );
        let ring = as_written(&lattice.ring(i, j));
        let area = planar_area(&ring).round();
        let status = STATUSES[lattice.pick(30, i, j, STATUSES.len())];
        let out = file.next().map_err(io)?;
        write!(
            out,
            r#"{{"type": "Feature", "id": "{id}", "properties": {{"cadastral_id": "{id}", "ekatte": {}, "settlement": "{}", "declared_area_m2": {area}, "status": "{status}", "zoning": "Пп", "provenance": "{PROVENANCE}"}}, "geometry": {{"type": "Polygon", "coordinates": ["#,
            settlement.ekatte, settlement.name
        )
        .map_err(io)?;
        positions(out, &ring).map_err(io)?;
        out.write_all(b"]}}").map_err(io)?;
    }
    file.finish().map_err(io)
}

fn road(
    file: &mut Collection,
    id: &str,
    class: &str,
    name: &str,
    points: &[(f64, f64)],
) -> std::io::Result<()> {
    let out = file.next()?;
    write!(
        out,
        r#"{{"type": "Feature", "id": "{id}", "properties": {{"class": "{class}", "name": "{name}", "provenance": "{PROVENANCE}"}}, "geometry": {{"type": "LineString", "coordinates": "#
    )?;
    positions(out, points)?;
    out.write_all(b"}}")
}

/// The roads: one line per corridor between two crossings, through the corridor cells'
/// centres, so crossing roads share their crossing vertex exactly.
pub(super) fn roads(lattice: &Lattice, path: &Path) -> Result<usize, SynthError> {
    let io = |e| write_error(path, e);
    let mut file = Collection::create(path, "roads").map_err(io)?;
    let motorway = lattice.motorway_row();
    for by in 0..=lattice.blocks_y {
        let j = by * BLOCK_ROWS;
        for bx in 0..lattice.blocks_x {
            let points: Vec<_> = (bx * BLOCK_COLS..=(bx + 1) * BLOCK_COLS)
                .map(|i| lattice.centre(i, j))
                .collect();
            let (class, name) = if j == motorway {
                ("motorway", "синтетична магистрала")
            } else if by % 4 == 0 {
                ("primary", "синтетичен път")
            } else {
                ("local", "синтетична улица")
            };
            road(&mut file, &format!("road-e{by}-{bx}"), class, name, &points).map_err(io)?;
        }
    }
    for bx in 0..=lattice.blocks_x {
        let i = bx * BLOCK_COLS;
        for by in 0..lattice.blocks_y {
            let points: Vec<_> = (by * BLOCK_ROWS..=(by + 1) * BLOCK_ROWS)
                .map(|j| lattice.centre(i, j))
                .collect();
            let (class, name) = if bx % 4 == 0 {
                ("primary", "синтетичен път")
            } else {
                ("local", "синтетична улица")
            };
            road(&mut file, &format!("road-n{bx}-{by}"), class, name, &points).map_err(io)?;
        }
    }
    file.finish().map_err(io)
}

/// An interchange on the motorway (a shared road vertex, so routing reaches it) and a
/// station, so every distance can be measured.
pub(super) fn poi(lattice: &Lattice, path: &Path) -> Result<usize, SynthError> {
    let io = |e| write_error(path, e);
    let mut file = Collection::create(path, "poi").map_err(io)?;
    let middle = (lattice.blocks_x / 2) * BLOCK_COLS;
    let points = [
        (
            "interchange-1",
            "interchange",
            "синтетичен пътен възел",
            lattice.centre(middle, lattice.motorway_row()),
        ),
        (
            "station-1",
            "station",
            "синтетична гара",
            lattice.centre(middle, (lattice.blocks_y / 2) * BLOCK_ROWS),
        ),
    ];
    for (id, kind, name, (x, y)) in points {
        // Formatted exactly as the road vertex it sits on, so the two match to the bit.
        let out = file.next().map_err(io)?;
        write!(
            out,
            r#"{{"type": "Feature", "id": "{id}", "properties": {{"kind": "{kind}", "name": "{name}", "provenance": "{PROVENANCE}"}}, "geometry": {{"type": "Point", "coordinates": [{x:.3},{y:.3}]}}}}"#
        )
        .map_err(io)?;
    }
    file.finish().map_err(io)
}

pub(super) fn manifest(path: &Path) -> Result<(), SynthError> {
    let text = "# SYNTHETIC benchmark cadastre written by `zagore synth`: invented plots, roads and\n\
                # points for measuring performance only. Not real data; do not serve it as the zone.\n\
                [layers.plots]\nfile = \"plots.geojson\"\n\n[layers.roads]\nfile = \"roads.geojson\"\n\n\
                [layers.poi]\nfile = \"poi.geojson\"\n";
    std::fs::write(path, text).map_err(|e| write_error(path, e))
}
