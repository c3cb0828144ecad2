//! A plot's business facts ([`Facts`]): what the zone company records about selling or
//! leasing it, keyed by its cadastral identifier and kept apart from the cadastral geometry.
//! Which fields are editable, which are public, and how a JSON merge patch (RFC 7396) of them
//! is validated: every value a [`Facts`] holds is valid, and [`Facts::patched`] either gives
//! a valid new one or names the field at fault.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::geodata::{PropValue, Properties};

/// Where a plot stands in the zone company's sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Available,
    Reserved,
    PreContracted,
    Sold,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Available,
        Status::Reserved,
        Status::PreContracted,
        Status::Sold,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Available => "available",
            Status::Reserved => "reserved",
            Status::PreContracted => "pre-contracted",
            Status::Sold => "sold",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The colour a plot of this status is drawn in, `#rrggbb`: the one palette of the map's
    /// style (and, through its metadata, the viewer's legend and filters), the KML exports
    /// and the plot sheet. Colour-blind distinguishable on the map's beige background.
    pub fn colour(self) -> &'static str {
        match self {
            Status::Available => "#2e9e44",
            Status::Reserved => "#f0b400",
            Status::PreContracted => "#e8710a",
            Status::Sold => "#9a9a9a",
        }
    }

    /// The colour of a status by its name; `None` for a name that is no status.
    pub fn colour_of(name: &str) -> Option<&'static str> {
        Status::from_name(name).map(Status::colour)
    }
}

/// How a plot is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terms {
    Sale,
    Lease,
    SaleOrLease,
}

impl Terms {
    pub const ALL: [Terms; 3] = [Terms::Sale, Terms::Lease, Terms::SaleOrLease];

    pub fn name(self) -> &'static str {
        match self {
            Terms::Sale => "sale",
            Terms::Lease => "lease",
            Terms::SaleOrLease => "sale_or_lease",
        }
    }

    pub fn from_name(name: &str) -> Option<Terms> {
        Terms::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A plot's business facts. Every value here is valid (see [`Facts::patched`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub status: Status,
    /// Price per m², EUR, never negative.
    pub price_eur_m2: Option<f64>,
    /// Whether the price includes VAT (Bulgarian VAT is 20 %).
    pub price_includes_vat: Option<bool>,
    pub price_note: Option<String>,
    pub terms: Option<Terms>,
    /// A calendar date, `YYYY-MM-DD`.
    pub reserved_until: Option<String>,
    pub investor: Option<String>,
    /// Whether the investor may be shown publicly.
    pub investor_public: bool,
    /// Private: who to call.
    pub contact: Option<String>,
    /// Private: the staff's own notes.
    pub internal_note: Option<String>,
    pub notes_bg: Option<String>,
    pub notes_en: Option<String>,
    /// The УПИ (urban regulated plot) label, e.g. `УПИ II-33.1, 33.7, кв. 2`.
    pub upi: Option<String>,
}

/// Every field, in the card's order; `contact` and `internal_note` are never public, and the
/// investor only when `investor_public` is true.
pub const FIELDS: [&str; 13] = [
    "status",
    "price_eur_m2",
    "price_includes_vat",
    "price_note",
    "terms",
    "reserved_until",
    "investor",
    "investor_public",
    "contact",
    "internal_note",
    "notes_bg",
    "notes_en",
    "upi",
];

/// The JSON type of a public field, whatever its values (null aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Number,
    Boolean,
}

/// The public fields and their types: what the queryables and TileJSON list for plots once
/// the register exists, so that an edit never changes those lists (and they are derived once
/// per data version, not per edit).
pub const PUBLIC_TYPES: [(&str, FieldType); 10] = [
    ("status", FieldType::Text),
    ("price_eur_m2", FieldType::Number),
    ("price_includes_vat", FieldType::Boolean),
    ("price_note", FieldType::Text),
    ("terms", FieldType::Text),
    ("reserved_until", FieldType::Text),
    ("investor", FieldType::Text),
    ("notes_bg", FieldType::Text),
    ("notes_en", FieldType::Text),
    ("upi", FieldType::Text),
];

/// Fields that never appear in a public answer.
pub const PRIVATE_FIELDS: [&str; 3] = ["contact", "internal_note", "investor_public"];

/// The longest text a field may hold (characters).
pub const MAX_TEXT: usize = 2000;

/// Why a patch was refused: the field at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

fn bad(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.chars().take(64).collect(),
        reason: reason.into(),
    }
}

impl Facts {
    /// Facts of a plot nobody has recorded anything about.
    pub fn available() -> Facts {
        Facts {
            status: Status::Available,
            price_eur_m2: None,
            price_includes_vat: None,
            price_note: None,
            terms: None,
            reserved_until: None,
            investor: None,
            investor_public: true,
            contact: None,
            internal_note: None,
            notes_bg: None,
            notes_en: None,
            upi: None,
        }
    }

    /// The facts a plots file holds (the first start's import): values that are not valid
    /// (an unknown status, a negative price) are left out rather than imported.
    pub fn from_properties(props: &Properties) -> Facts {
        let text = |k: &str| props.get(k).and_then(PropValue::as_str).map(str::to_string);
        let mut facts = Facts::available();
        if let Some(status) = text("status").as_deref().and_then(Status::from_name) {
            facts.status = status;
        }
        facts.price_eur_m2 = props
            .get("price_eur_m2")
            .and_then(PropValue::as_f64)
            .filter(|p| p.is_finite() && *p >= 0.0);
        facts.price_includes_vat = props.get("price_includes_vat").and_then(PropValue::as_bool);
        facts.price_note = text("price_note").filter(|t| valid_text(t));
        facts.terms = text("terms").as_deref().and_then(Terms::from_name);
        facts.reserved_until = text("reserved_until").filter(|d| valid_date(d));
        facts.investor = text("investor").filter(|t| valid_text(t));
        facts.notes_bg = text("notes_bg").filter(|t| valid_text(t));
        facts.notes_en = text("notes_en").filter(|t| valid_text(t));
        facts.upi = text("upi").filter(|t| valid_text(t));
        facts
    }

    /// These facts as a JSON object of every field (private ones too: for editors).
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    /// A JSON merge patch (RFC 7396) applied to these facts: the new facts, or the first
    /// field that is not editable or not valid. `null` clears a field (not the status).
    pub fn patched(&self, patch: &Value) -> Result<Facts, FieldError> {
        let Value::Object(patch) = patch else {
            return Err(bad("", "a merge patch of the register is a JSON object"));
        };
        let mut new = self.clone();
        for (field, value) in patch {
            new.set(field, value)?;
        }
        Ok(new)
    }

    fn set(&mut self, field: &str, value: &Value) -> Result<(), FieldError> {
        let text = |value: &Value| -> Result<Option<String>, FieldError> {
            match value {
                Value::Null => Ok(None),
                Value::String(s) if valid_text(s) => Ok(Some(s.clone())),
                Value::String(_) => Err(bad(
                    field,
                    format!("at most {MAX_TEXT} characters, no control characters"),
                )),
                _ => Err(bad(field, "must be a string or null")),
            }
        };
        match field {
            "status" => {
                let name = value.as_str().unwrap_or("");
                self.status = Status::from_name(name).ok_or_else(|| {
                    bad(
                        field,
                        format!(
                            "must be one of {}",
                            Status::ALL.map(Status::name).join(", ")
                        ),
                    )
                })?;
            }
            "price_eur_m2" => {
                self.price_eur_m2 = match value {
                    Value::Null => None,
                    Value::Number(n) => match n.as_f64() {
                        Some(p) if p.is_finite() && (0.0..=1e9).contains(&p) => Some(p),
                        _ => return Err(bad(field, "must be a price of 0 to 10⁹ EUR/m²")),
                    },
                    _ => return Err(bad(field, "must be a number (EUR/m²) or null")),
                };
            }
            "price_includes_vat" => {
                self.price_includes_vat = match value {
                    Value::Null => None,
                    Value::Bool(b) => Some(*b),
                    _ => return Err(bad(field, "must be true, false or null")),
                };
            }
            "investor_public" => {
                self.investor_public = value
                    .as_bool()
                    .ok_or_else(|| bad(field, "must be true or false"))?;
            }
            "terms" => {
                self.terms = match value {
                    Value::Null => None,
                    Value::String(s) => Some(Terms::from_name(s).ok_or_else(|| {
                        bad(
                            field,
                            format!("must be one of {}", Terms::ALL.map(Terms::name).join(", ")),
                        )
                    })?),
                    _ => return Err(bad(field, "must be a string or null")),
                };
            }
            "reserved_until" => {
                self.reserved_until = match value {
                    Value::Null => None,
                    Value::String(s) if valid_date(s) => Some(s.clone()),
                    _ => return Err(bad(field, "must be a date YYYY-MM-DD or null")),
                };
            }
            "price_note" => self.price_note = text(value)?,
            "investor" => self.investor = text(value)?,
            "contact" => self.contact = text(value)?,
            "internal_note" => self.internal_note = text(value)?,
            "notes_bg" => self.notes_bg = text(value)?,
            "notes_en" => self.notes_en = text(value)?,
            "upi" => self.upi = text(value)?,
            _ => {
                return Err(bad(
                    field,
                    format!("not an editable field (editable: {})", FIELDS.join(", ")),
                ))
            }
        }
        Ok(())
    }

    /// The fields a public answer shows, in the card's order, as property values. The
    /// private fields are not among them; the investor is null unless it may be shown.
    pub fn public_fields(&self) -> Vec<(&'static str, PropValue)> {
        let text = |t: &Option<String>| {
            t.as_deref()
                .map_or(PropValue::Null, |s| PropValue::Text(Arc::from(s)))
        };
        let number =
            |v: f64| serde_json::Number::from_f64(v).map_or(PropValue::Null, PropValue::Number);
        let investor = if self.investor_public {
            text(&self.investor)
        } else {
            PropValue::Null
        };
        vec![
            ("status", PropValue::Text(Arc::from(self.status.name()))),
            (
                "price_eur_m2",
                self.price_eur_m2.map_or(PropValue::Null, number),
            ),
            (
                "price_includes_vat",
                self.price_includes_vat
                    .map_or(PropValue::Null, PropValue::Bool),
            ),
            ("price_note", text(&self.price_note)),
            (
                "terms",
                self.terms
                    .map_or(PropValue::Null, |t| PropValue::Text(Arc::from(t.name()))),
            ),
            ("reserved_until", text(&self.reserved_until)),
            ("investor", investor),
            ("notes_bg", text(&self.notes_bg)),
            ("notes_en", text(&self.notes_en)),
            ("upi", text(&self.upi)),
        ]
    }

    /// Whether every value is valid (what [`Facts::patched`] guarantees; for checks on
    /// what was read back).
    pub fn is_valid(&self) -> bool {
        self.price_eur_m2
            .is_none_or(|p| p.is_finite() && (0.0..=1e9).contains(&p))
            && self.reserved_until.as_deref().is_none_or(valid_date)
            && [
                &self.price_note,
                &self.investor,
                &self.contact,
                &self.internal_note,
                &self.notes_bg,
                &self.notes_en,
                &self.upi,
            ]
            .iter()
            .all(|t| t.as_deref().is_none_or(valid_text))
    }
}

fn valid_text(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT && !text.chars().any(|c| c.is_control() && c != '\n')
}

/// A real calendar date written `YYYY-MM-DD`.
pub fn valid_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.len() == 10 && time::Date::parse(text, &format).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let mut facts = Facts::available();
        facts.investor = Some("X".into());
        let new = facts
            .patched(&json!({"status": "reserved", "price_eur_m2": 42.5, "investor": null}))
            .unwrap();
        assert_eq!(new.status, Status::Reserved);
        assert_eq!(new.price_eur_m2, Some(42.5));
        assert_eq!(new.investor, None);
        assert_eq!(new.investor_public, facts.investor_public);
    }

    #[test]
    fn bad_values_name_their_field() {
        let facts = Facts::available();
        for (patch, field) in [
            (json!({"status": "gone"}), "status"),
            (json!({"status": null}), "status"),
            (json!({"price_eur_m2": -1}), "price_eur_m2"),
            (json!({"price_eur_m2": "12"}), "price_eur_m2"),
            (json!({"reserved_until": "2026-02-30"}), "reserved_until"),
            (json!({"reserved_until": "31.12.2026"}), "reserved_until"),
            (json!({"area_m2": 3}), "area_m2"),
            (json!({"terms": "rent"}), "terms"),
        ] {
            assert_eq!(facts.patched(&patch).unwrap_err().field, field, "{patch}");
        }
    }

    #[test]
    fn the_public_types_name_exactly_the_public_fields() {
        let public: Vec<&str> = Facts::available()
            .public_fields()
            .iter()
            .map(|(k, _)| *k)
            .collect();
        let typed: Vec<&str> = PUBLIC_TYPES.iter().map(|(k, _)| *k).collect();
        assert_eq!(public, typed);
    }

    #[test]
    fn private_fields_are_not_public_and_a_hidden_investor_is_null() {
        let mut facts = Facts::available();
        facts.contact = Some("+359 88 123 4567".into());
        facts.internal_note = Some("discount possible".into());
        facts.investor = Some("Secret GmbH".into());
        facts.investor_public = false;
        let public = facts.public_fields();
        assert!(public.iter().all(|(k, _)| !PRIVATE_FIELDS.contains(k)));
        let investor = public.iter().find(|(k, _)| *k == "investor").unwrap();
        assert_eq!(investor.1, PropValue::Null);
    }
}
