//! The plot card: the properties a plot is served with in every JSON answer about it — its
//! own properties with the register's public facts laid over them (never a private one), its
//! computed geodesic area, its centroid and a point inside it, and its distance summary. The
//! tiles' `plots` layer carries the card without [`NOT_IN_TILES`]; [`CardFields`] says
//! which fields a caller wants.

use std::borrow::Cow;

use super::snapshot::Zone;
use crate::geodata::{Feature, LayerKind, PropValue};
use crate::register::facts::PRIVATE_FIELDS;

/// The card fields computed from the plot's shape: its centroid and a point inside it.
pub const POINT_FIELDS: [&str; 4] = ["centroid_lon", "centroid_lat", "inside_lon", "inside_lat"];

/// The card fields the vector tiles leave out: prose written for each plot
/// (`distance_notes`, unique to every plot, so never shared in a tile's value table) and the
/// points the tile's own geometry already shows. The whole card is one request away
/// (`/collections/plots/items/{id}`, or a click: `/plots/at`).
pub const NOT_IN_TILES: [&str; 5] = [
    "distance_notes",
    "centroid_lon",
    "centroid_lat",
    "inside_lon",
    "inside_lat",
];

/// Which of a card's fields a caller wants. The fields it does not want are not computed
/// (a filter reading `status` over a million plots does not write a million distance notes).
#[derive(Debug, Clone, Copy)]
pub enum CardFields<'a> {
    /// The whole card: every JSON answer about a plot.
    All,
    /// The card without [`NOT_IN_TILES`]: the tiles' `plots` layer.
    Tiles,
    /// Only these fields (a filter's properties, the label layer's).
    Only(&'a [&'a str]),
}

impl CardFields<'_> {
    pub fn wants(&self, name: &str) -> bool {
        match self {
            CardFields::All => true,
            CardFields::Tiles => !NOT_IN_TILES.contains(&name),
            CardFields::Only(names) => names.contains(&name),
        }
    }

    fn wants_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.wants(n))
    }
}

impl Zone {
    /// The properties of a plot's card, as every JSON answer about a plot gives them: its own
    /// properties, its computed geodesic area (m² and decares), its centroid and a point
    /// inside it, and its distance summary (flat, scalar values only).
    pub fn plot_card(&self, plot: &Feature) -> serde_json::Map<String, serde_json::Value> {
        let position = self
            .dataset
            .layer(LayerKind::Plots)
            .and_then(|plots| plots.position(&plot.id));
        let mut card = serde_json::Map::new();
        self.visit_plot_card(position, plot, |key, value| {
            card.insert(key.to_string(), value.to_value());
        });
        card
    }

    /// The fields of [`Zone::plot_card`] one by one, in the card's order, without building
    /// the card ([`Zone::plot_card`] and the queryables read it so, without cloning each plot's
    /// properties). `position` is the plot's position in the plots layer (None
    /// when it is not there: the card then has no centroid or inside point).
    pub fn visit_plot_card(
        &self,
        position: Option<usize>,
        plot: &Feature,
        visit: impl FnMut(&str, &PropValue),
    ) {
        self.visit_plot_card_fields(position, plot, CardFields::All, visit);
    }

    /// The fields of the card that `fields` wants, in the card's order; the others are not
    /// computed.
    pub fn visit_plot_card_fields(
        &self,
        position: Option<usize>,
        plot: &Feature,
        fields: CardFields<'_>,
        mut visit: impl FnMut(&str, &PropValue),
    ) {
        let number =
            |v: f64| serde_json::Number::from_f64(v).map_or(PropValue::Null, PropValue::Number);
        let mut computed: Vec<(Cow<'static, str>, PropValue)> = Vec::with_capacity(32);
        // The register's public facts win over the file's properties of the same names.
        if let Some(entry) = self.register().get(&plot.id) {
            for (key, value) in entry.public_fields() {
                // The file's English twin of a field the staff changed translates the old
                // text: it is dropped, and the English card falls back to the new one.
                // (Compared first: the register mostly repeats the file, and a tile visits a
                // million cards.)
                if plot.properties.get(key) != Some(value) {
                    let twin = format!("{key}_en");
                    if plot.properties.get(&twin).is_some() && fields.wants(&twin) {
                        computed.push((Cow::Owned(twin), PropValue::Null));
                    }
                }
                if fields.wants(key) {
                    computed.push((Cow::Borrowed(key), value.clone()));
                }
            }
        }
        if let Some(area) = plot.area_m2 {
            computed.push((
                Cow::Borrowed("area_m2"),
                number((area * 10.0).round() / 10.0),
            ));
            computed.push((
                Cow::Borrowed("area_decares"),
                number((area / 100.0).round() / 10.0),
            ));
        }
        let points = self
            .card_points_of(position)
            .filter(|_| fields.wants_any(&POINT_FIELDS));
        // 8 decimals of a degree is about a millimetre.
        let round = |v: f64| number((v * 1e8).round() / 1e8);
        for ((lon_name, lat_name), point) in [
            ("centroid_lon", "centroid_lat"),
            ("inside_lon", "inside_lat"),
        ]
        .into_iter()
        .zip(points.into_iter().flatten())
        {
            if let Some((lon, lat)) = point {
                computed.push((Cow::Borrowed(lon_name), round(*lon)));
                computed.push((Cow::Borrowed(lat_name), round(*lat)));
            }
        }
        if fields.wants_any(self.distances.summary_fields()) {
            computed.extend(
                self.distances
                    .summary(&plot.id)
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), PropValue::from_value(v))),
            );
        }
        // A computed field replaces a property of the same name where the property stood
        // (as inserting into the card would); the rest follow in order.
        let mut emitted = vec![false; computed.len()];
        for (key, value) in plot.properties.iter() {
            if PRIVATE_FIELDS.contains(&key) || !fields.wants(key) {
                continue;
            }
            match computed.iter().rposition(|(k, _)| k == key) {
                Some(i) => {
                    emitted[i] = true;
                    visit(key, &computed[i].1);
                }
                None => visit(key, value),
            }
        }
        for (i, (key, _)) in computed.iter().enumerate() {
            // A name computed twice keeps its first place and its last value, as in a map.
            let first = computed[..i].iter().all(|(k, _)| k != key);
            let last = computed.iter().rposition(|(k, _)| k == key).unwrap_or(i);
            if first && !emitted[last] && fields.wants(key) {
                emitted[last] = true;
                visit(key, &computed[last].1);
            }
        }
    }

    /// One property of a plot as served (the register's value when it has the field; never a
    /// private one), without building the card.
    pub fn plot_field(&self, plot: &Feature, key: &str) -> Option<PropValue> {
        if PRIVATE_FIELDS.contains(&key) {
            return None;
        }
        if let Some(entry) = self.register().get(&plot.id) {
            let fields = entry.public_fields();
            if let Some((_, v)) = fields.iter().find(|(k, _)| *k == key) {
                return Some(v.clone());
            }
            // A stale English twin, as in the card.
            let changed = |base: &str| {
                fields
                    .iter()
                    .any(|(k, v)| *k == base && plot.properties.get(base) != Some(v))
            };
            if key.strip_suffix("_en").is_some_and(changed) {
                return Some(PropValue::Null);
            }
        }
        plot.properties.get(key).cloned()
    }
}
