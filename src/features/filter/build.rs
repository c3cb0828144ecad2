//! From the `cql2` crate's expression to a checked [`CqlFilter`]: each property is a
//! queryable of the collection, each comparison is between values of one type, each operator
//! or function is one [`super::eval`] evaluates, each geometry literal is read in the
//! filter's CRS and axis order. Whatever is refused is a 400 on `filter` naming the part.

use std::collections::BTreeMap;
use std::fmt::Display;

use cql2::Expr;
use geo::{BoundingRect, CoordsIter, Geometry, MapCoords, Rect};

use super::condition::{Comparison, Condition, Operand, Relation, Scalar};
use crate::features::collections::{PropertyType, GEOMETRY};
use crate::features::params::{CrsChoice, ParamError};

/// How deeply conditions and parentheses may nest.
pub const MAX_DEPTH: usize = 32;

/// How many conditions, list items and geometry vertices one filter may hold in all: every
/// feature is tested against every one of them (a million plots, a thousand terms: about a
/// second).
pub const MAX_TERMS: usize = 1000;

/// A checked filter: trusted from here on.
#[derive(Debug, Clone)]
pub struct CqlFilter {
    pub(super) condition: Condition,
    /// The properties the condition reads, by slot.
    pub(super) properties: Vec<String>,
    /// The CRS of the filter's geometry literals.
    pub(super) crs: CrsChoice,
    /// Whether any spatial function is used (each candidate's geometry is then needed).
    pub(super) spatial: bool,
    /// The envelope (in `crs`, easting first) of a spatial literal every match must touch:
    /// the top-level AND holds a spatial function other than S_DISJOINT.
    pub(super) narrow: Option<Rect<f64>>,
}

/// The longest text literal or LIKE pattern, in characters.
const MAX_TEXT_CHARS: usize = 1000;

/// The spatial functions served.
const SPATIAL: [(&str, Relation); 8] = [
    ("s_intersects", Relation::Intersects),
    ("s_disjoint", Relation::Disjoint),
    ("s_equals", Relation::Equals),
    ("s_touches", Relation::Touches),
    ("s_within", Relation::Within),
    ("s_contains", Relation::Contains),
    ("s_overlaps", Relation::Overlaps),
    ("s_crosses", Relation::Crosses),
];

fn bad(reason: impl Display) -> ParamError {
    ParamError::new("filter", reason)
}

/// An expression as CQL2 text, shortened for a message.
fn show(e: &Expr) -> String {
    const MAX: usize = 160;
    let text = e.to_text().unwrap_or_else(|_| format!("{e:?}"));
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// One line of a parser's message (pest's span a caret under the offending column).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type family a value or property belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Bool,
}

impl Kind {
    fn of(t: PropertyType) -> Kind {
        match t {
            PropertyType::String => Kind::Text,
            PropertyType::Integer | PropertyType::Number => Kind::Number,
            PropertyType::Boolean => Kind::Bool,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
        }
    }
}

/// Parses `text` (CQL2 text, or CQL2 JSON when `json`) and checks it.
pub(super) fn build(
    text: &str,
    json: bool,
    collection: &str,
    queryables: &BTreeMap<String, PropertyType>,
    crs: CrsChoice,
) -> Result<CqlFilter, ParamError> {
    let expr = if json {
        parse_json(text)?
    } else {
        parse_text(text)?
    };
    let mut builder = Builder {
        collection,
        queryables,
        crs: &crs,
        properties: Vec::new(),
        terms: 0,
        spatial: false,
    };
    let condition = builder.condition(&expr, 0)?;
    let narrow = narrowing(&condition);
    let (properties, spatial) = (builder.properties, builder.spatial);
    Ok(CqlFilter {
        condition,
        properties,
        crs,
        spatial,
        narrow,
    })
}

fn parse_text(text: &str) -> Result<Expr, ParamError> {
    // Parentheses nest at most as deep as conditions may (and geometries need three).
    let mut depth = 0usize;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(bad(format!(
                        "nests parentheses deeper than {MAX_DEPTH} levels"
                    )));
                }
            }
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    cql2::parse_text(text).map_err(|e| {
        bad(format!(
            "is not valid CQL2 text: {}",
            one_line(&e.to_string())
        ))
    })
}

fn parse_json(text: &str) -> Result<Expr, ParamError> {
    // serde_json refuses nesting beyond 128 levels before building anything.
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad(format!("is not JSON (filter-lang is cql2-json): {e}")))?;
    // A condition is an object holding an array of arguments: two levels per condition.
    if json_depth(&value) > 2 * MAX_DEPTH + 4 {
        return Err(bad(format!(
            "nests conditions deeper than {MAX_DEPTH} levels"
        )));
    }
    serde_json::from_value(value).map_err(|e| bad(format!("is not a CQL2 JSON expression: {e}")))
}

fn json_depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(items) => 1 + items.iter().map(json_depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The envelope of a spatial literal that every match must touch: the filter is, or its
/// top-level AND holds, a spatial function other than S_DISJOINT.
fn narrowing(condition: &Condition) -> Option<Rect<f64>> {
    let touches = |c: &Condition| match c {
        Condition::Spatial { relation, literal } if relation.needs_contact() => {
            literal.bounding_rect()
        }
        _ => None,
    };
    match condition {
        Condition::All(list) => list.iter().find_map(touches),
        other => touches(other),
    }
}

struct Builder<'a> {
    collection: &'a str,
    queryables: &'a BTreeMap<String, PropertyType>,
    crs: &'a CrsChoice,
    properties: Vec<String>,
    terms: usize,
    spatial: bool,
}

impl Builder<'_> {
    fn count(&mut self, n: usize) -> Result<(), ParamError> {
        self.terms = self.terms.saturating_add(n);
        if self.terms > MAX_TERMS {
            return Err(bad(format!(
                "holds more than {MAX_TERMS} conditions, list items and vertices"
            )));
        }
        Ok(())
    }

    fn condition(&mut self, e: &Expr, depth: usize) -> Result<Condition, ParamError> {
        if depth > MAX_DEPTH {
            return Err(bad(format!(
                "nests conditions deeper than {MAX_DEPTH} levels"
            )));
        }
        self.count(1)?;
        match e {
            Expr::Bool(b) => Ok(Condition::Const(*b)),
            Expr::Operation { op, args } => self.operation(op, args, e, depth),
            Expr::Property { property } => Err(bad(format!(
                "`{property}` alone is not a condition; compare it, e.g. `{property} = …`"
            ))),
            other => Err(bad(format!("`{}` is not a condition", show(other)))),
        }
    }

    fn operation(
        &mut self,
        op: &str,
        args: &[Box<Expr>],
        e: &Expr,
        depth: usize,
    ) -> Result<Condition, ParamError> {
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(bad(format!(
                    "`{}`: {op} takes {n} argument(s), not {}",
                    show(e),
                    args.len()
                )))
            }
        };
        let comparison = match op {
            "=" => Some(Comparison::Eq),
            "<>" | "!=" => Some(Comparison::Ne),
            "<" => Some(Comparison::Lt),
            "<=" => Some(Comparison::Le),
            ">" => Some(Comparison::Gt),
            ">=" => Some(Comparison::Ge),
            _ => None,
        };
        if let Some(cmp) = comparison {
            arity(2)?;
            let (left, lk) = self.operand(&args[0], e)?;
            let (right, rk) = self.operand(&args[1], e)?;
            same_kind(lk, rk, e)?;
            if lk == Kind::Bool && !matches!(cmp, Comparison::Eq | Comparison::Ne) {
                return Err(bad(format!(
                    "`{}`: booleans are compared with = and <> only",
                    show(e)
                )));
            }
            return Ok(Condition::Compare {
                left,
                op: cmp,
                right,
            });
        }
        if let Some((_, relation)) = SPATIAL.iter().find(|(name, _)| *name == op) {
            arity(2)?;
            return self.spatial(*relation, args, e);
        }
        match op {
            "and" | "or" => {
                if args.is_empty() {
                    return Err(bad(format!("`{op}` needs at least one condition")));
                }
                let list = args
                    .iter()
                    .map(|a| self.condition(a, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if op == "and" {
                    Condition::All(list)
                } else {
                    Condition::Any(list)
                })
            }
            "not" => {
                arity(1)?;
                Ok(Condition::Not(Box::new(
                    self.condition(&args[0], depth + 1)?,
                )))
            }
            "like" => {
                arity(2)?;
                let (operand, kind) = self.operand(&args[0], e)?;
                if kind != Kind::Text {
                    return Err(bad(format!(
                        "`{}`: LIKE matches text, and `{}` is {}",
                        show(e),
                        show(&args[0]),
                        kind.name()
                    )));
                }
                let Expr::Literal(pattern) = &*args[1] else {
                    return Err(bad(format!(
                        "`{}`: the pattern of LIKE must be a text literal",
                        show(e)
                    )));
                };
                self.text_length(pattern)?;
                // A pattern ending in its escape character matches nothing: refuse it now.
                let escapes = pattern.chars().rev().take_while(|&c| c == '\\').count();
                if escapes % 2 == 1 {
                    return Err(bad(format!(
                        "`{}`: the LIKE pattern ends with its escape character \\",
                        show(e)
                    )));
                }
                Ok(Condition::Like {
                    operand,
                    pattern: pattern.clone(),
                })
            }
            "between" => {
                arity(3)?;
                let (operand, kind) = self.operand(&args[0], e)?;
                let (low, lk) = self.operand(&args[1], e)?;
                let (high, hk) = self.operand(&args[2], e)?;
                for k in [kind, lk, hk] {
                    if k != Kind::Number {
                        return Err(bad(format!(
                            "`{}`: BETWEEN compares numbers, and one of its operands is {}",
                            show(e),
                            k.name()
                        )));
                    }
                }
                Ok(Condition::Between { operand, low, high })
            }
            "in" => {
                arity(2)?;
                let (operand, kind) = self.operand(&args[0], e)?;
                let Expr::Array(items) = &*args[1] else {
                    return Err(bad(format!(
                        "`{}`: IN takes a list of values in parentheses",
                        show(e)
                    )));
                };
                self.count(items.len())?;
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    let (value, k) = self.operand(item, e)?;
                    let Operand::Value(value) = value else {
                        return Err(bad(format!(
                            "`{}`: the list of IN holds literal values only",
                            show(e)
                        )));
                    };
                    same_kind(kind, k, e)?;
                    list.push(value);
                }
                Ok(Condition::In { operand, list })
            }
            "isNull" => {
                arity(1)?;
                let (operand, _) = self.operand(&args[0], e)?;
                Ok(Condition::IsNull { operand })
            }
            other => Err(self.unsupported(other, e)),
        }
    }

    /// Why an operator or function is not served.
    fn unsupported(&self, op: &str, e: &Expr) -> ParamError {
        let lower = op.to_ascii_lowercase();
        let reason = if ["casei", "accenti"].contains(&lower.as_str()) {
            format!("{op}() (case- and accent-insensitive comparison) is not supported")
        } else if ["+", "-", "*", "/", "%", "^", "div"].contains(&lower.as_str()) {
            "arithmetic is not supported".to_string()
        } else if lower.starts_with("t_") {
            format!(
                "{op}: temporal functions are not supported (the zone's features carry no time)"
            )
        } else if lower.starts_with("a_") {
            format!("{op}: array functions are not supported")
        } else {
            format!(
                "unknown function `{op}`; the functions served are S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_OVERLAPS and S_CROSSES"
            )
        };
        bad(format!("`{}`: {reason}", show(e)))
    }

    fn text_length(&self, text: &str) -> Result<(), ParamError> {
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(bad(format!(
                "holds a text literal longer than {MAX_TEXT_CHARS} characters"
            )));
        }
        Ok(())
    }

    /// A property's slot and type family.
    fn property(&mut self, name: &str) -> Result<(usize, Kind), ParamError> {
        let Some(t) = self.queryables.get(name) else {
            let reason = if name == GEOMETRY {
                format!("`{GEOMETRY}` (the features' geometry) is tested with spatial functions such as S_INTERSECTS, not compared")
            } else {
                format!(
                    "`{name}` is not a queryable property of collection `{}` (its queryables are listed at /collections/{}/queryables)",
                    self.collection, self.collection
                )
            };
            return Err(bad(reason));
        };
        let slot = match self.properties.iter().position(|p| p == name) {
            Some(slot) => slot,
            None => {
                self.properties.push(name.to_string());
                self.properties.len() - 1
            }
        };
        Ok((slot, Kind::of(*t)))
    }

    /// An operand of a comparison: a queryable property or a literal, with its type family.
    fn operand(&mut self, a: &Expr, whole: &Expr) -> Result<(Operand, Kind), ParamError> {
        let within = |reason: String| bad(format!("`{}`: {reason}", show(whole)));
        match a {
            Expr::Property { property } => {
                let (slot, kind) = self.property(property)?;
                Ok((Operand::Property(slot), kind))
            }
            Expr::Float(v) if v.is_finite() => {
                Ok((Operand::Value(Scalar::Number(*v)), Kind::Number))
            }
            Expr::Float(v) => Err(within(format!("{v} is not a finite number"))),
            Expr::Literal(s) => {
                self.text_length(s)?;
                Ok((Operand::Value(Scalar::Text(s.clone())), Kind::Text))
            }
            Expr::Bool(b) => Ok((Operand::Value(Scalar::Bool(*b)), Kind::Bool)),
            Expr::Null => Err(within(
                "NULL is tested with IS NULL, not compared".to_string(),
            )),
            Expr::Timestamp { .. } | Expr::Date { .. } | Expr::Interval { .. } => Err(within(
                "dates and times are not supported (the zone's features carry no time)".to_string(),
            )),
            Expr::Geometry(_) | Expr::BBox { .. } => Err(within(
                "geometries are tested with spatial functions such as S_INTERSECTS, not compared"
                    .to_string(),
            )),
            Expr::Array(_) => Err(within("a list of values belongs after IN".to_string())),
            Expr::Operation { op, .. } => Err(self.unsupported(op, a)),
        }
    }

    fn spatial(
        &mut self,
        relation: Relation,
        args: &[Box<Expr>],
        e: &Expr,
    ) -> Result<Condition, ParamError> {
        let is_geometry =
            |a: &Expr| matches!(a, Expr::Property { property } if property == GEOMETRY);
        let (relation, literal) = match (is_geometry(&args[0]), is_geometry(&args[1])) {
            (true, false) => (relation, &args[1]),
            // The literal first: S_WITHIN(literal, geometry) is the geometry containing it.
            (false, true) => (
                match relation {
                    Relation::Within => Relation::Contains,
                    Relation::Contains => Relation::Within,
                    symmetric => symmetric,
                },
                &args[0],
            ),
            _ => {
                let other = args.iter().find_map(|a| match &**a {
                    Expr::Property { property } if property != GEOMETRY => Some(property.clone()),
                    _ => None,
                });
                let reason = match other {
                    Some(p) => format!("`{p}` is not a geometry; the features' geometry is `{GEOMETRY}`"),
                    None => format!("a spatial function compares the features' `{GEOMETRY}` with one geometry literal"),
                };
                return Err(bad(format!("`{}`: {reason}", show(e))));
            }
        };
        let literal = self.geometry_literal(literal, e)?;
        self.spatial = true;
        Ok(Condition::Spatial { relation, literal })
    }

    /// A BBOX or WKT/GeoJSON literal in the filter's CRS and axis order, as a geometry
    /// easting first.
    fn geometry_literal(&mut self, lit: &Expr, e: &Expr) -> Result<Geometry<f64>, ParamError> {
        let within = |reason: String| bad(format!("`{}`: {reason}", show(e)));
        let crs = self.crs;
        let g: Geometry<f64> = match lit {
            Expr::BBox { bbox } => {
                let n: Vec<f64> = bbox
                    .iter()
                    .map(|v| match **v {
                        Expr::Float(f) => Ok(f),
                        _ => Err(within("BBOX takes numbers".to_string())),
                    })
                    .collect::<Result<_, _>>()?;
                let corners = match n.as_slice() {
                    [a, b, c, d] | [a, b, _, c, d, _] => [*a, *b, *c, *d],
                    _ => {
                        return Err(within(format!(
                            "BBOX takes 4 numbers (or 6 with heights), not {}",
                            n.len()
                        )))
                    }
                };
                let (w, s) = crs.order(corners[0], corners[1]);
                let (east, north) = crs.order(corners[2], corners[3]);
                if w > east || s > north {
                    return Err(within(
                        "the BBOX's lower corner must come first, in the axis order of filter-crs (a box across the antimeridian is not supported)"
                            .to_string(),
                    ));
                }
                Geometry::Rect(Rect::new(
                    geo::coord! { x: w, y: s },
                    geo::coord! { x: east, y: north },
                ))
            }
            Expr::Geometry(_) => {
                let g = Geometry::<f64>::try_from(lit.clone())
                    .map_err(|err| within(format!("the geometry cannot be read: {err}")))?;
                g.map_coords(|c| {
                    let (x, y) = crs.order(c.x, c.y);
                    geo::coord! { x: x, y: y }
                })
            }
            Expr::Property { property } => {
                return Err(within(format!(
                    "`{property}` is not a geometry; the features' geometry is `{GEOMETRY}`"
                )))
            }
            other => {
                return Err(within(format!(
                    "`{}` is not a geometry literal (BBOX(…), POINT(…), POLYGON((…)), …)",
                    show(other)
                )))
            }
        };
        self.count(g.coords_count())?;
        let geographic = crs.crs.is_lon_lat_wgs84();
        for c in g.coords_iter() {
            if !c.x.is_finite() || !c.y.is_finite() {
                return Err(within("a coordinate is not a finite number".to_string()));
            }
            if geographic && (c.x.abs() > 180.0 || c.y.abs() > 90.0) {
                let order = if crs.north_first {
                    "latitude, longitude"
                } else {
                    "longitude, latitude"
                };
                return Err(within(format!(
                    "a coordinate is outside the range of {} ({order} in degrees)",
                    crs.crs
                )));
            }
        }
        Ok(g)
    }
}

fn same_kind(a: Kind, b: Kind, e: &Expr) -> Result<(), ParamError> {
    if a == b {
        return Ok(());
    }
    Err(bad(format!(
        "`{}` compares {} with {}",
        show(e),
        a.name(),
        b.name()
    )))
}
