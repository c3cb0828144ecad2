// The filters by status and stage, applied to every layer drawn from the plots (the style's
// and the hover outline) on top of each layer's own filter; a hidden plot opens no card.
import { $, el } from "./dom.js";
import { t } from "./locale.js";
import { statusColours } from "./colours.js";
import { plotLayers } from "./map.js";

const originalFilters = new Map();
let map = null;

export function initFilters(theMap) {
  map = theMap;
  const box = $("#status-filter");
  for (const status of Object.keys(statusColours)) {
    box.append(
      el("label", {}, el("input", { type: "checkbox", value: status, checked: true }), " ",
        el("span", { dataset: { i18n: `status.${status}` } }, t("status." + status))),
    );
  }
  box.addEventListener("change", applyFilters);
  $("#stage-filter").addEventListener("change", applyFilters);
}

/// Remembers the layers' own filters; call once the overlays are added.
export function recordFilters() {
  for (const layer of plotLayers(map)) originalFilters.set(layer.id, layer.filter);
}

function activeFilters() {
  return {
    statuses: [...document.querySelectorAll("#status-filter input:checked")].map((i) => i.value),
    stage: $("#stage-filter").value,
  };
}

export function passesFilters(feature) {
  const { statuses, stage } = activeFilters();
  const p = feature.properties || {};
  return statuses.includes(p.status) && (!stage || Number(stage) === p.stage);
}

export function applyFilters() {
  if (!originalFilters.size) return;
  const { statuses, stage } = activeFilters();
  const conditions = [["in", ["get", "status"], ["literal", statuses]]];
  if (stage) conditions.push(["==", ["get", "stage"], Number(stage)]);
  for (const [id, original] of originalFilters) {
    map.setFilter(id, ["all", ...(original ? [original] : []), ...conditions]);
  }
}
