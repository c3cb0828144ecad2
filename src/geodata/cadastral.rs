//! Bulgarian cadastral identifiers (идентификатор): `EKATTE.region.plot[.building[.unit]]`.
//!
//! Parsed once at the edge (when a file is read or a request arrives) into [`CadastralId`],
//! so the rest of the code never re-checks the format.

use std::fmt;
use std::str::FromStr;

/// A validated cadastral identifier such as `27214.33.50` (Elenino, region 33, plot 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CadastralId {
    /// Five-digit settlement code from the EKATTE register (68850 Stara Zagora, 27214 Elenino).
    pub ekatte: u32,
    /// Cadastral region, 1–9999.
    pub region: u32,
    /// Plot within the region, 1–9999.
    pub plot: u32,
    /// Building on the plot, 1–999.
    pub building: Option<u32>,
    /// Self-contained unit in the building, 1–999.
    pub unit: Option<u32>,
}

/// Why a string is not a cadastral identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CadastralIdError {
    #[error("a cadastral identifier has 3 to 5 dot-separated numbers (EKATTE.region.plot[.building[.unit]]), found {0}")]
    FieldCount(usize),
    #[error("the EKATTE code must have exactly 5 digits, found {0:?}")]
    Ekatte(String),
    #[error("the {field} number {value:?} must be a positive integer of at most {max_digits} digits without leading zeros")]
    Field {
        field: &'static str,
        value: String,
        max_digits: usize,
    },
}

impl CadastralId {
    /// The identifier of the land plot this building or unit stands on (itself for a plot).
    pub fn land_plot(&self) -> CadastralId {
        CadastralId {
            building: None,
            unit: None,
            ..*self
        }
    }
}

fn positive(field: &'static str, value: &str, max_digits: usize) -> Result<u32, CadastralIdError> {
    let bad = || CadastralIdError::Field {
        field,
        value: value.to_string(),
        max_digits,
    };
    if value.is_empty()
        || value.len() > max_digits
        || value.starts_with('0')
        || !value.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    value.parse().map_err(|_| bad())
}

impl FromStr for CadastralId {
    type Err = CadastralIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        if !(3..=5).contains(&parts.len()) {
            return Err(CadastralIdError::FieldCount(parts.len()));
        }
        let ekatte = parts[0];
        if ekatte.len() != 5 || !ekatte.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CadastralIdError::Ekatte(ekatte.to_string()));
        }
        Ok(CadastralId {
            ekatte: ekatte
                .parse()
                .map_err(|_| CadastralIdError::Ekatte(ekatte.to_string()))?,
            region: positive("region", parts[1], 4)?,
            plot: positive("plot", parts[2], 4)?,
            building: parts
                .get(3)
                .map(|b| positive("building", b, 3))
                .transpose()?,
            unit: parts.get(4).map(|u| positive("unit", u, 3)).transpose()?,
        })
    }
}

impl fmt::Display for CadastralId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}.{}.{}", self.ekatte, self.region, self.plot)?;
        if let Some(b) = self.building {
            write!(f, ".{b}")?;
        }
        if let Some(u) = self.unit {
            write!(f, ".{u}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plots_buildings_and_units() {
        let id: CadastralId = "27214.33.50".parse().unwrap();
        assert_eq!((id.ekatte, id.region, id.plot), (27214, 33, 50));
        assert_eq!(id.building, None);
        let unit: CadastralId = "68850.520.101.2.14".parse().unwrap();
        assert_eq!((unit.building, unit.unit), (Some(2), Some(14)));
        assert_eq!(unit.land_plot().to_string(), "68850.520.101");
        assert_eq!(unit.to_string(), "68850.520.101.2.14");
    }

    #[test]
    fn rejects_malformed_identifiers() {
        for bad in [
            "",
            "27214",
            "27214.33",
            "2721.33.1",
            "272145.33.1",
            "27214.033.1",
            "27214.33.0",
            "27214.33.-1",
            "27214.33.1a",
            "27214.12345.1",
            "27214.33.1.1234",
            "27214.33.1.1.1.1",
            "27214..1",
            "x7214.33.1",
        ] {
            assert!(bad.parse::<CadastralId>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn error_messages_name_the_field() {
        let err = "27214.033.1".parse::<CadastralId>().unwrap_err();
        assert!(err.to_string().contains("region"), "{err}");
        let err = "2721.33.1".parse::<CadastralId>().unwrap_err();
        assert!(err.to_string().contains("EKATTE"), "{err}");
    }
}
