// The MapLibre map: the service's style (with the optional base map), the opening view (the
// link's own `#map=` view, else the plot of `?plot=`, else both stages' plots), the viewer's
// own overlay layers, the hover highlight, and moving to a feature.
import * as maplibregl from "/map/vendor/maplibre-gl.mjs";
import { getJson } from "./api.js";
import { takeStyleColours } from "./colours.js";
import { takeTileJson } from "./values.js";
import { initial } from "./url.js";
import { state } from "./state.js";

/** The plots are in the tiles from z12: the opening view never zooms out further. */
const PLOTS_MIN_ZOOM = 12;

export const EMPTY = { type: "FeatureCollection", features: [] };

/// `[[west, south], [east, north]]` of a GeoJSON geometry, or null.
export function boundsOf(geometry) {
  const xs = [];
  const ys = [];
  const walk = (c) => (typeof c[0] === "number" ? (xs.push(c[0]), ys.push(c[1])) : c.forEach(walk));
  if (geometry?.coordinates) walk(geometry.coordinates);
  return xs.length ? [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]] : null;
}

/// The extent of the zone's plots (both stages), from the OGC collection.
async function zoneBounds() {
  const collection = await getJson("/collections/plots?f=json").catch(() => null);
  const b = collection?.extent?.spatial?.bbox?.[0];
  return b ? [[b[0], b[1]], [b[2], b[3]]] : null;
}

/// Inserts `layers` just above the zone's background.
function underTheZone(style, layers) {
  const at = style.layers.findIndex((l) => l.type !== "background");
  style.layers.splice(at < 0 ? style.layers.length : at, 0, ...layers);
}

/// A vector base map from another MapLibre style: its sources and its layers, renamed
/// `zagore-basemap-…` so they cannot clash with the zone's, under the zone. Its labels and
/// patterns are left out: they need its own glyphs and sprite, and the zone's style has one
/// glyph server (the service's own, for the zone's labels).
function addVectorBaseMap(style, base, attribution) {
  const sources = Object.entries(base.sources || {});
  sources.forEach(([id, source], i) => {
    style.sources[`zagore-basemap-${id}`] = { ...source, ...(i === 0 && attribution ? { attribution } : {}) };
  });
  const drawable = (l) => l.type !== "symbol" && !["fill-pattern", "line-pattern", "background-pattern"].some((p) => l.paint?.[p]);
  underTheZone(style, (base.layers || []).filter(drawable).map((l) => ({
    ...l,
    id: `zagore-basemap-${l.id}`,
    ...(l.source ? { source: `zagore-basemap-${l.source}` } : {}),
  })));
}

/// The map in `container`, opening on `startPlot` (a plot feature) when the link has no view.
export async function createMap(container, startPlot) {
  const [config, style, tilejson] = await Promise.all([
    getJson("/map/config.json").catch(() => ({})), getJson("/style.json"), getJson("/tiles.json").catch(() => null)]);
  takeStyleColours(style);
  takeTileJson(tilejson);
  state.config = config;
  if (config.base_map && Array.isArray(config.base_map.tiles)) {
    // An optional raster base map for deployments with internet, drawn just above the background.
    style.sources["zagore-basemap"] = { type: "raster", tiles: config.base_map.tiles, tileSize: 256, attribution: config.base_map.attribution || "" };
    underTheZone(style, [{ id: "zagore-basemap", type: "raster", source: "zagore-basemap" }]);
  } else if (typeof config.base_map?.style === "string") {
    const base = await getJson(config.base_map.style).catch((err) => (state.errors.push(String(err)), null));
    if (base) addVectorBaseMap(style, base, config.base_map.attribution || "");
  }
  // The drawing buffer is kept so that printing the page prints the map, not a blank canvas.
  const options = { container, style, hash: "map", attributionControl: { compact: true },
    canvasContextAttributes: { preserveDrawingBuffer: true } };
  if (!initial.hasView) {
    // Else the style's own centre and zoom (the zone) apply.
    const bounds = startPlot ? boundsOf(startPlot.geometry) : await zoneBounds();
    if (bounds) Object.assign(options, { bounds, fitBoundsOptions: { padding: startPlot ? 60 : 8, maxZoom: 17 } });
  }
  const map = new maplibregl.Map(options);
  if (!initial.hasView && options.bounds && map.getZoom() < PLOTS_MIN_ZOOM) map.setZoom(PLOTS_MIN_ZOOM);
  map.addControl(new maplibregl.NavigationControl(), "top-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  map.on("error", (e) => state.errors.push(String(e.error?.message || e.error || e)));
  collapseAttributionOnPhone(map);
  followPrinting(map);
  return map;
}

/// Printing: the legend open, and the map redrawn at the paper's size showing what the screen
/// showed (the paper is wider and lower than the screen's map: the same zoom would cut off
/// the stages); the screen's view again afterwards. Chromium tells a print (and print
/// emulation) through the `print` media query, other browsers through `beforeprint`.
function followPrinting(map) {
  let screenView = null;
  const layout = (printing) => {
    if (printing && !screenView) {
      screenView = { bounds: map.getBounds(), center: map.getCenter(), zoom: map.getZoom() };
      document.querySelector("#legend")?.setAttribute("open", "");
      map.resize();
      map.fitBounds(screenView.bounds, { duration: 0 });
      if (map.getZoom() < PLOTS_MIN_ZOOM) map.setZoom(PLOTS_MIN_ZOOM);
    } else if (!printing && screenView) {
      map.resize();
      map.jumpTo({ center: screenView.center, zoom: screenView.zoom });
      screenView = null;
    }
  };
  matchMedia("print").addEventListener("change", (e) => layout(e.matches));
  addEventListener("beforeprint", () => layout(true));
  addEventListener("afterprint", () => layout(false));
}

/// On a phone the attribution stays collapsed behind its (i) button until the visitor opens
/// it: MapLibre opens it whenever the attribution is first filled in (once the sources have
/// loaded), so each of those openings is undone until the first tap on the control.
function collapseAttributionOnPhone(map) {
  const attribution = map.getContainer().querySelector(".maplibregl-ctrl-attrib");
  if (!attribution || !matchMedia("(max-width: 720px)").matches) return;
  const collapse = () => attribution.classList.remove("maplibregl-compact-show");
  const watcher = new MutationObserver(() => {
    if (attribution.classList.contains("maplibregl-compact-show")) collapse();
  });
  watcher.observe(attribution, { attributes: true, attributeFilter: ["class"] });
  // Capturing: before MapLibre's own listener opens it.
  attribution.addEventListener("click", () => watcher.disconnect(), { capture: true, once: true });
  collapse();
}

/// The style's layers drawn from the plots (what the filters apply to).
export const plotLayers = (map) =>
  map.getStyle().layers.filter((l) => l["source-layer"] === "plots" || l["source-layer"] === "plot_labels");

/// The viewer's own layers above the style's: hover and selection outlines, the road route,
/// the measured shape. Call on `load`. Returns the plots' vector source id.
export function addOverlays(map) {
  const first = map.getStyle().layers.find((l) => l["source-layer"] === "plots");
  const plotSource = first ? first.source : null;
  if (plotSource) {
    map.addLayer({
      id: "zagore-plot-hover", type: "line", source: plotSource, "source-layer": "plots",
      paint: { "line-color": "#111", "line-width": ["case", ["boolean", ["feature-state", "hover"], false], 3, 0] },
    });
  }
  // The plots the filters hide, masked (the low-zoom tiles carry only status and stage, so
  // the other filters cannot be expressed on them): the background colour over them.
  map.addSource("zagore-hidden", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "zagore-plots-hidden", type: "fill", source: "zagore-hidden", paint: { "fill-color": "#f4f1ea", "fill-opacity": 1 } });
  // The selected plot's outline comes from the plot's own GeoJSON (from /plots/at, the search
  // or the item), not from the tiles: below z14 the tiles carry only status and stage.
  map.addSource("zagore-selected", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "zagore-plot-selected", type: "line", source: "zagore-selected", paint: { "line-color": "#d6336c", "line-width": 4 } });
  map.addSource("zagore-route", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "zagore-route", type: "line", source: "zagore-route", paint: { "line-color": "#d6336c", "line-width": 5, "line-opacity": 0.8, "line-dasharray": [2, 1] } });
  map.addSource("zagore-measure", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "zagore-measure-fill", type: "fill", source: "zagore-measure", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#1c7ed6", "fill-opacity": 0.15 } });
  map.addLayer({ id: "zagore-measure-line", type: "line", source: "zagore-measure", filter: ["==", ["geometry-type"], "LineString"], paint: { "line-color": "#1c7ed6", "line-width": 2 } });
  map.addLayer({ id: "zagore-measure-points", type: "circle", source: "zagore-measure", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 4, "circle-color": "#1c7ed6" } });
  return plotSource;
}

/// Hover highlight through feature state, by the tiles' stable numeric ids.
export function enableHover(map, plotSource) {
  let hovered = null;
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
}

export function flyToFeature(map, feature) {
  const bounds = boundsOf(feature.geometry);
  if (bounds) map.fitBounds(bounds, { padding: 60, maxZoom: 17, duration: 800 });
}

/// Choosing a plot without a mouse: the map (a tab stop; MapLibre's arrow keys move it, + and
/// − zoom) shows a cross at its centre while it has the keyboard's focus, and Enter or Space
/// chooses what is under the cross, as a click there would.
export function enableKeyboardChoice(map, choose) {
  const canvas = map.getCanvas();
  canvas.setAttribute("aria-describedby", "map-keys");
  map.getContainer().append(Object.assign(document.createElement("div"), { className: "map-cross" }));
  canvas.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    e.preventDefault();
    choose(map.getCenter());
  });
}
