// The search box: a cadastral identifier or УПИ label; one hit (or an exact one) opens at
// once, several are listed as buttons (their text is the data, as text).
import { getJson } from "./api.js";
import { $, el, fill } from "./dom.js";
import { t } from "./locale.js";
import { plotId, showError, showPlotById } from "./selection.js";

export function initSearch() {
  $("#search").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = $("#search-input").value.trim();
    const list = $("#search-results");
    fill(list);
    if (!q) return;
    try {
      const result = await getJson(`/plots/search?q=${encodeURIComponent(q)}`);
      const hits = result.features || result.results || [];
      if (!hits.length) {
        fill(list, el("li", { class: "hint" }, t("search_none")));
        return;
      }
      const go = (hit) => showPlotById(plotId(hit), true);
      if (hits.length === 1 || plotId(hits[0]) === q) return go(hits[0]);
      fill(
        list,
        hits.slice(0, 20).map((hit) => {
          const label = `${plotId(hit)}${hit.properties?.upi ? " — " + hit.properties.upi : ""}`;
          return el("li", {}, el("button", { type: "button", onclick: () => go(hit) }, label));
        }),
      );
    } catch (err) {
      showError(err);
    }
  });
}
