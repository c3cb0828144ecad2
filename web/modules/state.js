// The page's shared state, also at window.zagore for the browser tests and for anyone
// debugging in the console: the map, errors met, the selected plot and the measure points.

export const state = {
  map: null,
  /** The deployment's options (`/map/config.json`). */
  config: {},
  ready: false,
  errors: [],
  selected: null,
  card: null,
  distances: null,
  distancesError: null,
  measuring: false,
  points: [],
};
window.zagore = state;
