//! The shapefile layer source: the cadastre agency's open-data ZIP (one shapefile: `.shp`,
//! `.shx`, `.dbf`, `.prj`, `.cpg`) or a `.shp` with its sidecar files beside it.
//!
//! The CRS comes from the `.prj`, identified through PROJ (`geodata::prj`), else from the
//! manifest; the `.dbf`'s text encoding from the `.cpg` (UTF-8 or Windows-1251), Windows-1251
//! when there is none, as older and hand-made files are. Each record is located by its number
//! in the table. Only a land-plot table is read: an ownership table (personal data) is
//! refused, whatever the manifest says.
//!
//! The members are read into memory one table at a time (a settlement's plots are a few
//! megabytes); a member larger than [`MAX_MEMBER`] is refused.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shapefile::dbase;

use super::super::crs::Crs;
use super::super::manifest::LayerManifest;
use super::super::model::{CrsSource, LayerKind, Locating, Location};
use super::super::open::{open_regular, read_regular};
use super::super::parse::{build_feature, Record, SourceGeometry};
use super::super::prj;
use super::super::problem::Problems;
use super::super::progress::LayerProgress;
use super::super::properties::Interner;
use super::seam::{hash_part, LayerSource, Outcome, Records};
use super::shape_records::{geometry, properties};

/// The largest member of a ZIP (or sidecar file) read: 1 GiB.
pub const MAX_MEMBER: u64 = 1 << 30;

/// Field names (lower case) that only a table of owners has: such a table is personal data.
const OWNERSHIP_FIELDS: [&str; 14] = [
    "egn",
    "eik",
    "bulstat",
    "owner",
    "owners",
    "ownername",
    "ownname",
    "subject",
    "subjname",
    "subjtype",
    "personname",
    "fullname",
    "ownshare",
    "share",
];

/// A layer's shapefile: a ZIP holding one, or a `.shp` in the folder.
pub(crate) struct ShapefileSource<'a> {
    pub kind: LayerKind,
    pub dir: &'a Path,
    pub file: PathBuf,
    pub settings: &'a LayerManifest,
}

/// The files of one shapefile, read.
struct Parts {
    /// The name of the `.shp` (a member of the ZIP, or the file), for messages.
    shp_name: String,
    shp: Vec<u8>,
    shx: Option<Vec<u8>>,
    dbf: Option<Vec<u8>>,
    prj: Option<Vec<u8>>,
    cpg: Option<Vec<u8>>,
}

/// Whether a file name is a shapefile or a ZIP of one (by its extension).
pub(crate) fn is_shapefile(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    lower.ends_with(".zip") || lower.ends_with(".shp")
}

impl LayerSource for ShapefileSource<'_> {
    fn file(&self) -> &Path {
        &self.file
    }

    /// (A shapefile's members are read whole, each at most [`MAX_MEMBER`]: no byte progress.)
    fn read(&self, version: u64, problems: &mut Problems, _: &LayerProgress) -> Outcome {
        let zipped = self
            .file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        let (parts, hash) = if zipped {
            let bytes = match read_regular(self.dir, &self.file) {
                Ok(bytes) => bytes,
                Err(e) => return Outcome::Unreadable(e),
            };
            let hash = hash_part(version, &bytes);
            (unzip(bytes, problems), hash)
        } else {
            match self.beside(version) {
                Ok((parts, hash)) => (Some(parts), hash),
                Err(e) => return Outcome::Unreadable(e),
            }
        };
        let records = parts.and_then(|parts| self.records(parts, problems));
        Outcome::Read(records, hash)
    }
}

impl ShapefileSource<'_> {
    /// A `.shp` in the folder and the sidecar files beside it, with the version hash.
    fn beside(&self, version: u64) -> std::io::Result<(Parts, u64)> {
        let shp = read_limited(self.dir, &self.file)?;
        let mut hash = hash_part(version, &shp);
        let mut sidecar = |ext: &str| -> std::io::Result<Option<Vec<u8>>> {
            for ext in [ext.to_string(), ext.to_ascii_uppercase()] {
                match read_limited(self.dir, &self.file.with_extension(&ext)) {
                    Ok(bytes) => {
                        hash = hash_part(hash, &bytes);
                        return Ok(Some(bytes));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(None)
        };
        let parts = Parts {
            shp_name: file_name(&self.file),
            shp,
            shx: sidecar("shx")?,
            dbf: sidecar("dbf")?,
            prj: sidecar("prj")?,
            cpg: sidecar("cpg")?,
        };
        Ok((parts, hash))
    }

    /// Reads the table and its shapes into records, after the checks on the table as a whole.
    fn records(&self, parts: Parts, problems: &mut Problems) -> Option<Records> {
        let name = parts.shp_name.clone();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem)
            .to_string();
        let Some(dbf) = parts.dbf else {
            problems.file_error(
                None,
                format!(
                    "the shapefile {name} has no attribute table ({stem}.dbf): the plots' \
                     identifiers and fields are in it"
                ),
            );
            return None;
        };
        let encoding = match encoding(parts.cpg.as_deref()) {
            Ok(encoding) => encoding,
            Err(found) => {
                problems.file_error(
                    None,
                    format!(
                        "{stem}.cpg names the text encoding {found:?}, which is not known; \
                         expected UTF-8 or Windows-1251 (1251)"
                    ),
                );
                return None;
            }
        };
        let dbf_reader = match dbase::ReaderBuilder::new()
            .with_encoding(encoding)
            .build(Cursor::new(dbf))
        {
            Ok(reader) => reader,
            Err(e) => {
                problems.file_error(None, format!("{stem}.dbf is not a dBase table: {e}"));
                return None;
            }
        };
        let fields: Vec<String> = dbf_reader
            .fields()
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        if let Some(why) = ownership(&stem, &fields) {
            problems.file_error(
                None,
                format!(
                    "{name} is an ownership table ({why}): ownership is personal data, which the \
                     service never reads or shows; only the land-plot table is read"
                ),
            );
            return None;
        }
        let shp = match parts.shx {
            Some(shx) => shapefile::ShapeReader::with_shx(Cursor::new(parts.shp), Cursor::new(shx)),
            None => shapefile::ShapeReader::new(Cursor::new(parts.shp)),
        };
        let shp = match shp {
            Ok(reader) => reader,
            Err(e) => {
                problems.file_error(None, format!("{name} is not a shapefile: {e}"));
                return None;
            }
        };
        let crs = self.crs(&stem, parts.prj.as_deref());
        let mut reader = shapefile::Reader::new(shp, dbf_reader);
        let mut raw = Vec::new();
        for (index, read) in reader.iter_shapes_and_records().enumerate() {
            match read {
                Ok((shape, record)) => raw.push(Record {
                    index,
                    at: Location::Record(index + 1),
                    id: None,
                    properties: properties(&fields, record),
                    geometry: geometry(&shape).map(SourceGeometry::Json),
                }),
                Err(e) => {
                    problems.file_error(
                        None,
                        format!("{name}: record {} cannot be read: {e}", index + 1),
                    );
                    return None;
                }
            }
        }
        let interner = Interner::new();
        let file = problems.file;
        let (kind, settings) = (self.kind, self.settings);
        let mut outcomes = Vec::new();
        raw.into_par_iter()
            .with_min_len(1024)
            .map_init(
                || interner.local(),
                |interner, record| {
                    let mut list = Vec::new();
                    let mut sink = Problems {
                        file,
                        list: &mut list,
                    };
                    let parsed = build_feature(kind, record, settings, interner, &mut sink);
                    (parsed, list)
                },
            )
            .collect_into_vec(&mut outcomes);
        let mut feature_problems = Vec::new();
        let window = outcomes
            .into_iter()
            .filter_map(|(parsed, mut list)| {
                feature_problems.append(&mut list);
                parsed
            })
            .collect();
        Some(Records {
            crs,
            locating: Locating::Records,
            windows: vec![window],
            feature_problems,
        })
    }

    /// The CRS from the `.prj`, checked against the manifest's; the manifest's when there is
    /// no `.prj`.
    fn crs(&self, stem: &str, prj: Option<&[u8]>) -> Result<(Crs, CrsSource), String> {
        let from_manifest = self
            .settings
            .crs
            .as_deref()
            .map(str::parse::<Crs>)
            .transpose()
            .map_err(|e| format!("manifest.toml: {e}"))?;
        let Some(prj) = prj else {
            return match from_manifest {
                Some(crs) => Ok((crs, CrsSource::Manifest)),
                None => Err(format!(
                    "there is no {stem}.prj and manifest.toml names no `crs` for the layer: its \
                     CRS is unknown"
                )),
            };
        };
        let text = String::from_utf8_lossy(prj);
        let from_prj = prj::identify(&text)
            .map_err(|why| format!("{stem}.prj: PROJ cannot identify its CRS: {why}"))?;
        match from_manifest {
            Some(manifest) if manifest != from_prj => Err(format!(
                "{stem}.prj says {from_prj} but manifest.toml says {manifest}; one of them is wrong"
            )),
            _ => Ok((from_prj, CrsSource::PrjFile)),
        }
    }
}

/// The one shapefile in a ZIP, or None (the problem reported).
fn unzip(bytes: Vec<u8>, problems: &mut Problems) -> Option<Parts> {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(e) => {
            problems.file_error(None, format!("not a readable ZIP archive: {e}"));
            return None;
        }
    };
    let names: Vec<String> = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i).map(str::to_string))
        .filter(|n| !n.ends_with('/'))
        .collect();
    let with_ext = |ext: &str| -> Vec<&String> {
        names
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(ext))
            .collect()
    };
    let shps = with_ext(".shp");
    let shp_name = match shps.as_slice() {
        [one] => (*one).clone(),
        [] => {
            // A table without shapes may still be an ownership table: say so first.
            let dbfs = with_ext(".dbf");
            let why = dbfs.iter().find_map(|dbf| {
                let stem = dbf.rsplit_once('.').map_or(dbf.as_str(), |(s, _)| s);
                ownership(stem, &[]).map(|why| (dbf.to_string(), why))
            });
            let message = match why {
                Some((dbf, why)) => format!(
                    "{dbf} is an ownership table ({why}): ownership is personal data, which the \
                     service never reads or shows; only the land-plot table is read"
                ),
                None => "the ZIP holds no shapefile (.shp)".to_string(),
            };
            problems.file_error(None, message);
            return None;
        }
        many => {
            let list: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            problems.file_error(
                None,
                format!(
                    "the ZIP holds {} shapefiles ({}); a layer reads one: give each its own ZIP",
                    many.len(),
                    list.join(", ")
                ),
            );
            return None;
        }
    };
    let stem = shp_name[..shp_name.len() - 4].to_string();
    let mut member = |ext: &str| -> Result<Option<Vec<u8>>, String> {
        let Some(name) = names.iter().find(|n| {
            n.len() == stem.len() + 4
                && n.to_ascii_lowercase() == format!("{}{ext}", stem.to_ascii_lowercase())
        }) else {
            return Ok(None);
        };
        let mut file = archive
            .by_name(name)
            .map_err(|e| format!("{name} cannot be read from the ZIP: {e}"))?;
        if file.size() > MAX_MEMBER {
            return Err(format!("{name} is larger than {} MiB", MAX_MEMBER >> 20));
        }
        let mut bytes = Vec::new();
        file.by_ref()
            .take(MAX_MEMBER + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} cannot be read from the ZIP: {e}"))?;
        // The declared size may lie: what was read counts.
        if bytes.len() as u64 > MAX_MEMBER {
            return Err(format!("{name} is larger than {} MiB", MAX_MEMBER >> 20));
        }
        Ok(Some(bytes))
    };
    let parts = (|| -> Result<Parts, String> {
        Ok(Parts {
            shp: member(".shp")?.unwrap_or_default(),
            shx: member(".shx")?,
            dbf: member(".dbf")?,
            prj: member(".prj")?,
            cpg: member(".cpg")?,
            shp_name: shp_name.clone(),
        })
    })();
    match parts {
        Ok(parts) => Some(parts),
        Err(message) => {
            problems.file_error(None, message);
            None
        }
    }
}

/// Reads a file of the folder, refusing one larger than [`MAX_MEMBER`].
fn read_limited(dir: &Path, file: &Path) -> std::io::Result<Vec<u8>> {
    let opened = open_regular(dir, file)?;
    let mut bytes = Vec::new();
    opened.take(MAX_MEMBER + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MEMBER {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is larger than {} MiB", MAX_MEMBER >> 20),
        ));
    }
    Ok(bytes)
}

fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The `.dbf`'s encoding from the `.cpg`'s text (Windows-1251 without one), or the name the
/// `.cpg` gives when it is neither UTF-8 nor Windows-1251.
fn encoding(cpg: Option<&[u8]>) -> Result<dbase::encoding::DynEncoding, String> {
    let windows_1251 = || {
        dbase::encoding::DynEncoding::from(dbase::encoding::EncodingRs::from(
            encoding_rs::WINDOWS_1251,
        ))
    };
    let Some(cpg) = cpg else {
        return Ok(windows_1251());
    };
    let text = String::from_utf8_lossy(cpg);
    let name = text.trim().trim_start_matches('\u{feff}');
    let upper = name.to_ascii_uppercase().replace(['-', '_', ' '], "");
    match upper.as_str() {
        "UTF8" | "65001" => Ok(dbase::encoding::DynEncoding::from(dbase::encoding::Unicode)),
        "1251" | "CP1251" | "WINDOWS1251" | "ANSI1251" => Ok(windows_1251()),
        _ => Err(name.to_string()),
    }
}

/// Why a table is an ownership table (by its name or its fields), or None.
fn ownership(stem: &str, fields: &[String]) -> Option<String> {
    let owner_fields: Vec<&String> = fields
        .iter()
        .filter(|f| {
            let lower = f.to_lowercase();
            OWNERSHIP_FIELDS.contains(&lower.as_str())
                || lower.contains("owner")
                || lower.contains("собств")
                || lower.contains("егн")
        })
        .collect();
    if owner_fields.is_empty() {
        let base = stem.rsplit('/').next().unwrap_or(stem).to_lowercase();
        let named = ["owner", "sobstv", "собств"]
            .iter()
            .any(|w| base.contains(w));
        return named.then(|| format!("its name {stem:?} says so"));
    }
    let list: Vec<&str> = owner_fields.iter().map(|s| s.as_str()).collect();
    Some(format!("it has the fields {}", list.join(", ")))
}
