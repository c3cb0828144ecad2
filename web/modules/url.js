// The URL's state: read once when the page starts, before the map exists (MapLibre's hash
// option writes `#map=…` as soon as the map has a view, so a later look would always find
// one), and kept up to date: `?plot=` and `?lang=` here, the filters and the compared
// plots through `setParams`, the view (`#map=zoom/lat/lon`) by MapLibre.

const startParams = new URLSearchParams(location.search);

export const initial = {
  /** Whether the visitor came with a view of their own (a shared link with `#map=`). */
  hasView: /(^#|&)map=/.test(location.hash),
  /** The plot the link asks for, if any. */
  plot: startParams.get("plot"),
  /** The plots to compare, if any. */
  compare: (startParams.get("compare") || "").split(",").filter(Boolean),
};

function replace(q) {
  const query = q.toString();
  history.replaceState(null, "", `${location.pathname}${query ? "?" + query : ""}${location.hash}`);
}

export function updateUrl({ selected, lang }) {
  const q = new URLSearchParams(location.search);
  if (selected) q.set("plot", selected);
  else q.delete("plot");
  if (lang === "bg") q.delete("lang");
  else q.set("lang", lang);
  replace(q);
}

/// Sets (or, for null, removes) query parameters, keeping the others.
export function setParams(values) {
  const q = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === "") q.delete(key);
    else q.set(key, String(value));
  }
  replace(q);
}
