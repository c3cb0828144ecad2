// Compare two to four plots side by side (areas, zoning limits, utilities, distances and
// drive times, price), kept in the URL (`?compare=a,b`) so the view can be shared.
import { $, el, fill } from "./dom.js";
import { areaText, fmt, localised, metres, t } from "./locale.js";
import { plotById } from "./plots.js";
import { setParams } from "./url.js";
import { UTILITIES } from "./filters.js";

export const MAX_COMPARE = 4;
let ids = [];
const listeners = [];

export const comparedIds = () => ids;
export const onCompareChange = (listener) => listeners.push(listener);

export function setCompared(next) {
  ids = [...new Set(next)].filter((id) => plotById(id)).slice(0, MAX_COMPARE);
  setParams({ compare: ids.length ? ids.join(",") : null });
  renderCompare();
  for (const l of listeners) l(ids);
}

export function toggleCompare(id, on) {
  if (on && ids.length >= MAX_COMPARE) {
    $("#compare-note").textContent = t("compare_max", { n: MAX_COMPARE });
    setCompared(ids);
    return;
  }
  setCompared(on ? [...ids, id] : ids.filter((x) => x !== id));
}

const num = (v, digits, unit) => (typeof v === "number" ? `${fmt(v, digits)}${unit}` : "—");

const ROWS = [
  ["upi", (p) => p.upi ?? ""],
  ["stage", (p) => (p.stage ? String(p.stage) : "")],
  ["status", (p) => (p.status ? t("status." + p.status) : "")],
  ["area_computed", (p) => areaText(p.area_m2)],
  ["area_declared", (p) => areaText(p.declared_area_m2)],
  ["limit.max_height_m", (p) => num(p.max_height_m, 1, " m")],
  ["limit.max_density_pct", (p) => num(p.max_density_pct, 0, " %")],
  ["limit.max_intensity", (p) => num(p.max_intensity, 1, "")],
  ["limit.min_greenery_pct", (p) => num(p.min_greenery_pct, 0, " %")],
  ["limit.pup_ref", (p) => p.pup_ref ?? ""],
  ["utilities", (p) => UTILITIES.filter((u) => p[`has_${u}`] === true).map((u) => t("util." + u)).join(", ") || t("none")],
  ["to_motorway", (p) => (typeof p.motorway_m === "number" ? metres(p.motorway_m) : "—")],
  ["to_interchange_road", (p) => (typeof p.interchange_road_m === "number" ? metres(p.interchange_road_m) : "—")],
  ["drive_time", (p) => num(p.interchange_drive_min, 1, " min")],
  ["price", (p) => (typeof p.price_eur_m2 === "number" ? `${fmt(p.price_eur_m2, 2)} EUR/m²` : localised(p, "price_note") || "—")],
];

export function renderCompare() {
  const section = $("#compare");
  const plots = ids.map(plotById).filter(Boolean);
  section.hidden = plots.length < 2;
  $("#compare-note").textContent = plots.length === 1 ? t("compare_pick") : "";
  if (plots.length < 2) return fill($("#compare-table"));
  fill(
    $("#compare-table"),
    el("caption", { class: "visually-hidden" }, t("compare")),
    el("thead", {}, el("tr", {}, el("td", {}), plots.map((f) => el("th", { scope: "col" }, f.properties?.cadastral_id ?? f.id)))),
    el("tbody", {}, ROWS.map(([label, value]) =>
      el("tr", {}, el("th", { scope: "row" }, t(label)), plots.map((f) => el("td", {}, value(f.properties || {})))))),
  );
  $("#compare-link").href = location.href;
}
