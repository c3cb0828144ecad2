//! Identifying the CRS a shapefile's `.prj` describes (ESRI WKT, as ogr2ogr and the cadastre
//! agency write it), through PROJ: the WKT is parsed by PROJ; when PROJ gives it an EPSG
//! identifier that is the CRS, else the EPSG CRS PROJ knows by the WKT's name (ESRI names
//! write `BGS2005 / CCS2005` as `BGS2005_CCS2005`) is taken, but only when it transforms a
//! point of its area of use to the same place as the WKT itself does (within a centimetre).

use serde_json::Value;

use super::crs::{builder, Crs, Transform};

/// The EPSG CRS the WKT text of a `.prj` describes, or why PROJ cannot say.
pub fn identify(wkt: &str) -> Result<Crs, String> {
    let wkt = wkt.trim().trim_start_matches('\u{feff}');
    if wkt.is_empty() {
        return Err("it is empty".to_string());
    }
    let parsed = builder()
        .proj(wkt)
        .map_err(|e| format!("PROJ cannot read it as a CRS ({e})"))?;
    let json = projjson(&parsed)?;
    if let Some(code) = epsg_id(&json) {
        return Ok(Crs::Epsg(code));
    }
    let name = json
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let candidates = [
        name.clone(),
        name.replacen('_', " / ", 1).replace('_', " "),
        name.replace('_', " "),
    ];
    for candidate in candidates.iter().filter(|c| !c.is_empty()) {
        let Ok(found) = builder().proj(candidate) else {
            continue;
        };
        let Some(code) = projjson(&found).ok().as_ref().and_then(epsg_id) else {
            continue;
        };
        if same_place(wkt, &Crs::Epsg(code)) {
            return Ok(Crs::Epsg(code));
        }
    }
    Err(format!(
        "PROJ knows no EPSG CRS that matches it (its name is {name:?}); convert the file to a \
         known CRS or name the CRS in manifest.toml and replace the .prj"
    ))
}

fn projjson(crs: &proj::Proj) -> Result<Value, String> {
    let text = crs
        .to_projjson(Some(false), None, None)
        .map_err(|e| format!("PROJ cannot describe it ({e})"))?;
    serde_json::from_str(&text).map_err(|e| format!("PROJ's description is not JSON ({e})"))
}

/// The EPSG code PROJ gives a CRS, when it gives one.
fn epsg_id(json: &Value) -> Option<u32> {
    let id = json.get("id")?;
    if id.get("authority").and_then(Value::as_str) != Some("EPSG") {
        return None;
    }
    id.get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u32::try_from(c).ok())
}

/// Whether the WKT CRS and `candidate` put the centre of the candidate's area of use at the
/// same longitude and latitude (1e-7° is about a centimetre).
fn same_place(wkt: &str, candidate: &Crs) -> bool {
    let Some([west, south, east, north]) = candidate.area_of_use() else {
        return false;
    };
    let (lon, lat) = ((west + east) / 2.0, (south + north) / 2.0);
    let wgs84 = Crs::Epsg(4326);
    let check = || -> Option<bool> {
        let (x, y) = Transform::new(&wgs84, candidate)
            .ok()?
            .apply(lon, lat)
            .ok()?;
        let from_wkt = Transform::new(&Crs::Proj(wkt.to_string()), &wgs84).ok()?;
        let (lon2, lat2) = from_wkt.apply(x, y).ok()?;
        Some((lon2 - lon).abs() < 1e-7 && (lat2 - lat).abs() < 1e-7)
    };
    check().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What ogr2ogr (GDAL 3.6) writes for EPSG:7801.
    const CCS2005: &str = r#"PROJCS["BGS2005_CCS2005",GEOGCS["GCS_BGS2005",DATUM["Bulgaria_Geodetic_System_2005",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",4725824.3591],PARAMETER["Central_Meridian",25.5],PARAMETER["Standard_Parallel_1",42.0],PARAMETER["Standard_Parallel_2",43.3333333333333],PARAMETER["Latitude_Of_Origin",42.6678756833333],UNIT["Meter",1.0]]"#;

    #[test]
    fn identifies_the_cadastral_crs_from_esri_wkt() {
        assert_eq!(identify(CCS2005), Ok(Crs::Epsg(7801)));
    }

    #[test]
    fn a_wkt_proj_cannot_match_is_refused() {
        // The same name with another false easting: not EPSG:7801.
        let moved = CCS2005.replace("500000.0", "400000.0");
        assert!(identify(&moved).is_err());
        let err = identify("PROJCS[nonsense").unwrap_err();
        assert!(err.contains("PROJ"), "{err}");
        assert!(identify("  ").is_err());
    }
}
