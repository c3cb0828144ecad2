// The list of the plots that pass the filters: a real sortable <table> beside the map
// (identifier, УПИ, stage, status, area, price, road distance and drive time to the A1
// interchange). Choosing a row's identifier selects the plot on the map; selecting on the
// map marks its row. Each row has a "compare" checkbox (see compare.js). Every value is text.
import { $, el, fill } from "./dom.js";
import { currentLang, fmt, t } from "./locale.js";
import { pillStyle } from "./colours.js";
import { idOf } from "./plots.js";

const COLUMNS = [
  { key: "id", label: "col.id", value: (p, f) => idOf(f) },
  { key: "upi", label: "upi", value: (p) => p.upi ?? "" },
  { key: "stage", label: "stage", value: (p) => p.stage ?? null },
  { key: "status", label: "status", value: (p) => p.status ?? "" },
  { key: "area_m2", label: "col.area", value: (p) => p.area_m2 ?? null, text: (v) => (v === null ? "" : fmt(v / 1000, 2)) },
  { key: "price_eur_m2", label: "col.price", value: (p) => p.price_eur_m2 ?? null, text: (v) => (v === null ? "—" : fmt(v, 2)) },
  { key: "interchange_road_m", label: "col.road", value: (p) => p.interchange_road_m ?? null, text: (v) => (v === null ? "—" : fmt(v / 1000, 2)) },
  { key: "interchange_drive_min", label: "col.drive", value: (p) => p.interchange_drive_min ?? null, text: (v) => (v === null ? "—" : fmt(v, 1)) },
];

let rows = [];
let sort = { key: "id", dir: 1 };
let selected = null;
let onChoose = () => {};
let compared = () => [];
let onCompare = () => {};

export function initList({ choose, comparedIds, toggleCompare }) {
  onChoose = choose;
  compared = comparedIds;
  onCompare = toggleCompare;
}

function sorted() {
  const col = COLUMNS.find((c) => c.key === sort.key) || COLUMNS[0];
  const value = (f) => col.value(f.properties || {}, f);
  return [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === y) return 0;
    if (x === null || x === "") return 1;
    if (y === null || y === "") return -1;
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), currentLang(), { numeric: true })) * sort.dir;
  });
}

let drawn = "";

export function renderList(matching = rows) {
  rows = matching;
  const ids = compared();
  // Rebuilt only when something shown changed: a rebuild under a pointer (the filters' change
  // event fires when a field loses focus to a click on a row) would swallow the click.
  const signature = JSON.stringify([rows.map(idOf), sort, ids, currentLang()]);
  if (signature === drawn) return;
  drawn = signature;
  const head = el("tr", {}, COLUMNS.map((c) => {
    const active = sort.key === c.key;
    return el("th", { scope: "col", "aria-sort": active ? (sort.dir > 0 ? "ascending" : "descending") : "none" },
      el("button", { type: "button", class: "sort", onclick: () => { sort = { key: c.key, dir: active ? -sort.dir : 1 }; renderList(); focusSort(c.key); }, dataset: { key: c.key } },
        t(c.label), el("span", { "aria-hidden": "true" }, active ? (sort.dir > 0 ? " ▲" : " ▼") : "")));
  }), el("th", { scope: "col" }, t("compare")));
  const body = sorted().map((f) => {
    const p = f.properties || {};
    const id = idOf(f);
    const cells = COLUMNS.slice(1).map((c) => {
      const v = c.value(p, f);
      if (c.key === "status") return el("td", {}, v ? el("span", { class: "status", style: pillStyle(v) }, t("status." + v)) : "");
      return el("td", { class: c.text ? "num" : null }, c.text ? c.text(v) : v === null ? "" : String(v));
    });
    return el("tr", { dataset: { id }, "aria-current": id === selected ? "true" : null, class: id === selected ? "selected" : null },
      el("th", { scope: "row" }, el("button", { type: "button", class: "choose", onclick: () => onChoose(id) }, id)),
      cells,
      el("td", {}, el("input", { type: "checkbox", "aria-label": t("compare_plot", { id }), checked: ids.includes(id), onchange: (e) => onCompare(id, e.target.checked) })));
  });
  fill($("#list-table"), el("caption", { class: "visually-hidden" }, t("list_caption")), el("thead", {}, head), el("tbody", {}, body));
}

function focusSort(key) {
  document.querySelector(`#list-table button.sort[data-key="${CSS.escape(key)}"]`)?.focus();
}

/// Marks the selected plot's row (a selection from the map, the search or the list).
export function markSelected(id) {
  selected = id;
  for (const tr of document.querySelectorAll("#list-table tbody tr")) {
    const on = tr.dataset.id === id;
    tr.classList.toggle("selected", on);
    if (on) tr.setAttribute("aria-current", "true");
    else tr.removeAttribute("aria-current");
    if (on) tr.scrollIntoView({ block: "nearest" });
  }
}
