// The download menu: the exports of the service (CSV, Excel, KML, KMZ, GeoPackage) of exactly
// the plots the filters select. Every filter (statuses, stage, area range, utilities, road
// distance and drive time, available only) goes into one CQL2 `filter` (OGC API – Features
// Part 3), which the service applies to the export as to the items. A property the service
// does not offer as queryable (the distances of a very large cadastre) is left out, and the
// menu says so.
import { $, el, fill } from "./dom.js";
import { getJson } from "./api.js";
import { t } from "./locale.js";
import { activeFilters } from "./filters.js";

const FORMATS = [["csv", "CSV"], ["xlsx", "Excel (XLSX)"], ["kml", "KML"], ["kmz", "KMZ (Google Earth)"], ["gpkg", "GeoPackage"]];

/// The plots' queryable properties, once known (until then every one is taken as queryable).
let queryable = null;

/// A CQL2 text string literal: quoted, a quote doubled.
const text = (s) => `'${String(s).replaceAll("'", "''")}'`;

/// A number as CQL2 text writes it (no exponent for the sizes a filter holds).
const num = (n) => String(Number(n));

/// The CQL2 text of the filters (null when nothing is filtered), and whether some filter had
/// to be left out because the service cannot filter by it.
export function cql2Filter(f = activeFilters(), can = (p) => !queryable || queryable.has(p)) {
  const parts = [];
  let partial = false;
  const add = (property, condition) => {
    if (can(property)) parts.push(condition);
    else partial = true;
  };
  if (f.availableOnly) add("status", `status = 'available'`);
  else if (!f.allStatuses) {
    // No status ticked selects nothing; `status IN ()` is not CQL2.
    add("status", f.statuses.length ? `status IN (${f.statuses.map(text).join(", ")})` : `status IS NULL AND status IS NOT NULL`);
  }
  if (f.stage) add("stage", `stage = ${num(f.stage)}`);
  if (f.areaMin !== null) add("area_m2", `area_m2 >= ${num(f.areaMin * 1000)}`);
  if (f.areaMax !== null) add("area_m2", `area_m2 <= ${num(f.areaMax * 1000)}`);
  for (const u of f.utilities) add(`has_${u}`, `has_${u} = TRUE`);
  if (f.roadKm !== null) add("interchange_road_m", `interchange_road_m <= ${num(f.roadKm * 1000)}`);
  if (f.driveMin !== null) add("interchange_drive_min", `interchange_drive_min <= ${num(f.driveMin)}`);
  return { filter: parts.length ? parts.join(" AND ") : null, partial };
}

/// The query of the export links for the current filters, and whether some filter is left out.
export function exportQuery(f = activeFilters()) {
  const q = new URLSearchParams();
  const { filter, partial } = cql2Filter(f);
  if (filter) q.set("filter", filter);
  return { query: q, partial };
}

export function renderDownloads() {
  if (queryable === null) {
    getJson("/collections/plots/queryables")
      .then((doc) => {
        queryable = new Set(Object.keys(doc.properties || {}));
        renderDownloads();
      })
      .catch(() => {});
  }
  const { query, partial } = exportQuery();
  fill(
    $("#download-links"),
    FORMATS.map(([f, label]) => {
      const q = new URLSearchParams(query);
      q.set("f", f);
      return el("li", {}, el("a", { href: `/collections/plots/items?${q}`, download: "", dataset: { format: f } }, label));
    }),
  );
  $("#download-note").textContent = partial ? t("download_partial") : "";
}
