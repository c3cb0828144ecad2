//! Compact feature properties: what a feature's `properties` hold once it is loaded.
//!
//! A province's cadastre repeats most of each plot's properties (settlement, status, zoning,
//! provenance, the very field names): a JSON map per plot would hold a fresh `String` for every
//! key and value plus a hash index, about a kilobyte a plot. Here a feature holds a shared,
//! ordered key list (one per distinct set of field names in a layer) and a slice of values
//! whose text is shared with every equal value of the layer ([`Interner`]). [`Properties::to_map`]
//! gives back exactly the JSON map the feature was read with (same keys, same order, same
//! values), which is what every JSON answer and tile is built from.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Number, Value};

/// One property value. Text is shared (see [`Interner`]); arrays and objects, rare in
/// cadastral data, are kept as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    Null,
    Bool(bool),
    Number(Number),
    Text(Arc<str>),
    Json(Box<Value>),
}

impl PropValue {
    /// A JSON value as a property value (text not shared: for values computed per request).
    pub fn from_value(value: Value) -> PropValue {
        match value {
            Value::Null => PropValue::Null,
            Value::Bool(b) => PropValue::Bool(b),
            Value::Number(n) => PropValue::Number(n),
            Value::String(s) => PropValue::Text(Arc::from(s)),
            other => PropValue::Json(Box::new(other)),
        }
    }

    /// The value as JSON, exactly as it was read.
    pub fn to_value(&self) -> Value {
        match self {
            PropValue::Null => Value::Null,
            PropValue::Bool(b) => Value::Bool(*b),
            PropValue::Number(n) => Value::Number(n.clone()),
            PropValue::Text(s) => Value::String(s.to_string()),
            PropValue::Json(v) => (**v).clone(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            PropValue::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            PropValue::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PropValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, PropValue::Number(_))
    }
}

/// A feature's properties: field names shared by the layer, values in the same order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    keys: Arc<[Box<str>]>,
    values: Box<[PropValue]>,
}

impl Properties {
    /// The value of a field.
    pub fn get(&self, name: &str) -> Option<&PropValue> {
        let at = self.keys.iter().position(|k| &**k == name)?;
        self.values.get(at)
    }

    /// The value of a field as JSON.
    pub fn get_json(&self, name: &str) -> Option<Value> {
        self.get(name).map(PropValue::to_value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.keys.iter().any(|k| &**k == name)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Fields and values in the order the feature was read with.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PropValue)> + '_ {
        self.keys.iter().map(|k| &**k).zip(self.values.iter())
    }

    /// The properties as the JSON map the feature was read with.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }
}

/// How many distinct texts one field may bring into a layer's interner: past that the field
/// is an identifier (cadastral numbers, names), whose values are not worth sharing.
const DISTINCT_TEXTS_PER_FIELD: usize = 1024;

/// How many key lists a [`LocalInterner`] remembers without asking the layer's interner.
const LOCAL_KEY_LISTS: usize = 16;

/// The texts and key lists of one layer, shared by the threads that read it. Each thread
/// works through a [`LocalInterner`], which asks here (under a lock) only for what it has not
/// seen yet.
#[derive(Debug, Default)]
pub struct Interner {
    shared: Mutex<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    key_lists: HashSet<Arc<[Box<str>]>>,
    texts: HashSet<Arc<str>>,
    /// Distinct texts taken per field; a field at the limit is not interned any more.
    texts_per_field: HashMap<Box<str>, usize>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// A cache for one thread (or one piece of work).
    pub fn local(&self) -> LocalInterner<'_> {
        LocalInterner {
            layer: self,
            key_lists: Vec::new(),
            texts: HashSet::new(),
            unshared_fields: HashSet::new(),
        }
    }

    fn with_shared<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> T {
        // The lock guards plain caches: a panic while holding it leaves them valid.
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut shared)
    }
}

/// One thread's view of a layer's [`Interner`].
#[derive(Debug)]
pub struct LocalInterner<'a> {
    layer: &'a Interner,
    key_lists: Vec<Arc<[Box<str>]>>,
    texts: HashSet<Arc<str>>,
    unshared_fields: HashSet<Box<str>>,
}

impl LocalInterner<'_> {
    /// Compact properties from a JSON map, keeping its order.
    pub fn properties(&mut self, map: Map<String, Value>) -> Properties {
        let keys = self.key_list(&map);
        let values = map
            .into_iter()
            .map(|(field, value)| match value {
                Value::Null => PropValue::Null,
                Value::Bool(b) => PropValue::Bool(b),
                Value::Number(n) => PropValue::Number(n),
                Value::String(s) => PropValue::Text(self.text(&field, s)),
                other => PropValue::Json(Box::new(other)),
            })
            .collect();
        Properties { keys, values }
    }

    fn key_list(&mut self, map: &Map<String, Value>) -> Arc<[Box<str>]> {
        let same = |list: &Arc<[Box<str>]>| {
            list.len() == map.len() && list.iter().zip(map.keys()).all(|(a, b)| **a == **b)
        };
        if let Some(found) = self.key_lists.iter().find(|l| same(l)) {
            return Arc::clone(found);
        }
        let list: Arc<[Box<str>]> = map.keys().map(|k| Box::from(k.as_str())).collect();
        let list = self
            .layer
            .with_shared(|shared| match shared.key_lists.get(&list) {
                Some(found) => Arc::clone(found),
                None => {
                    shared.key_lists.insert(Arc::clone(&list));
                    list
                }
            });
        if self.key_lists.len() < LOCAL_KEY_LISTS {
            self.key_lists.push(Arc::clone(&list));
        }
        list
    }

    fn text(&mut self, field: &str, text: String) -> Arc<str> {
        if let Some(found) = self.texts.get(text.as_str()) {
            return Arc::clone(found);
        }
        if self.unshared_fields.contains(field) {
            return Arc::from(text);
        }
        let shared = self.layer.with_shared(|shared| {
            if let Some(found) = shared.texts.get(text.as_str()) {
                return Some(Arc::clone(found));
            }
            let taken = shared.texts_per_field.entry(field.into()).or_default();
            if *taken >= DISTINCT_TEXTS_PER_FIELD {
                return None;
            }
            *taken += 1;
            let new: Arc<str> = Arc::from(text.as_str());
            shared.texts.insert(Arc::clone(&new));
            Some(new)
        });
        match shared {
            Some(found) => {
                self.texts.insert(Arc::clone(&found));
                found
            }
            None => {
                self.unshared_fields.insert(field.into());
                Arc::from(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn round_trips_to_the_same_map_in_order() {
        let source = map(json!({
            "zoning": "Пп", "cadastral_id": "68850.501.12", "stage": 2, "area": 1234.5,
            "neg": -7, "big": 18446744073709551615u64, "oneway": false, "none": null,
            "tags": ["a", 1], "nested": {"b": 2, "a": 1}, "": ""
        }));
        let interner = Interner::new();
        let props = interner.local().properties(source.clone());
        let back = props.to_map();
        assert_eq!(back, source);
        // Same order (Map equality ignores it) and the same bytes once serialized.
        assert!(back.keys().eq(source.keys()));
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&source).unwrap()
        );
        assert_eq!(props.get("zoning").and_then(PropValue::as_str), Some("Пп"));
        assert_eq!(props.get("stage").and_then(PropValue::as_i64), Some(2));
        assert_eq!(props.get("area").and_then(PropValue::as_f64), Some(1234.5));
        assert_eq!(
            props.get("oneway").and_then(PropValue::as_bool),
            Some(false)
        );
        assert_eq!(props.get_json("nested"), Some(json!({"b": 2, "a": 1})));
        assert!(props.get("missing").is_none());
        assert_eq!(props.len(), source.len());
    }

    #[test]
    fn equal_texts_and_key_lists_are_shared_across_threads() {
        let interner = Interner::new();
        let plot = |id: &str| map(json!({"cadastral_id": id, "status": "sold", "zoning": "Пп"}));
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| interner.local().properties(plot("1.1.1")));
            let b = s.spawn(|| interner.local().properties(plot("1.1.2")));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert!(Arc::ptr_eq(&a.keys, &b.keys));
        let text = |p: &Properties, k| match p.get(k) {
            Some(PropValue::Text(t)) => Arc::clone(t),
            other => panic!("{other:?}"),
        };
        assert!(Arc::ptr_eq(&text(&a, "status"), &text(&b, "status")));
        assert!(Arc::ptr_eq(&text(&a, "zoning"), &text(&b, "zoning")));
        assert!(!Arc::ptr_eq(
            &text(&a, "cadastral_id"),
            &text(&b, "cadastral_id")
        ));
        // Another set of field names is another key list.
        let c = interner.local().properties(map(json!({"status": "sold"})));
        assert!(!Arc::ptr_eq(&a.keys, &c.keys));
        assert!(Arc::ptr_eq(&text(&a, "status"), &text(&c, "status")));
    }

    #[test]
    fn identifier_fields_stop_being_interned_but_keep_their_values() {
        let interner = Interner::new();
        let mut local = interner.local();
        let all: Vec<Properties> = (0..DISTINCT_TEXTS_PER_FIELD + 10)
            .map(|i| local.properties(map(json!({"id": format!("p{i}"), "kind": "plot"}))))
            .collect();
        for (i, p) in all.iter().enumerate() {
            assert_eq!(
                p.get("id").and_then(PropValue::as_str),
                Some(format!("p{i}").as_str())
            );
        }
        let shared = interner.with_shared(|s| s.texts.len());
        assert_eq!(shared, DISTINCT_TEXTS_PER_FIELD + 1);
    }
}
