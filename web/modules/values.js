// What the zone's plots have, for the legend and the filters: the statuses (in the style's
// order, see colours.js) and the stages, from TileJSON's `plots` layer (`zagore:values`,
// derived by the service from the plots served with the register laid over them). A tile
// source without them (an archive exported earlier) falls back to every status of the style
// and the stages of the plots loaded.
import { getJson } from "./api.js";
import { statusColours } from "./colours.js";
import { allPlots } from "./plots.js";

let present = { status: null, stage: null };

export function takeTileJson(tilejson) {
  const plots = (tilejson?.vector_layers || []).find((l) => l?.id === "plots");
  const values = plots?.["zagore:values"] || {};
  present = {
    status: Array.isArray(values.status) ? values.status.map(String) : null,
    stage: Array.isArray(values.stage) ? values.stage.filter(Number.isInteger) : null,
  };
}

/// Asks TileJSON again (after a register edit); resolves to whether the lists changed.
export async function refreshValues() {
  const before = JSON.stringify(present);
  takeTileJson(await getJson("/tiles.json"));
  return JSON.stringify(present) !== before;
}

/// The statuses the plots have, in the style's order.
export const statuses = () => [...statusColours.keys()].filter((s) => !present.status || present.status.includes(s));

/// The stages the plots have, ascending.
export function stages() {
  if (present.stage) return present.stage;
  const seen = new Set(allPlots().map((p) => p.properties?.stage).filter(Number.isInteger));
  return [...seen].sort((a, b) => a - b);
}
