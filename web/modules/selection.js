// The selected plot: its outline on the map, its card, its distances and road route, and the
// URL; finding a plot by identifier (the search, `?plot=`), with a message in the visitor's
// language when there is no such plot.
import { getJson } from "./api.js";
import { $ } from "./dom.js";
import { currentLang, t } from "./locale.js";
import { renderCard, renderMessage } from "./card.js";
import { EMPTY, flyToFeature } from "./map.js";
import { state } from "./state.js";
import { updateUrl } from "./url.js";

let map = null;

export function initSelection(theMap) {
  map = theMap;
}

export const plotId = (feature) => feature.properties?.cadastral_id ?? feature.id;

export const syncUrl = () => updateUrl({ selected: state.selected, lang: currentLang() });

/// The plot with this identifier (GeoJSON, WGS84); an HttpError (404) when there is none.
export const fetchPlot = (id) => getJson(`/collections/plots/items/${encodeURIComponent(id)}?f=json`);

/// What the visitor reads for a failure: words, not a URL and a status code.
export function describeError(err, plot) {
  if (err?.status === 404 && plot) return t("plot_unknown", { id: plot });
  return err?.status ? `${t("error")} (HTTP ${err.status})` : `${t("error")}: ${err?.message || err}`;
}

export function showError(err, plot) {
  state.errors.push(String(err));
  renderMessage($("#card"), describeError(err, plot), "error");
}

export function clearSelection(message) {
  state.selected = null;
  for (const l of selectListeners) l(null);
  state.card = null;
  map.getSource("zagore-selected")?.setData(EMPTY);
  map.getSource("zagore-route")?.setData(EMPTY);
  renderMessage($("#card"), message || t("card_hint"));
  syncUrl();
}

export function rerenderCard() {
  if (state.card) renderCard($("#card"), state.card, state.distances, state.distancesError);
}

const selectListeners = [];
/// Called with the selected plot's identifier (null when none): the list marks its row.
export const onSelect = (listener) => selectListeners.push(listener);

export async function selectPlot(feature) {
  const id = plotId(feature);
  state.selected = id;
  for (const l of selectListeners) l(id);
  state.card = feature.properties || {};
  state.distances = null;
  state.distancesError = null;
  map.getSource("zagore-selected")?.setData(feature.geometry ? feature : EMPTY);
  map.getSource("zagore-route")?.setData(EMPTY);
  rerenderCard();
  syncUrl();
  try {
    const distances = await getJson(`/plots/${encodeURIComponent(id)}/distances`);
    if (state.selected !== id) return;
    state.distances = distances;
    rerenderCard();
    const route = distances?.interchange?.route;
    const routeFeature = route && (route.type === "Feature" ? route : { type: "Feature", geometry: route, properties: {} });
    map.getSource("zagore-route")?.setData({ type: "FeatureCollection", features: routeFeature ? [routeFeature] : [] });
  } catch (err) {
    if (state.selected !== id) return;
    state.errors.push(String(err));
    state.distancesError = describeError(err);
    rerenderCard();
  }
}

export async function showPlotById(id, fly) {
  try {
    const feature = await fetchPlot(id);
    if (fly) flyToFeature(map, feature);
    selectPlot(feature);
  } catch (err) {
    showError(err, id);
  }
}
