// The download menu: the exports of the service (CSV, Excel, KML, KMZ, GeoPackage) of the
// plots the filters select. The API filters by equality, so the links carry the stage, a
// single status (or "available only") and the utilities; area and distance ranges cannot go
// into them, and the menu says so when they are set.
import { $, el, fill } from "./dom.js";
import { t } from "./locale.js";
import { activeFilters } from "./filters.js";

const FORMATS = [["csv", "CSV"], ["xlsx", "Excel (XLSX)"], ["kml", "KML"], ["kmz", "KMZ (Google Earth)"], ["gpkg", "GeoPackage"]];

/// The query of the export links for the current filters, and whether some filter is left out.
export function exportQuery(f = activeFilters()) {
  const q = new URLSearchParams();
  let partial = false;
  if (f.stage) q.set("stage", f.stage);
  if (f.availableOnly) q.set("status", "available");
  else if (f.statuses.length === 1) q.set("status", f.statuses[0]);
  else if (!f.allStatuses) partial = true;
  for (const u of f.utilities) q.set(`has_${u}`, "true");
  if (f.areaMin !== null || f.areaMax !== null || f.roadKm !== null || f.driveMin !== null) partial = true;
  return { query: q, partial };
}

export function renderDownloads() {
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
