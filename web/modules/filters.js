// The filters: status, stage, area range (decares), utilities present, the longest road
// distance and drive time to the A1 interchange, "available only". They apply to every
// layer drawn from the plots (status and stage in the tiles' own terms; the rest by
// identifier where the tiles carry it, and a mask over the plots that fail, which the
// generalised low-zoom tiles cannot tell apart), to the list and the counts; the URL keeps
// them. A plot hidden by a filter opens no card. The statuses and stages offered are the
// ones the plots have (values.js: TileJSON and the style), nothing written here.
import { $, el, fill } from "./dom.js";
import { fmt, t } from "./locale.js";
import { statuses as presentStatuses, stages as presentStages } from "./values.js";
import { plotLayers, boundsOf } from "./map.js";
import { allPlots, idOf } from "./plots.js";
import { setParams } from "./url.js";

export const UTILITIES = ["power", "water", "sewer", "gas", "fibre"];
const originalFilters = new Map();
const listeners = [];
let map = null;

export const onFiltersChange = (listener) => listeners.push(listener);

const number = (selector) => {
  const v = $(selector).value.trim().replace(",", ".");
  return v === "" || !Number.isFinite(Number(v)) ? null : Number(v);
};

/// The status checkboxes and the stage options, for the statuses and stages the plots have;
/// `checked(status)` says which boxes are ticked, and the stage chosen stays when it is offered.
function renderValueFilters(checked, stage) {
  const box = $("#status-filter");
  fill(box, box.querySelector("legend"), presentStatuses().map((status) =>
    el("label", {}, el("input", { type: "checkbox", value: status, checked: checked(status) }), " ",
      el("span", { dataset: { i18n: `status.${status}` } }, t("status." + status)))));
  const select = $("#stage-filter");
  fill(select, select.querySelector("option[value='']"), presentStages().map((n) => el("option", { value: String(n) }, String(n))));
  select.value = presentStages().map(String).includes(stage) ? stage : "";
}

/// After the plots' statuses or stages changed (a register edit): the boxes again, a status
/// new to the page ticked, the others as the visitor left them.
export function refreshValueFilters() {
  const unticked = [...document.querySelectorAll("#status-filter input:not(:checked)")].map((i) => i.value);
  renderValueFilters((s) => !unticked.includes(s), $("#stage-filter").value);
  applyFilters();
}

export function initFilters(theMap) {
  map = theMap;
  const q = new URLSearchParams(location.search);
  const statuses = q.get("status")?.split(",");
  renderValueFilters((s) => !statuses || statuses.includes(s), q.get("stage") || "");
  const utils = q.get("util")?.split(",") || [];
  const ubox = $("#util-filter");
  for (const u of UTILITIES) {
    ubox.append(
      el("label", {}, el("input", { type: "checkbox", value: u, checked: utils.includes(u) }), " ",
        el("span", { dataset: { i18n: `util.${u}` } }, t("util." + u))),
    );
  }
  for (const [param, selector] of [["amin", "#area-min"], ["amax", "#area-max"], ["road_km", "#road-max"], ["drive_min", "#drive-max"]]) {
    if (q.get(param) !== null) $(selector).value = q.get(param);
  }
  $("#available-only").checked = q.get("available") === "1";
  $("#filters").addEventListener("change", (e) => {
    applyFilters();
    if (e.target.id === "stage-filter") flyToStage();
  });
  $("#filters").addEventListener("input", applyFilters);
}

/// Remembers the layers' own filters; call once the overlays are added.
export function recordFilters() {
  for (const layer of plotLayers(map)) originalFilters.set(layer.id, layer.filter);
}

export function activeFilters() {
  const boxes = [...document.querySelectorAll("#status-filter input")];
  return {
    statuses: boxes.filter((i) => i.checked).map((i) => i.value),
    /** Every status ticked: a status new to the page (an edit) is not hidden either. */
    allStatuses: boxes.every((i) => i.checked),
    stage: $("#stage-filter").value,
    areaMin: number("#area-min"),
    areaMax: number("#area-max"),
    utilities: [...document.querySelectorAll("#util-filter input:checked")].map((i) => i.value),
    roadKm: number("#road-max"),
    driveMin: number("#drive-max"),
    availableOnly: $("#available-only").checked,
  };
}

export function passesFilters(feature, f = activeFilters()) {
  const p = feature.properties || {};
  if (!f.allStatuses && !f.statuses.includes(p.status)) return false;
  if (f.availableOnly && p.status !== "available") return false;
  if (f.stage && Number(f.stage) !== p.stage) return false;
  const dka = typeof p.area_m2 === "number" ? p.area_m2 / 1000 : null;
  if (f.areaMin !== null && !(dka !== null && dka >= f.areaMin)) return false;
  if (f.areaMax !== null && !(dka !== null && dka <= f.areaMax)) return false;
  if (f.utilities.some((u) => p[`has_${u}`] !== true)) return false;
  if (f.roadKm !== null && !(typeof p.interchange_road_m === "number" && p.interchange_road_m <= f.roadKm * 1000)) return false;
  if (f.driveMin !== null && !(typeof p.interchange_drive_min === "number" && p.interchange_drive_min <= f.driveMin)) return false;
  return true;
}

/// The plots that pass, in the data's order.
export const matchingPlots = () => {
  const f = activeFilters();
  return allPlots().filter((p) => passesFilters(p, f));
};

function keepInUrl(f) {
  setParams({
    status: f.allStatuses ? null : f.statuses.join(","),
    stage: f.stage || null,
    amin: f.areaMin, amax: f.areaMax,
    util: f.utilities.length ? f.utilities.join(",") : null,
    road_km: f.roadKm, drive_min: f.driveMin,
    available: f.availableOnly ? "1" : null,
  });
}

export function applyFilters() {
  const f = activeFilters();
  const matching = allPlots().filter((p) => passesFilters(p, f));
  const ids = matching.map(idOf);
  const hidden = allPlots().filter((p) => !passesFilters(p, f));
  $("#filter-count").textContent = t("count", { n: fmt(matching.length), total: fmt(allPlots().length) });
  keepInUrl(f);
  if (originalFilters.size) {
    const conditions = [];
    if (f.availableOnly) conditions.push(["==", ["get", "status"], "available"]);
    if (!f.allStatuses) conditions.push(["in", ["get", "status"], ["literal", f.statuses]]);
    if (f.stage) conditions.push(["==", ["get", "stage"], Number(f.stage)]);
    // Where the tiles carry the identifier (from z14, and the labels), by identifier too.
    conditions.push(["any", ["!", ["has", "cadastral_id"]], ["in", ["get", "cadastral_id"], ["literal", ids]]]);
    for (const [id, original] of originalFilters) {
      map.setFilter(id, ["all", ...(original ? [original] : []), ...conditions]);
    }
    map.getSource("zagore-hidden")?.setData({ type: "FeatureCollection", features: hidden });
  }
  for (const listener of listeners) listener(matching);
}

/// Choosing a stage moves the map to its plots.
function flyToStage() {
  const stage = $("#stage-filter").value;
  if (!stage) return;
  const coords = allPlots().filter((p) => p.properties?.stage === Number(stage)).flatMap((p) => {
    const b = boundsOf(p.geometry);
    return b ? b : [];
  });
  if (!coords.length) return;
  const xs = coords.map((c) => c[0]);
  const ys = coords.map((c) => c[1]);
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 40, maxZoom: 16, duration: 600 });
}
