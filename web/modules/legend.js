// The legend: the plot statuses in the style's colours, the line symbols of the map, and
// every layer the data folder's manifest adds (the style's `zagore:layers` metadata: its
// title in each language and the colour the style draws it in), as text.
import { $, el, fill } from "./dom.js";
import { currentLang, t } from "./locale.js";
import { statusColours } from "./colours.js";
import { state } from "./state.js";

const LINES = [
  ["#e35b2c", "legend.motorway"], ["#f29b38", "legend.ring_road"], ["#fcd68a", "legend.road"],
  ["#333333", "legend.rail"], ["#5b4a9e", "legend.stage"], ["#d6336c", "legend.route"],
];

/// The map's style, once MapLibre has read it (undefined before).
const mapStyle = () => state.map?.getStyle();

/// The layers the manifest adds, from the map's style.
function extraLayers() {
  const listed = mapStyle()?.metadata?.["zagore:layers"];
  return Array.isArray(listed) ? listed : [];
}

/// A layer's title in the page's language (the other language, else its id, when missing).
function title(layer) {
  const [first, second] = currentLang() === "en" ? [layer.title_en, layer.title] : [layer.title, layer.title_en];
  return String(first || second || layer.id || "");
}

export function renderLegend() {
  const swatch = (style, line) => el("span", { class: line ? "swatch line" : "swatch", "aria-hidden": "true", style });
  fill(
    $("#legend-items"),
    Object.entries(statusColours).map(([s, c]) => el("li", {}, swatch({ background: c }), t("status." + s))),
    LINES.map(([c, k]) => el("li", {}, swatch({ borderTopColor: c }, true), t(k))),
    extraLayers().map((layer) =>
      el("li", { "data-layer": String(layer.id) }, swatch({ background: String(layer.colour || "#666666") }), title(layer))),
  );
  // Before MapLibre has read the style the extra layers are not known: draw them once it has.
  if (state.map && !mapStyle()) state.map.once("styledata", renderLegend);
}
