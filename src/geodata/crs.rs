//! Coordinate reference systems: the validated [`Crs`] type and the PROJ transforms built from it.
//!
//! Every CRS string that enters the service (a GeoJSON `crs` member, a manifest entry, a
//! `crs=` query parameter) is parsed here once. Transforms are PROJ's own
//! (`proj_create_crs_to_crs` normalised for visualisation, so coordinates are always
//! easting/longitude first inside the service); the axis order a *file* uses is a separate,
//! explicit [`AxisOrder`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use proj::{Proj, ProjBuilder};

/// The folder holding `proj.db`, when the service was told where it is (see [`use_proj_data`]).
static PROJ_DATA: OnceLock<PathBuf> = OnceLock::new();

/// Makes every PROJ object the service creates search `dir` for `proj.db` first.
/// Only the first call has an effect; it is made once at start-up.
pub fn use_proj_data(dir: &Path) {
    let _ = PROJ_DATA.set(dir.to_path_buf());
}

/// A PROJ context builder that knows where `proj.db` is.
pub(super) fn builder() -> ProjBuilder {
    let mut builder = ProjBuilder::new();
    if let Some(dir) = PROJ_DATA.get() {
        // A failure here only means PROJ keeps its default search path; the start-up
        // check (`check_proj_database`) reports a database that cannot be found.
        let _ = builder.set_search_paths(dir);
    }
    builder
}

/// Finds PROJ's database and checks it knows the cadastral CRS; done once at start-up (and by
/// the commands that read data).
pub fn init_proj(config: &crate::config::Config) -> Result<(), CrsError> {
    // A folder the user named must hold the database; PROJ itself would quietly fall back
    // to its built-in path, which may hold another version.
    if let Some(dir) = &config.proj_data {
        if !dir.join("proj.db").is_file() {
            return Err(CrsError::Database {
                searched: dir.display().to_string(),
                reason: "there is no proj.db in that folder".to_string(),
            });
        }
    }
    if let Some(dir) = config.resolve_proj_data() {
        use_proj_data(&dir);
    }
    check_proj_database()
}

/// Verifies that PROJ can open its database and knows the cadastral CRS, with a message that
/// says how to fix it when not.
pub fn check_proj_database() -> Result<(), CrsError> {
    builder()
        .proj_known_crs("EPSG:7801", "EPSG:4326", None)
        .map(|_| ())
        .map_err(|e| CrsError::Database {
            searched: PROJ_DATA
                .get()
                .map(|d| d.display().to_string())
                .or_else(|| std::env::var("PROJ_DATA").ok())
                .unwrap_or_else(|| "PROJ's built-in default".to_string()),
            reason: e.to_string(),
        })
}

/// A coordinate reference system the service can read or write.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS84 longitude/latitude, the GeoJSON (RFC 7946) default: `OGC:CRS84`.
    Crs84,
    /// Any EPSG code PROJ knows, e.g. 7801 (BGS2005 / CCS2005), 3857, 32635.
    Epsg(u32),
    /// A user-supplied PROJ definition, for systems without an EPSG code (Coordinate System 1970).
    Proj(String),
}

/// The CRS the Bulgarian cadastre publishes parcels in.
pub const CADASTRAL: Crs = Crs::Epsg(7801);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("PROJ cannot open its database proj.db or does not know EPSG:7801 (searched {searched}: {reason}); set --proj-data, ZAGORE_PROJ_DATA or PROJ_DATA to a folder that holds the proj.db of PROJ 9.6 or newer")]
    Database { searched: String, reason: String },
    #[error("unrecognised CRS {0:?}: expected EPSG:<code>, urn:ogc:def:crs:EPSG::<code>, http://www.opengis.net/def/crs/EPSG/0/<code>, CRS84 or a +proj= definition")]
    Unrecognised(String),
    #[error("PROJ does not know {crs}: {reason}")]
    Unknown { crs: String, reason: String },
    #[error("PROJ failed to transform ({x}, {y}) from {from}: {reason}")]
    Transform {
        from: String,
        x: f64,
        y: f64,
        reason: String,
    },
}

impl FromStr for Crs {
    type Err = CrsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.starts_with("+proj=") {
            return Ok(Crs::Proj(t.to_string()));
        }
        let upper = t.to_ascii_uppercase();
        let crs84 = [
            "CRS84",
            "OGC:CRS84",
            "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
            "URN:OGC:DEF:CRS:OGC::CRS84",
            "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84",
            "HTTPS://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84",
        ];
        if crs84.contains(&upper.as_str()) {
            return Ok(Crs::Crs84);
        }
        let code = upper
            .strip_prefix("EPSG:")
            .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG::"))
            .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG:"))
            .or_else(|| upper.strip_prefix("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"))
            .or_else(|| upper.strip_prefix("HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"))
            // urn:ogc:def:crs:EPSG:6.18:4326 carries a registry version before the code.
            .map(|rest| rest.rsplit(':').next().unwrap_or(rest));
        match code.and_then(|c| c.parse::<u32>().ok()) {
            Some(code) if code > 0 => Ok(Crs::Epsg(code)),
            _ => Err(CrsError::Unrecognised(s.to_string())),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Crs84 => f.write_str("OGC:CRS84"),
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
            Crs::Proj(def) => f.write_str(def),
        }
    }
}

impl Crs {
    /// The OGC URI of the CRS (as used by OGC API – Features, Part 2).
    pub fn uri(&self) -> String {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84".to_string(),
            Crs::Epsg(code) => format!("http://www.opengis.net/def/crs/EPSG/0/{code}"),
            Crs::Proj(def) => def.clone(),
        }
    }

    /// The string PROJ is given for this CRS.
    fn proj_name(&self) -> String {
        match self {
            Crs::Crs84 => "OGC:CRS84".to_string(),
            other => other.to_string(),
        }
    }

    /// Whether the CRS is WGS84 longitude/latitude already (no transform needed).
    pub fn is_lon_lat_wgs84(&self) -> bool {
        matches!(self, Crs::Crs84 | Crs::Epsg(4326))
    }

    /// The CRS's area of use in WGS84 degrees (west, south, east, north), when PROJ knows one.
    pub fn area_of_use(&self) -> Option<[f64; 4]> {
        let crs = builder().proj(&self.proj_name()).ok()?;
        let (area, _) = crs.area_of_use().ok()?;
        area.map(|a| [a.west, a.south, a.east, a.north])
    }

    /// Human-readable name from PROJ's database ("BGS2005 / CCS2005"), when it has one.
    pub fn name(&self) -> Option<String> {
        let crs = builder().proj(&self.proj_name()).ok()?;
        crs.proj_info().description
    }

    /// The directions of the CRS's axes in the authority's order (`["north", "east"]` for
    /// EPSG:7801 and EPSG:4326, `["east", "north"]` for EPSG:3857), read from PROJ's
    /// description of the CRS (PROJJSON), so it holds for any code PROJ knows.
    ///
    /// Asked once per CRS and process: asking PROJ costs a context and a database lookup
    /// (about 7 ms, which every `crs=` request paid before).
    pub fn axis_directions(&self) -> Result<Vec<String>, CrsError> {
        static KNOWN: OnceLock<Mutex<HashMap<Crs, Vec<String>>>> = OnceLock::new();
        let known = KNOWN.get_or_init(Mutex::default);
        // A poisoned lock only means another thread panicked while inserting; the map is
        // still a valid cache.
        if let Some(axes) = known.lock().unwrap_or_else(|p| p.into_inner()).get(self) {
            return Ok(axes.clone());
        }
        let axes = self.axis_directions_from_proj()?;
        known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(self.clone(), axes.clone());
        Ok(axes)
    }

    fn axis_directions_from_proj(&self) -> Result<Vec<String>, CrsError> {
        if *self == Crs::Crs84 {
            return Ok(vec!["east".to_string(), "north".to_string()]);
        }
        let unknown = |reason: String| CrsError::Unknown {
            crs: self.to_string(),
            reason,
        };
        let crs = builder()
            .proj(&self.proj_name())
            .map_err(|e| unknown(e.to_string()))?;
        let text = crs
            .to_projjson(Some(false), None, None)
            .map_err(|e| unknown(e.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| unknown(e.to_string()))?;
        // A bound CRS wraps the CRS that holds the axes.
        let described = json.get("source_crs").unwrap_or(&json);
        let axes = described
            .pointer("/coordinate_system/axis")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| unknown("PROJ describes no coordinate axes for it".to_string()))?;
        Ok(axes
            .iter()
            .map(|a| {
                a.get("direction")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("unknown")
                    .to_string()
            })
            .collect())
    }

    /// Whether the authority defines this CRS with northing (or latitude) first.
    /// EPSG:7801 and EPSG:4326 do; most files nevertheless store easting first.
    pub fn authority_is_north_first(&self) -> bool {
        // Exactly the CRSs the service knows to be defined north-first; PROJ exposes axis
        // order only through its C API, and a wrong guess here only changes a report line.
        matches!(self, Crs::Epsg(7801 | 7800 | 4326 | 4258 | 7798))
    }
}

/// Which coordinate a file stores first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AxisOrder {
    /// x = easting (or longitude), y = northing (or latitude): GeoJSON's and ogr2ogr's order.
    EastNorth,
    /// x = northing, y = easting: the authority order of EPSG:7801.
    NorthEast,
}

impl fmt::Display for AxisOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AxisOrder::EastNorth => "easting, northing",
            AxisOrder::NorthEast => "northing, easting",
        })
    }
}

/// A PROJ transform between two CRSs, easting/longitude first on both sides.
///
/// PROJ objects are not thread-safe, and building one is not cheap: PROJ searches
/// `proj.db` for the candidate operations, 100 ms and more for some pairs (EPSG:7801 →
/// EPSG:3035). So each thread keeps the transforms it has built (see [`cached_proj`]) and a
/// `Transform` shares one of them; it is neither `Send` nor `Sync` and lives on the stack
/// of the thread that made it.
pub struct Transform {
    from: Crs,
    proj: Option<Rc<Proj>>,
}

/// How many transforms one thread keeps. The CRSs a request may name are an allow-list, so
/// in a server this is never reached; a command reading many files in odd CRSs starts over.
const CACHED_PER_THREAD: usize = 64;

thread_local! {
    static TRANSFORMS: RefCell<HashMap<(Crs, Crs), Rc<Proj>>> = RefCell::new(HashMap::new());
}

/// This thread's PROJ transform `from` → `to`, built on first use. Failures are not kept:
/// they are reported to whoever asked, and asking again asks PROJ again.
fn cached_proj(from: &Crs, to: &Crs) -> Result<Rc<Proj>, CrsError> {
    let key = (from.clone(), to.clone());
    if let Some(proj) = TRANSFORMS.with(|t| t.borrow().get(&key).cloned()) {
        return Ok(proj);
    }
    let proj = builder()
        .proj_known_crs(&from.proj_name(), &to.proj_name(), None)
        .map_err(|e| CrsError::Unknown {
            crs: format!("{from} → {to}"),
            reason: e.to_string(),
        })?;
    let proj = Rc::new(proj);
    TRANSFORMS.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() >= CACHED_PER_THREAD {
            t.clear();
        }
        t.insert(key, Rc::clone(&proj));
    });
    Ok(proj)
}

impl Transform {
    pub fn new(from: &Crs, to: &Crs) -> Result<Self, CrsError> {
        let identity = from == to || (from.is_lon_lat_wgs84() && to.is_lon_lat_wgs84());
        let proj = if identity {
            None
        } else {
            Some(cached_proj(from, to)?)
        };
        Ok(Transform {
            from: from.clone(),
            proj,
        })
    }

    /// Transforms one coordinate.
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let Some(proj) = &self.proj else {
            return Ok((x, y));
        };
        let out: (f64, f64) = proj.convert((x, y)).map_err(|e| CrsError::Transform {
            from: self.from.to_string(),
            x,
            y,
            reason: plain_reason(&e.to_string()),
        })?;
        if out.0.is_finite() && out.1.is_finite() {
            Ok(out)
        } else {
            Err(CrsError::Transform {
                from: self.from.to_string(),
                x,
                y,
                reason: "result is not finite".to_string(),
            })
        }
    }

    /// Transforms every coordinate of a geometry: all of them in one call to PROJ (which
    /// transforms them one by one, exactly as [`Transform::apply`] does, without a call
    /// across the boundary per coordinate). When PROJ fails on any of them, they are done
    /// again one by one, so the problem names the first coordinate that failed and why.
    pub fn geometry(&self, g: &geo::Geometry<f64>) -> Result<geo::Geometry<f64>, CrsError> {
        use geo::{CoordsIter, MapCoordsInPlace};
        let Some(proj) = &self.proj else {
            return Ok(g.clone());
        };
        let mut points: Vec<(f64, f64)> = g.coords_iter().map(|c| (c.x, c.y)).collect();
        let converted = proj.convert_array(&mut points).is_ok()
            && points.iter().all(|(x, y)| x.is_finite() && y.is_finite());
        if !converted {
            return self.geometry_point_by_point(g);
        }
        // Transformed in a copy: its vectors have exactly the source's length. The
        // coordinates are visited in the order `coords_iter` gave them.
        let mut out = g.clone();
        let next = std::cell::Cell::new(0);
        let points = &points;
        out.map_coords_in_place(|c| {
            let at = next.get();
            next.set(at + 1);
            match points.get(at) {
                Some(&(x, y)) => geo::coord! { x: x, y: y },
                None => c,
            }
        });
        Ok(out)
    }

    /// [`Transform::geometry`], one PROJ call per coordinate.
    fn geometry_point_by_point(
        &self,
        g: &geo::Geometry<f64>,
    ) -> Result<geo::Geometry<f64>, CrsError> {
        use geo::MapCoordsInPlace;
        // Transformed in a copy: its vectors have exactly the source's length, where
        // collecting through a fallible map would leave them with spare capacity.
        // (geo's fallible in-place map does not compile for Geometry: the first error is
        // kept aside instead.)
        let mut out = g.clone();
        let failed = std::cell::Cell::new(None);
        out.map_coords_in_place(|c| match self.apply(c.x, c.y) {
            Ok((x, y)) => geo::coord! { x: x, y: y },
            Err(e) => {
                let first = failed.take().unwrap_or(e);
                failed.set(Some(first));
                c
            }
        });
        match failed.into_inner() {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

/// PROJ's reason for a failed transformation, in words a caller can act on. PROJ reports
/// some failures only by number ("Unknown error (code 4096)"); the number says which family
/// it belongs to (`PROJ_ERR_*` in `proj.h`). The original text goes to the log.
fn plain_reason(proj_text: &str) -> String {
    tracing::debug!(proj = proj_text, "PROJ could not transform a coordinate");
    let code = proj_text
        .strip_prefix("Unknown error (code ")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse::<u32>().ok());
    match code {
        None => proj_text.to_string(),
        Some(2049) => "the coordinate is not valid for this transformation".to_string(),
        Some(2050) => "the coordinate is outside the domain of the projection".to_string(),
        Some(1024..=2047) => "the transformation cannot be set up".to_string(),
        Some(_) => "the coordinate is outside the area this transformation handles".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        for s in [
            "EPSG:7801",
            "epsg:7801",
            "urn:ogc:def:crs:EPSG::7801",
            "urn:ogc:def:crs:EPSG:9.9:7801",
            "http://www.opengis.net/def/crs/EPSG/0/7801",
        ] {
            assert_eq!(s.parse::<Crs>().unwrap(), Crs::Epsg(7801), "{s}");
        }
        for s in [
            "CRS84",
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        ] {
            assert_eq!(s.parse::<Crs>().unwrap(), Crs::Crs84, "{s}");
        }
        assert!(matches!(
            "+proj=longlat +ellps=krass".parse::<Crs>().unwrap(),
            Crs::Proj(_)
        ));
        for bad in [
            "",
            "EPSG:",
            "EPSG:abc",
            "EPSG:0",
            "WGS84 please",
            "urn:ogc:def:crs:EPSG::",
        ] {
            assert!(bad.parse::<Crs>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn uri_round_trips() {
        for crs in [Crs::Crs84, Crs::Epsg(7801), Crs::Epsg(3857)] {
            assert_eq!(crs.uri().parse::<Crs>().unwrap(), crs);
        }
    }

    #[test]
    fn a_thread_builds_each_transform_once() {
        let a = Transform::new(&CADASTRAL, &Crs::Epsg(3035)).unwrap();
        let b = Transform::new(&CADASTRAL, &Crs::Epsg(3035)).unwrap();
        let (Some(a), Some(b)) = (&a.proj, &b.proj) else {
            panic!("EPSG:7801 → EPSG:3035 is not an identity");
        };
        assert!(Rc::ptr_eq(a, b), "the second transform was built again");
        // Another thread builds its own: PROJ objects must not cross threads.
        let elsewhere = std::thread::spawn(|| {
            let t = Transform::new(&CADASTRAL, &Crs::Epsg(3035)).unwrap();
            t.apply(400_000.0, 4_700_000.0).unwrap()
        })
        .join()
        .unwrap();
        let here = Transform::new(&CADASTRAL, &Crs::Epsg(3035))
            .unwrap()
            .apply(400_000.0, 4_700_000.0)
            .unwrap();
        assert_eq!(elsewhere, here);
    }

    #[test]
    fn a_geometry_transformed_in_one_call_equals_it_transformed_point_by_point() {
        use geo::{Geometry, LineString, MultiPolygon, Polygon};
        let ring = |x: f64, y: f64, d: f64| {
            LineString::from(vec![
                (x, y),
                (x + d, y + 0.123),
                (x + d, y + d),
                (x + 0.456, y + d),
                (x, y),
            ])
        };
        let holed = Polygon::new(
            ring(510_000.0, 4_693_000.0, 300.0),
            vec![ring(510_100.0, 4_693_100.0, 50.0)],
        );
        let other = Polygon::new(ring(520_000.5, 4_700_000.25, 70.0), vec![]);
        let geometries: Vec<Geometry<f64>> = vec![
            Geometry::Polygon(holed.clone()),
            Geometry::MultiPolygon(MultiPolygon(vec![holed, other])),
            Geometry::LineString(ring(430_000.0, 4_650_000.0, 9_000.0)),
            Geometry::Point(geo::Point::new(512_345.678, 4_694_321.987)),
            // PROJ fails on the second coordinate: the same problem either way.
            Geometry::LineString(LineString::from(vec![
                (510_000.0, 4_693_000.0),
                (f64::NAN, 4_693_050.0),
                (510_000.0, 4_693_100.0),
            ])),
        ];
        for to in [Crs::Epsg(4326), Crs::Epsg(3857), Crs::Epsg(32635)] {
            let t = Transform::new(&CADASTRAL, &to).unwrap();
            for g in &geometries {
                let batched = t.geometry(g).map_err(|e| e.to_string());
                let one_by_one = t.geometry_point_by_point(g).map_err(|e| e.to_string());
                // Bit for bit: the same PROJ operation on the same numbers.
                assert_eq!(batched, one_by_one, "{to}: {g:?}");
            }
        }
        let t = Transform::new(&CADASTRAL, &Crs::Epsg(4326)).unwrap();
        assert!(
            t.geometry(&geometries[4]).is_err(),
            "the failure is reported"
        );
    }

    #[test]
    fn proj_error_numbers_become_words() {
        for code in ["4096", "2052", "2049", "2050", "1027"] {
            let said = plain_reason(&format!("Unknown error (code {code})"));
            assert!(!said.contains("Unknown error"), "{code}: {said}");
            assert!(!said.contains(code), "{code}: {said}");
        }
        assert_eq!(plain_reason("Invalid coordinate"), "Invalid coordinate");
    }
}
