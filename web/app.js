// The zone's web map, put together: MapLibre GL JS on the service's own tiles and style, a
// plot card on click, search, filters, a geodesic measure tool, a shareable URL, Bulgarian
// and English. Each concern is a module of modules/ (that file says what it owns); this one
// only starts them in order and routes the map's clicks.
import { $ } from "./modules/dom.js";
import { state } from "./modules/state.js";
import { currentLang, onLangChange, setLang, t } from "./modules/locale.js";
import { initial } from "./modules/url.js";
import { addOverlays, createMap, enableHover, enableKeyboardChoice } from "./modules/map.js";
import { clearSelection, fetchPlot, initSelection, onSelect, rerenderCard, selectPlot, showError, showPlotById, syncUrl } from "./modules/selection.js";
import { getJson } from "./modules/api.js";
import { applyFilters, initFilters, matchingPlots, onFiltersChange, passesFilters, recordFilters, refreshValueFilters } from "./modules/filters.js";
import { loadPlots } from "./modules/plots.js";
import { initList, markSelected, renderList } from "./modules/list.js";
import { comparedIds, onCompareChange, renderCompare, setCompared, toggleCompare } from "./modules/compare.js";
import { renderDownloads } from "./modules/downloads.js";
import { addMeasurePoint, initMeasure } from "./modules/measure.js";
import { initSearch } from "./modules/search.js";
import { renderLegend } from "./modules/legend.js";
import { localiseLabels } from "./modules/labels.js";
import { onRegisterChange } from "./modules/live.js";
import { refreshValues } from "./modules/values.js";
import { renderEmbed } from "./modules/embed.js";

// The plot of a `?plot=` link is fetched first: the map opens on it.
let startError = null;
const startPlot = initial.plot ? await fetchPlot(initial.plot).catch((err) => ((startError = err), null)) : null;

const map = await createMap("map", startPlot);
state.map = map;
initSelection(map);
// Every plot's card, for the filters, the list and the compare view.
await loadPlots().catch((err) => showError(err));
initFilters(map);
initList({ choose: (id) => showPlotById(id, true), comparedIds, toggleCompare });
onFiltersChange((matching) => {
  renderList(matching);
  markSelected(state.selected);
  renderDownloads();
});
onSelect(markSelected);
onCompareChange(() => renderList());
document.querySelector("#compare-clear").addEventListener("click", () => setCompared([]));
setCompared(initial.compare);
applyFilters();
initMeasure(map);
initSearch();

map.on("load", () => {
  const plotSource = addOverlays(map);
  enableHover(map, plotSource);
  recordFilters();
  applyFilters();
  renderLegend();
  localiseLabels(map, currentLang());
  if (startPlot) selectPlot(startPlot);
  else if (startError) showError(startError, initial.plot);
  state.ready = true;
});

/// What a click (or Enter on the focused map) at `lngLat` does: a measure point, the card of
/// the plot there, or words saying there is none or that the filters hide it.
async function chooseAt(lngLat) {
  if (state.measuring) return addMeasurePoint(lngLat);
  try {
    const fc = await getJson(`/plots/at?lon=${lngLat.lng}&lat=${lngLat.lat}`);
    // A plot the filters hide is not there for the user: don't open its card.
    const shown = (fc.features || []).filter((f) => passesFilters(f));
    if (shown.length) selectPlot(shown[0]);
    else if (fc.features?.length) clearSelection(t("hidden_plot", { id: fc.features[0].properties?.cadastral_id ?? fc.features[0].id }));
    else clearSelection(t("card_none"));
  } catch (err) {
    showError(err);
  }
}
map.on("click", (e) => chooseAt(e.lngLat));
enableKeyboardChoice(map, chooseAt);

function applyLanguage() {
  const lang = currentLang();
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  $("#measure-toggle").textContent = t(state.measuring ? "measure_stop" : "measure_start");
  document.title = t("title");
  renderLegend();
  if (state.ready) localiseLabels(state.map, lang);
  rerenderCard();
  renderList(matchingPlots());
  markSelected(state.selected);
  renderCompare();
  renderDownloads();
  applyFilters();
  syncUrl();
}
// A register edit may give the plots a status (or the data a stage) the page did not offer.
onRegisterChange(async () => {
  if (await refreshValues().catch(() => false)) {
    refreshValueFilters();
    renderLegend();
  }
});
for (const b of document.querySelectorAll(".lang button")) b.addEventListener("click", () => setLang(b.dataset.lang));
onLangChange(applyLanguage);
applyLanguage();
renderEmbed();
