// The legend: the plot statuses in the style's colours and the line symbols of the map.
import { $, el, fill } from "./dom.js";
import { t } from "./locale.js";
import { statusColours } from "./colours.js";

const LINES = [
  ["#e35b2c", "legend.motorway"], ["#f29b38", "legend.ring_road"], ["#fcd68a", "legend.road"],
  ["#333333", "legend.rail"], ["#5b4a9e", "legend.stage"], ["#d6336c", "legend.route"],
];

export function renderLegend() {
  const swatch = (style, line) => el("span", { class: line ? "swatch line" : "swatch", "aria-hidden": "true", style });
  fill(
    $("#legend-items"),
    Object.entries(statusColours).map(([s, c]) => el("li", {}, swatch({ background: c }), t("status." + s))),
    LINES.map(([c, k]) => el("li", {}, swatch({ borderTopColor: c }, true), t(k))),
  );
}
