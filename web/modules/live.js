// Keeping the page current while the staff edit: every few seconds it asks
// /register/version, and when the register (or the data) changed it reloads the map's tiles
// (with the revision in their URL, so the browser's cache does not answer for them; the
// server's own cache keeps every tile the change did not touch) and the selected plot's card.
import { state } from "./state.js";
import { showPlotById } from "./selection.js";

export const POLL_MS = 2000;
const listeners = [];
let last = null;

export const onRegisterChange = (listener) => listeners.push(listener);

/// A tile URL template with `r=revision` (replacing an earlier one).
export function withRevision(url, revision) {
  const bare = url.replace(/([?&])r=\d+(&|$)/, (_, sep, end) => (end ? sep : "")).replace(/[?&]$/, "");
  return `${bare}${bare.includes("?") ? "&" : "?"}r=${revision}`;
}

function refresh(revision) {
  const source = state.map?.getSource("zagore");
  if (source?.tiles && source.setTiles) source.setTiles(source.tiles.map((u) => withRevision(u, revision)));
  if (state.selected) showPlotById(state.selected, false);
  for (const listener of listeners) listener(revision);
}

export async function check() {
  const v = await fetch("/register/version", { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!v) return;
  const key = `${v.data_version}/${v.register_revision}`;
  if (last !== null && key !== last) refresh(v.register_revision);
  last = key;
  state.registerRevision = v.register_revision;
}

export function startLive() {
  check();
  setInterval(check, POLL_MS);
}
