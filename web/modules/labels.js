// The map's labels in the visitor's language: every symbol layer whose text reads a feature's
// `name` (roads, points of interest, places, the layers the manifest adds) reads its English
// twin `name_en` first in the English view, falling back to `name` where a feature has none.
// The style itself stays Bulgarian; the original text of each layer is kept for going back.

const original = new Map();

/// `expr` with each `["get", "name"]` replaced by `["coalesce", ["get", "name_en"], ["get", "name"]]`.
function preferEnglish(expr) {
  if (!Array.isArray(expr)) return expr;
  if (expr.length === 2 && expr[0] === "get" && expr[1] === "name") return ["coalesce", ["get", "name_en"], ["get", "name"]];
  return expr.map(preferEnglish);
}

const readsName = (expr) => JSON.stringify(expr ?? null).includes('["get","name"]');

/// Sets the labels of `map` (loaded) to `lang`.
export function localiseLabels(map, lang) {
  for (const layer of map.getStyle()?.layers || []) {
    if (layer.type !== "symbol") continue;
    if (!original.has(layer.id)) {
      const field = map.getLayoutProperty(layer.id, "text-field");
      if (!readsName(field)) continue;
      original.set(layer.id, field);
    }
    const field = original.get(layer.id);
    map.setLayoutProperty(layer.id, "text-field", lang === "en" ? preferEnglish(field) : field);
  }
}
