//! A checked filter's condition and its evaluation on one feature's values and geometry.
//!
//! Logic is three-valued, as in SQL and CQL2: a comparison that reads a missing or null value
//! is *unknown*, NOT of unknown is unknown, and a feature is selected only when its filter is
//! true — so `NOT (price > 100)` does not select plots that have no price.

use geo::{Geometry, Intersects, Relate};
use like::Like;

use crate::geodata::PropValue;

/// A condition, every part of it checked (see `build`).
#[derive(Debug, Clone)]
pub(super) enum Condition {
    Const(bool),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        left: Operand,
        op: Comparison,
        right: Operand,
    },
    /// `operand LIKE pattern` (`%` any text, `_` one character, `\` escapes).
    Like {
        operand: Operand,
        pattern: String,
    },
    In {
        operand: Operand,
        list: Vec<Scalar>,
    },
    /// Inclusive at both ends.
    Between {
        operand: Operand,
        low: Operand,
        high: Operand,
    },
    IsNull {
        operand: Operand,
    },
    /// The feature's geometry, in the filter's CRS, in `relation` to the literal.
    Spatial {
        relation: Relation,
        literal: Geometry<f64>,
    },
}

/// A property (by slot in [`CqlFilter`]'s list) or a literal.
#[derive(Debug, Clone)]
pub(super) enum Operand {
    Property(usize),
    Value(Scalar),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// How the feature's geometry relates to the literal (S_WITHIN(geometry, literal) is
/// `Within`; S_WITHIN(literal, geometry) is `Contains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    Intersects,
    Disjoint,
    Equals,
    Touches,
    Within,
    Contains,
    Overlaps,
    Crosses,
}

/// A value as read for one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
}

impl Scalar {
    fn value(&self) -> Value<'_> {
        match self {
            Scalar::Text(s) => Value::Text(s),
            Scalar::Number(n) => Value::Number(*n),
            Scalar::Bool(b) => Value::Bool(*b),
        }
    }
}

/// What a condition is evaluated on: the values of the filter's properties (by slot) and the
/// feature's geometry in the filter's CRS (when a spatial function needs it).
pub(super) struct Subject<'a> {
    pub(super) values: &'a [PropValue],
    pub(super) geometry: Option<&'a Geometry<f64>>,
}

impl Subject<'_> {
    fn value<'s>(&'s self, operand: &'s Operand) -> Option<Value<'s>> {
        match operand {
            Operand::Value(s) => Some(s.value()),
            Operand::Property(slot) => match self.values.get(*slot)? {
                PropValue::Text(s) => Some(Value::Text(s)),
                PropValue::Number(n) => n.as_f64().map(Value::Number),
                PropValue::Bool(b) => Some(Value::Bool(*b)),
                PropValue::Null | PropValue::Json(_) => None,
            },
        }
    }
}

impl Comparison {
    fn holds(self, left: Value<'_>, right: Value<'_>) -> Option<bool> {
        use std::cmp::Ordering;
        let order = match (left, right) {
            (Value::Text(a), Value::Text(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => a.partial_cmp(&b)?,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(&b),
            // The types were checked against the queryables; a value of another type in the
            // data is not comparable, so the comparison is unknown.
            _ => return None,
        };
        Some(match self {
            Comparison::Eq => order == Ordering::Equal,
            Comparison::Ne => order != Ordering::Equal,
            Comparison::Lt => order == Ordering::Less,
            Comparison::Le => order != Ordering::Greater,
            Comparison::Gt => order == Ordering::Greater,
            Comparison::Ge => order != Ordering::Less,
        })
    }
}

impl Relation {
    fn holds(self, feature: &Geometry<f64>, literal: &Geometry<f64>) -> bool {
        match self {
            Relation::Intersects => feature.intersects(literal),
            Relation::Disjoint => !feature.intersects(literal),
            Relation::Equals => feature.relate(literal).is_equal_topo(),
            Relation::Touches => feature.relate(literal).is_touches(),
            Relation::Within => feature.relate(literal).is_within(),
            Relation::Contains => feature.relate(literal).is_contains(),
            Relation::Overlaps => feature.relate(literal).is_overlaps(),
            Relation::Crosses => feature.relate(literal).is_crosses(),
        }
    }

    /// Whether every feature in this relation touches the literal's envelope (all but
    /// disjointness), so the spatial index may narrow the candidates to it.
    pub(super) fn needs_contact(self) -> bool {
        self != Relation::Disjoint
    }
}

impl Condition {
    /// True, false, or unknown (None).
    pub(super) fn eval(&self, s: &Subject<'_>) -> Option<bool> {
        match self {
            Condition::Const(b) => Some(*b),
            Condition::All(list) => {
                let mut unknown = false;
                for c in list {
                    match c.eval(s) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                (!unknown).then_some(true)
            }
            Condition::Any(list) => {
                let mut unknown = false;
                for c in list {
                    match c.eval(s) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                (!unknown).then_some(false)
            }
            Condition::Not(c) => c.eval(s).map(|b| !b),
            Condition::Compare { left, op, right } => op.holds(s.value(left)?, s.value(right)?),
            Condition::Like { operand, pattern } => match s.value(operand)? {
                // The pattern was checked when the filter was built.
                Value::Text(text) => Like::<true>::like(text, pattern.as_str()).ok(),
                _ => None,
            },
            Condition::In { operand, list } => {
                let v = s.value(operand)?;
                let mut unknown = false;
                for item in list {
                    match Comparison::Eq.holds(v, item.value()) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                (!unknown).then_some(false)
            }
            Condition::Between { operand, low, high } => {
                let v = s.value(operand)?;
                let above = Comparison::Ge.holds(v, s.value(low)?)?;
                let below = Comparison::Le.holds(v, s.value(high)?)?;
                Some(above && below)
            }
            Condition::IsNull { operand } => Some(s.value(operand).is_none()),
            Condition::Spatial { relation, literal } => Some(relation.holds(s.geometry?, literal)),
        }
    }
}
