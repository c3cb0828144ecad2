// The plot card: built element by element from the plot's properties and its distances
// (every value as text, none as markup), and the messages shown in the card's place.
import { el, fill, row } from "./dom.js";
import { areaText, currentLang, fmt, localised, metres, t } from "./locale.js";
import { pillStyle } from "./colours.js";
import { state } from "./state.js";

const UTILITIES = ["power", "water", "sewer", "gas", "fibre"];

/// A hint or an error in the card's place.
export function renderMessage(container, text, kind = "hint") {
  fill(container, el("p", { class: kind, role: kind === "error" ? "alert" : null }, text));
}

function utilities(p) {
  const have = UTILITIES.filter((u) => p[`has_${u}`] === true).map((u) => t("util." + u));
  const text = localised(p, "utilities_note");
  const note = text ? el("small", {}, text) : null;
  // The note says what is planned where nothing is built yet (Stage 2): shown whenever given.
  if (!have.length) return note ? [note] : [t("none")];
  return [have.join(", "), note && el("br"), note];
}

function zoning(p) {
  if (!p.zoning) return "";
  const name = currentLang() === "en" ? p.zoning_name_en : p.zoning_name;
  return name ? `${p.zoning} — ${name}` : p.zoning;
}

/// The planning limits, each with its label (issue 16).
function limits(p) {
  const num = (v, digits, unit) => (typeof v === "number" ? `${fmt(v, digits)}${unit}` : "");
  return [
    row(t("limit.max_height_m"), num(p.max_height_m, 1, " m")),
    row(t("limit.max_density_pct"), num(p.max_density_pct, 0, " %")),
    row(t("limit.max_intensity"), num(p.max_intensity, 1, "")),
    row(t("limit.min_greenery_pct"), num(p.min_greenery_pct, 0, " %")),
    row(t("limit.pup_ref"), p.pup_ref ? span("card-pup", p.pup_ref) : ""),
  ].flat();
}

/// The link to the plot's official record on the cadastre agency's public map, from the
/// deployment's pattern (`cadastre_url`, `{id}` for the identifier, URL-encoded); none when
/// the deployment turned it off. Opens in a new tab, without giving that page this one.
function cadastreLink(id) {
  const pattern = state.config?.cadastre_url;
  if (!id || typeof pattern !== "string" || !/^https?:\/\//.test(pattern)) return "";
  const href = pattern.replaceAll("{id}", encodeURIComponent(id));
  return el("a", { id: "card-cadastre", href, target: "_blank", rel: "noopener noreferrer" }, t("cadastre_link"),
    el("span", { class: "visually-hidden" }, ` (${t("new_tab")})`));
}

/// The take-aways of one plot: its printable sheet and its data files.
function takeAways(id) {
  if (!id) return "";
  const lang = currentLang() === "en" ? "?lang=en" : "";
  const item = `/collections/plots/items/${encodeURIComponent(id)}`;
  return el("p", { class: "take-away" },
    el("a", { id: "card-sheet", href: `/plots/${encodeURIComponent(id)}/sheet${lang}`, target: "_blank", rel: "noopener" }, t("sheet")),
    el("span", {}, `${t("plot_downloads")}:`),
    ["kml", "gpkg", "csv"].map((f) => el("a", { href: `${item}?f=${f}`, download: "" }, f.toUpperCase())));
}

function driveTime(d) {
  const s = d.interchange?.drive_time_s;
  return typeof s === "number" ? `${fmt(s / 60, 1)} min` : "";
}

function price(p) {
  const note = localised(p, "price_note");
  if (typeof p.price_eur_m2 === "number") return `${fmt(p.price_eur_m2, 2)} EUR/m²${note ? " — " + note : ""}`;
  return note || "";
}

/// A distance of the `/plots/{id}/distances` answer, or why there is none.
function distance(d, target) {
  const hit = d[target];
  if (typeof hit?.distance_m === "number") return metres(hit.distance_m);
  return hit?.reason ? `${t("no_data")}: ${hit.reason}` : "";
}

/// The road distance to the interchange, or why there is no road route.
function roadDistance(d) {
  const i = d.interchange;
  if (typeof i?.road_distance_m === "number") return metres(i.road_distance_m);
  return i?.road_reason ? `${t("no_route")}: ${i.road_reason}` : "";
}

/** The plot's area: the mapped (geodesic) figure, the declared one beside it only when the
 * two differ, and a warning when they differ by more than 1 % (the record may be out of
 * date, or the boundary mapped wrongly). */
function area(p) {
  const mapped = p.area_m2;
  const declared = p.declared_area_m2;
  if (typeof mapped !== "number") return [typeof declared === "number" ? areaText(declared) : ""];
  const parts = [span("card-area", areaText(mapped))];
  if (typeof declared === "number" && declared > 0 && Math.round(declared) !== Math.round(mapped)) {
    parts.push(` (${t("area_declared_beside")} ${areaText(declared)})`);
    const off = (mapped - declared) / declared;
    if (Math.abs(off) > 0.01) {
      const pct = `${off > 0 ? "+" : "−"}${fmt(Math.abs(off) * 100, 1)} %`;
      parts.push(el("p", { id: "card-area-warning", class: "warning", role: "note" }, t("area_mismatch", { pct })));
    }
  }
  return parts;
}

function span(id, text) {
  return text ? el("span", { id }, text) : "";
}

export function renderCard(container, p, distances, distancesError) {
  const d = distances || {};
  const status = p.status ? el("span", { class: "status", style: pillStyle(p.status) }, t("status." + p.status)) : "";
  const station = distance(d, "station");
  const stationName = d.station?.name && typeof d.station?.distance_m === "number" ? ` (${d.station.name})` : "";
  const record = cadastreLink(p.cadastral_id);
  fill(
    container,
    el("h2", { id: "card-title" }, p.cadastral_id ?? ""),
    el(
      "dl",
      {},
      row(t("pi"), span("card-id", p.cadastral_id ?? ""), record && " ", record),
      row(t("upi"), p.upi ? span("card-upi", p.upi) : ""),
      row(t("stage"), p.stage ? String(p.stage) : ""),
      row(t("status"), status),
      row(t("area"), ...area(p)),
      row(t("zoning"), zoning(p)),
      limits(p),
      row(t("use"), localised(p, "permitted_use") || ""),
      row(t("utilities"), el("span", { id: "card-utilities" }, utilities(p))),
      row(t("access_road"), p.access_road || ""),
      row(t("price"), price(p)),
      row(t("restrictions"), localised(p, "restrictions") || ""),
      row(t("investor"), localised(p, "investor") || ""),
    ),
    el("h2", {}, t("distances")),
    el(
      "dl",
      { id: "card-distances" },
      row(t("to_motorway"), span("card-motorway", distance(d, "motorway"))),
      row(t("to_interchange"), distance(d, "interchange")),
      row(t("to_interchange_road"), span("card-interchange-road", roadDistance(d))),
      row(t("drive_time"), span("card-drive", driveTime(d))),
      row(t("to_ring_road"), distance(d, "ring_road")),
      row(t("to_rail"), distance(d, "rail")),
      row(t("to_station"), station ? station + stationName : ""),
    ),
    distancesError ? el("p", { class: "error" }, distancesError) : "",
    takeAways(p.cadastral_id),
  );
}
