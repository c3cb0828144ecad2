// The measure tool: points clicked on the map make a line, three or more a closed area
// (drawn closed); the service computes the geodesic length, or the area and perimeter,
// whatever the order of the clicks. A double-click finishes without zooming the map.
import { postJson } from "./api.js";
import { $, el, fill, row } from "./dom.js";
import { fmt, metres, t } from "./locale.js";
import { EMPTY } from "./map.js";
import { showError } from "./selection.js";
import { state } from "./state.js";

let map = null;
let generation = 0;

export function initMeasure(theMap) {
  map = theMap;
  $("#measure-toggle").addEventListener("click", () => setMeasuring(!state.measuring));
  $("#measure-clear").addEventListener("click", () => {
    state.points = [];
    generation += 1;
    draw();
    fill($("#measure-result"));
  });
  map.on("dblclick", (e) => {
    if (!state.measuring) return;
    // Not a zoom: the double-click ends the shape.
    e.preventDefault();
    setMeasuring(false);
  });
}

export function setMeasuring(on) {
  state.measuring = on;
  $("#measure-toggle").textContent = t(on ? "measure_stop" : "measure_start");
  $("#measure-toggle").setAttribute("aria-pressed", String(on));
  if (on) map.doubleClickZoom.disable();
  // After the double-click that ended it has been handled, not during it.
  else setTimeout(() => !state.measuring && map.doubleClickZoom.enable(), 0);
}

export function addMeasurePoint(lngLat) {
  const last = state.points[state.points.length - 1];
  if (last && last[0] === lngLat.lng && last[1] === lngLat.lat) return;
  state.points.push([lngLat.lng, lngLat.lat]);
  draw();
  measure();
}

const closed = (pts) => [...pts, pts[0]];

function draw() {
  const pts = state.points;
  const feature = (type, coordinates) => ({ type: "Feature", geometry: { type, coordinates }, properties: {} });
  const features = pts.map((c) => feature("Point", c));
  if (pts.length === 2) features.push(feature("LineString", pts));
  if (pts.length >= 3) {
    // The outline closed: the edge back to the first point is part of the area.
    features.push(feature("LineString", closed(pts)));
    features.push(feature("Polygon", [closed(pts)]));
  }
  map.getSource("zagore-measure")?.setData(features.length ? { type: "FeatureCollection", features } : EMPTY);
}

function figure(id, value, text) {
  return el("span", { id, dataset: { value: String(value) } }, text);
}

async function measure() {
  const pts = [...state.points];
  const mine = ++generation;
  if (pts.length < 2) return;
  try {
    let rows;
    if (pts.length === 2) {
      const line = await postJson("/measure", { type: "LineString", coordinates: pts });
      rows = row(t("length"), figure("measure-length", line.length_m, metres(line.length_m)));
    } else {
      const poly = await postJson("/measure", { type: "Polygon", coordinates: [closed(pts)] });
      const area = `${fmt(poly.area_m2)} m² (${fmt(poly.area_m2 / 1000, 3)} ${t("decares")})`;
      rows = [
        ...row(t("perimeter"), figure("measure-perimeter", poly.perimeter_m, metres(poly.perimeter_m))),
        ...row(t("area"), figure("measure-area", poly.area_m2, area)),
      ];
    }
    if (mine === generation) fill($("#measure-result"), rows);
  } catch (err) {
    showError(err);
  }
}
