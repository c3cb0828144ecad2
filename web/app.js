// The zone's web map: MapLibre GL JS on the service's own tiles and style, a plot card on
// click, search, filters, a geodesic measure tool, a shareable URL, Bulgarian and English.
import * as maplibregl from "/map/vendor/maplibre-gl.mjs";
import { TEXTS, STATUS_COLOURS } from "/map/assets/i18n.js";

const params = new URLSearchParams(location.search);
let lang = params.get("lang") === "en" ? "en" : "bg";
const t = (key) => TEXTS[lang][key] ?? TEXTS.bg[key] ?? key;
const $ = (sel) => document.querySelector(sel);
const fmt = (value, digits = 0) =>
  Number(value).toLocaleString(lang === "bg" ? "bg-BG" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const metres = (m) => (m >= 1000 ? `${fmt(m / 1000, 2)} km` : `${fmt(m, 0)} m`);
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// What the page reports for the browser tests and for anyone debugging in the console.
const state = { errors: [], selected: null, card: null, measuring: false, points: [] };
const EMPTY = { type: "FeatureCollection", features: [] };
window.zagore = state;

async function getJson(url, options) {
  const resp = await fetch(url, options);
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  return resp.json();
}

const config = await getJson("/map/config.json").catch(() => ({}));
const style = await getJson("/style.json");
// The status colours the style draws with (its metadata), so legend and card match the map.
const statusColours = { ...STATUS_COLOURS };
for (const { status, colour } of style.metadata?.["zagore:status-colours"] || []) statusColours[status] = colour;
if (config.base_map && Array.isArray(config.base_map.tiles)) {
  // An optional raster base map for deployments with internet, drawn just above the background.
  style.sources.basemap = { type: "raster", tiles: config.base_map.tiles, tileSize: 256, attribution: config.base_map.attribution || "" };
  const at = style.layers.findIndex((l) => l.type !== "background");
  style.layers.splice(at < 0 ? 0 : at, 0, { id: "basemap", type: "raster", source: "basemap" });
}

const map = new maplibregl.Map({ container: "map", style, hash: "map", attributionControl: { compact: true } });
state.map = map;
map.addControl(new maplibregl.NavigationControl(), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
map.on("error", (e) => state.errors.push(String(e.error?.message || e.error || e)));

const plotLayers = () => map.getStyle().layers.filter((l) => l["source-layer"] === "plots" || l["source-layer"] === "plot_labels");
const originalFilters = new Map();
let plotSource = null;
let hovered = null;

map.on("load", () => {
  const first = map.getStyle().layers.find((l) => l["source-layer"] === "plots");
  plotSource = first ? first.source : null;
  for (const layer of plotLayers()) originalFilters.set(layer.id, layer.filter);
  if (plotSource) {
    map.addLayer({
      id: "zagore-plot-hover", type: "line", source: plotSource, "source-layer": "plots",
      paint: { "line-color": "#111", "line-width": ["case", ["boolean", ["feature-state", "hover"], false], 3, 0] },
    });
    // Plots hidden by the filters are not highlighted either.
    originalFilters.set("zagore-plot-hover", undefined);
  }
  // The selected plot's outline comes from the plot's own GeoJSON (from /plots/at, the search
  // or the item), not from the tiles: below z14 the tiles carry only status and stage.
  map.addSource("zagore-selected", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "zagore-plot-selected", type: "line", source: "zagore-selected", paint: { "line-color": "#d6336c", "line-width": 4 } });
  map.addSource("zagore-route", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "zagore-route", type: "line", source: "zagore-route", paint: { "line-color": "#d6336c", "line-width": 5, "line-opacity": 0.8, "line-dasharray": [2, 1] } });
  map.addSource("zagore-measure", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "zagore-measure-fill", type: "fill", source: "zagore-measure", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#1c7ed6", "fill-opacity": 0.15 } });
  map.addLayer({ id: "zagore-measure-line", type: "line", source: "zagore-measure", filter: ["==", ["geometry-type"], "LineString"], paint: { "line-color": "#1c7ed6", "line-width": 2 } });
  map.addLayer({ id: "zagore-measure-points", type: "circle", source: "zagore-measure", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 4, "circle-color": "#1c7ed6" } });
  applyFilters();
  const wanted = params.get("plot");
  if (wanted) showPlotById(wanted, !location.hash.includes("map="));
  else if (!location.hash.includes("map=")) fitZone();
  state.ready = true;
});

async function fitZone() {
  const tj = await getJson("/tiles.json").catch(() => null);
  if (tj?.bounds) map.fitBounds([[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]], { padding: 30, duration: 0 });
}

// Hover highlight through feature state, by the tiles' stable numeric ids.
map.on("mousemove", (e) => {
  if (!plotSource) return;
  const f = map.queryRenderedFeatures(e.point).find((x) => x.sourceLayer === "plots" && x.id !== undefined);
  if (hovered !== null && (!f || f.id !== hovered)) {
    map.setFeatureState({ source: plotSource, sourceLayer: "plots", id: hovered }, { hover: false });
    hovered = null;
  }
  if (f && f.id !== hovered) {
    hovered = f.id;
    map.setFeatureState({ source: plotSource, sourceLayer: "plots", id: hovered }, { hover: true });
  }
  map.getCanvas().style.cursor = f || state.measuring ? "pointer" : "";
});

map.on("click", async (e) => {
  if (state.measuring) return addMeasurePoint(e.lngLat);
  try {
    const fc = await getJson(`/plots/at?lon=${e.lngLat.lng}&lat=${e.lngLat.lat}`);
    // A plot the filters hide is not there for the user: don't open its card.
    const shown = (fc.features || []).filter(passesFilters);
    if (shown.length) selectPlot(shown[0]);
    else clearSelection(t("card_none"));
  } catch (err) {
    showError(err);
  }
});

function plotId(feature) {
  return feature.properties?.cadastral_id ?? feature.id;
}

function clearSelection(message) {
  state.selected = null;
  state.card = null;
  map.getSource("zagore-selected")?.setData(EMPTY);
  map.getSource("zagore-route")?.setData({ type: "FeatureCollection", features: [] });
  $("#card").innerHTML = `<p class="hint">${escapeHtml(message || t("card_hint"))}</p>`;
  updateUrl();
}

async function selectPlot(feature) {
  const id = plotId(feature);
  state.selected = id;
  state.card = feature.properties;
  state.distances = null;
  map.getSource("zagore-selected")?.setData(feature.geometry ? feature : EMPTY);
  renderCard();
  updateUrl();
  try {
    state.distances = await getJson(`/plots/${encodeURIComponent(id)}/distances`);
    if (state.selected !== id) return;
    renderCard();
    const route = state.distances?.interchange?.route;
    const routeFeature = route && (route.type === "Feature" ? route : { type: "Feature", geometry: route, properties: {} });
    map.getSource("zagore-route").setData({ type: "FeatureCollection", features: routeFeature ? [routeFeature] : [] });
  } catch (err) {
    state.distancesError = String(err);
    renderCard();
  }
}

function row(label, valueHtml) {
  return valueHtml === undefined || valueHtml === null || valueHtml === "" ? "" : `<dt>${escapeHtml(label)}</dt><dd>${valueHtml}</dd>`;
}

function renderCard() {
  const p = state.card;
  if (!p) return;
  const en = lang === "en";
  const status = p.status ? `<span class="status" style="background:${escapeHtml(statusColours[p.status] || "#666")}">${escapeHtml(t("status." + p.status))}</span>` : "";
  const area = (m2) => (m2 === undefined || m2 === null ? "" : `${fmt(m2)} m² (${fmt(m2 / 1000, 3)} ${t("decares")})`);
  const utilities = ["power", "water", "sewer", "gas", "fibre"].filter((u) => p[`has_${u}`] === true).map((u) => t("util." + u)).join(", ");
  const price = p.price_eur_m2 ? `${fmt(p.price_eur_m2, 2)} EUR/m²${p.price_note ? " — " + escapeHtml(p.price_note) : ""}` : p.price_note ? escapeHtml(p.price_note) : "";
  const d = state.distances || {};
  const dist = (target, key = "distance_m") => {
    const v = d[target]?.[key];
    return typeof v === "number" ? metres(v) : "";
  };
  const road = d.interchange?.road_distance_m;
  const roadText = typeof road === "number" ? metres(road) : d.interchange?.reason ? `${t("no_route")}: ${escapeHtml(d.interchange.reason)}` : "";
  const stationName = d.station?.name ? ` (${escapeHtml(d.station.name)})` : "";
  $("#card").innerHTML = `
    <h2 id="card-title">${escapeHtml(p.cadastral_id ?? "")}</h2>
    <dl>
      ${row(t("pi"), `<span id="card-id">${escapeHtml(p.cadastral_id ?? "")}</span>`)}
      ${row(t("upi"), p.upi ? escapeHtml(p.upi) : "")}
      ${row(t("stage"), p.stage ? String(p.stage) : "")}
      ${row(t("status"), status)}
      ${row(t("area_declared"), area(p.declared_area_m2))}
      ${row(t("area_computed"), `<span id="card-area">${area(p.area_m2)}</span>`)}
      ${row(t("zoning"), p.zoning ? escapeHtml(`${p.zoning}${en && p.zoning_name_en ? " — " + p.zoning_name_en : ""}`) + (p.max_density_pct ? ` (≤ ${fmt(p.max_density_pct)} %, Кинт ${fmt(p.max_intensity ?? 0, 1)})` : "") : "")}
      ${row(t("use"), escapeHtml((en ? p.permitted_use_en : p.permitted_use) || p.permitted_use || ""))}
      ${row(t("utilities"), utilities ? escapeHtml(utilities) + (p.utilities_note ? `<br><small>${escapeHtml(p.utilities_note)}</small>` : "") : t("none"))}
      ${row(t("access_road"), p.access_road ? escapeHtml(p.access_road) : "")}
      ${row(t("price"), price)}
      ${row(t("restrictions"), p.restrictions ? escapeHtml(p.restrictions) : "")}
      ${row(t("investor"), p.investor ? escapeHtml(p.investor) : "")}
    </dl>
    <h2>${escapeHtml(t("distances"))}</h2>
    <dl id="card-distances">
      ${row(t("to_motorway"), `<span id="card-motorway">${dist("motorway")}</span>`)}
      ${row(t("to_interchange"), dist("interchange"))}
      ${row(t("to_interchange_road"), `<span id="card-interchange-road">${roadText}</span>`)}
      ${row(t("to_ring_road"), dist("ring_road"))}
      ${row(t("to_rail"), dist("rail"))}
      ${row(t("to_station"), dist("station") ? dist("station") + stationName : "")}
    </dl>
    ${state.distancesError ? `<p class="error">${escapeHtml(t("error"))}: ${escapeHtml(state.distancesError)}</p>` : ""}`;
}

async function showPlotById(id, fly) {
  try {
    const feature = await getJson(`/collections/plots/items/${encodeURIComponent(id)}?f=json`);
    if (fly) flyToFeature(feature);
    selectPlot(feature);
  } catch (err) {
    showError(err);
  }
}

function flyToFeature(feature) {
  const coords = [];
  const walk = (c) => (typeof c[0] === "number" ? coords.push(c) : c.forEach(walk));
  if (feature.geometry) walk(feature.geometry.coordinates);
  if (!coords.length) return;
  const xs = coords.map((c) => c[0]);
  const ys = coords.map((c) => c[1]);
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, maxZoom: 17, duration: 800 });
}

// Search by cadastral identifier or УПИ label.
$("#search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = $("#search-input").value.trim();
  const list = $("#search-results");
  list.innerHTML = "";
  if (!q) return;
  try {
    const result = await getJson(`/plots/search?q=${encodeURIComponent(q)}`);
    const hits = result.features || result.results || [];
    if (!hits.length) {
      list.innerHTML = `<li class="hint">${escapeHtml(t("search_none"))}</li>`;
      return;
    }
    const go = (hit) => showPlotById(plotId(hit), true);
    if (hits.length === 1 || plotId(hits[0]) === q) return go(hits[0]);
    for (const hit of hits.slice(0, 20)) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = `${plotId(hit)}${hit.properties?.upi ? " — " + hit.properties.upi : ""}`;
      b.addEventListener("click", () => go(hit));
      li.append(b);
      list.append(li);
    }
  } catch (err) {
    showError(err);
  }
});

// Filters by status and stage, applied to every layer drawn from the plots.
const statusBox = $("#status-filter");
for (const status of Object.keys(STATUS_COLOURS)) {
  const label = document.createElement("label");
  label.innerHTML = `<input type="checkbox" value="${status}" checked> <span data-i18n="status.${status}">${escapeHtml(t("status." + status))}</span>`;
  statusBox.append(label);
}
statusBox.addEventListener("change", applyFilters);
$("#stage-filter").addEventListener("change", applyFilters);

function activeFilters() {
  return {
    statuses: [...statusBox.querySelectorAll("input:checked")].map((i) => i.value),
    stage: $("#stage-filter").value,
  };
}

function passesFilters(feature) {
  const { statuses, stage } = activeFilters();
  const p = feature.properties || {};
  return statuses.includes(p.status) && (!stage || Number(stage) === p.stage);
}

function applyFilters() {
  if (!map.isStyleLoaded() && !state.ready) return;
  const { statuses, stage } = activeFilters();
  const conditions = [["in", ["get", "status"], ["literal", statuses]]];
  if (stage) conditions.push(["==", ["get", "stage"], Number(stage)]);
  for (const [id, original] of originalFilters) {
    map.setFilter(id, ["all", ...(original ? [original] : []), ...conditions]);
  }
}

// The measure tool: geodesic length and area, computed by the service.
$("#measure-toggle").addEventListener("click", () => {
  state.measuring = !state.measuring;
  $("#measure-toggle").textContent = t(state.measuring ? "measure_stop" : "measure_start");
  if (state.measuring) map.doubleClickZoom.disable();
  else map.doubleClickZoom.enable();
});
$("#measure-clear").addEventListener("click", () => {
  state.points = [];
  drawMeasure();
  $("#measure-result").innerHTML = "";
});
map.on("dblclick", () => {
  if (state.measuring) $("#measure-toggle").click();
});

function addMeasurePoint(lngLat) {
  const last = state.points[state.points.length - 1];
  if (last && last[0] === lngLat.lng && last[1] === lngLat.lat) return;
  state.points.push([lngLat.lng, lngLat.lat]);
  drawMeasure();
  measure();
}

function drawMeasure() {
  const pts = state.points;
  const features = pts.map((c) => ({ type: "Feature", geometry: { type: "Point", coordinates: c }, properties: {} }));
  if (pts.length >= 2) features.push({ type: "Feature", geometry: { type: "LineString", coordinates: pts }, properties: {} });
  if (pts.length >= 3) features.push({ type: "Feature", geometry: { type: "Polygon", coordinates: [[...pts, pts[0]]] }, properties: {} });
  map.getSource("zagore-measure")?.setData({ type: "FeatureCollection", features });
}

async function measure() {
  const pts = state.points;
  if (pts.length < 2) return;
  const post = (geometry) => getJson("/measure", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(geometry) });
  try {
    const line = await post({ type: "LineString", coordinates: pts });
    let html = row(t("length"), `<span id="measure-length">${metres(line.length_m)}</span>`);
    if (pts.length >= 3) {
      const poly = await post({ type: "Polygon", coordinates: [[...pts, pts[0]]] });
      html += row(t("area"), `<span id="measure-area">${fmt(poly.area_m2)} m² (${fmt(poly.area_m2 / 1000, 3)} ${t("decares")})</span>`);
    }
    $("#measure-result").innerHTML = html;
  } catch (err) {
    showError(err);
  }
}

function showError(err) {
  state.errors.push(String(err));
  $("#card").innerHTML = `<p class="error">${escapeHtml(t("error"))}: ${escapeHtml(String(err.message || err))}</p>`;
}

// The URL keeps the view (#map=zoom/lat/lon, by MapLibre) and the selected plot and language.
function updateUrl() {
  const q = new URLSearchParams(location.search);
  if (state.selected) q.set("plot", state.selected);
  else q.delete("plot");
  if (lang === "bg") q.delete("lang");
  else q.set("lang", lang);
  const query = q.toString();
  history.replaceState(null, "", `${location.pathname}${query ? "?" + query : ""}${location.hash}`);
}

function renderLegend() {
  const items = Object.entries(statusColours).map(([s, c]) => `<li><span class="swatch" style="background:${c}"></span>${escapeHtml(t("status." + s))}</li>`);
  const lines = [["#e35b2c", "legend.motorway"], ["#f29b38", "legend.ring_road"], ["#fcd68a", "legend.road"], ["#333333", "legend.rail"], ["#5b4a9e", "legend.stage"], ["#d6336c", "legend.route"]];
  for (const [c, k] of lines) items.push(`<li><span class="swatch line" style="border-top-color:${c}"></span>${escapeHtml(t(k))}</li>`);
  $("#legend-items").innerHTML = items.join("");
}

function renderEmbed() {
  const origin = location.origin;
  $("#embed-maplibre").textContent =
    `// after: const map = new maplibregl.Map({...});\n` +
    `const zone = await (await fetch("${origin}/style.json")).json();\n` +
    `map.on("load", () => {\n  for (const [id, src] of Object.entries(zone.sources)) map.addSource(id, src);\n` +
    `  for (const layer of zone.layers) if (layer.type !== "background") map.addLayer(layer);\n});`;
  $("#embed-iframe").textContent = `<iframe src="${origin}/map" width="100%" height="600" style="border:0" title="Industrial Zone Zagore"></iframe>`;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  $("#measure-toggle").textContent = t(state.measuring ? "measure_stop" : "measure_start");
  document.title = t("title");
  renderLegend();
  if (state.card) renderCard();
  updateUrl();
}
for (const b of document.querySelectorAll(".lang button")) {
  b.addEventListener("click", () => {
    lang = b.dataset.lang;
    applyLanguage();
  });
}
applyLanguage();
renderEmbed();
