// Every plot with its card (the OGC items, GeoJSON with the card and distance summary),
// loaded once: what the filters, the list and the compare view read.
import { getJson } from "./api.js";

let all = [];

export async function loadPlots() {
  const fc = await getJson("/collections/plots/items?limit=10000&f=json");
  all = fc.features || [];
  return all;
}

export const allPlots = () => all;

export const idOf = (feature) => feature.properties?.cadastral_id ?? feature.id;

export const plotById = (id) => all.find((f) => idOf(f) === id) || null;
