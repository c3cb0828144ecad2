// The legend: the plot statuses the plots have, in the style's order and colours; the line
// symbols in the colours the map draws them (read from its layers, not written here); and
// every layer the data folder's manifest adds (the style's `zagore:layers` metadata: its
// title in each language and the colour the style draws it in), as text.
import { $, el, fill } from "./dom.js";
import { currentLang, t } from "./locale.js";
import { statusColour } from "./colours.js";
import { statuses } from "./values.js";
import { state } from "./state.js";

/** The map's line layers the legend explains (the route is the viewer's own, see map.js). */
const LINES = [
  ["zagore-roads-motorway", "legend.motorway"], ["zagore-roads-ring-road", "legend.ring_road"],
  ["zagore-roads-primary", "legend.road"], ["zagore-rail", "legend.rail"],
  ["zagore-stages-outline", "legend.stage"], ["zagore-route", "legend.route"],
];

/// The map's style, once MapLibre has read it (undefined before).
const mapStyle = () => state.map?.getStyle();

/// The layers the manifest adds, from the map's style.
function extraLayers(style) {
  const listed = style?.metadata?.["zagore:layers"];
  return Array.isArray(listed) ? listed : [];
}

/// A layer's title in the page's language (the other language, else its id, when missing).
function title(layer) {
  const [first, second] = currentLang() === "en" ? [layer.title_en, layer.title] : [layer.title, layer.title_en];
  return String(first || second || layer.id || "");
}

/// The colour a line layer of the map is drawn in (a plain colour; none for an expression or
/// a layer the map does not have).
function lineColour(style, id) {
  const colour = style?.layers?.find((l) => l.id === id)?.paint?.["line-color"];
  return typeof colour === "string" ? colour : null;
}

export function renderLegend() {
  const swatch = (css, line) => el("span", { class: line ? "swatch line" : "swatch", "aria-hidden": "true", style: css });
  const style = mapStyle();
  fill(
    $("#legend-items"),
    statuses().map((s) => el("li", { "data-status": s }, swatch({ background: statusColour(s) }), t("status." + s))),
    LINES.map(([id, k]) => [lineColour(style, id), k]).filter(([c]) => c)
      .map(([c, k]) => el("li", {}, swatch({ borderTopColor: c }, true), t(k))),
    extraLayers(style).map((layer) =>
      el("li", { "data-layer": String(layer.id) }, swatch({ background: String(layer.colour || "#666666") }), title(layer))),
  );
  // Before MapLibre has read the style the extra layers are not known: draw them once it has.
  if (state.map && !style) state.map.once("styledata", renderLegend);
}
