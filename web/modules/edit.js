// The staff's edit form under a plot's card, and the plot's history: the whole register
// entry (private fields too) from /collections/plots/items/{id}/register, saved as a JSON
// merge patch of the fields that changed, with the entry's ETag (If-Match) and the session's
// CSRF token. A refused value is named in the form; when someone else saved first the form
// shows their data and says so. Every value is set as text or as an input's value.
import { el, fill } from "./dom.js";
import { t } from "./locale.js";
import { csrfHeaders } from "./session.js";
import { st } from "./staff_text.js";

const STATUSES = ["available", "reserved", "pre-contracted", "sold"];
const TERMS = ["", "sale", "lease", "sale_or_lease"];
const TEXT_FIELDS = ["investor", "contact", "internal_note"];
const NOTE_FIELDS = ["notes_bg", "notes_en"];

const itemUrl = (id) => `/collections/plots/items/${encodeURIComponent(id)}`;

function select(field, options, value, label) {
  return el(
    "select",
    { id: `edit-${field}`, name: field },
    options.map((o) => el("option", { value: o, selected: String(value ?? "") === o }, label(o))),
  );
}

function labelled(field, control) {
  return el("div", { class: "edit-field" }, el("label", { for: `edit-${field}` }, st(`field.${field}`)), control);
}

/// The form's values as the register's fields (empty inputs are null).
function read(form) {
  const v = (field) => form.elements[field].value;
  const orNull = (s) => (s === "" ? null : s);
  return {
    status: v("status"),
    price_eur_m2: v("price_eur_m2") === "" ? null : Number(v("price_eur_m2")),
    price_includes_vat: v("price_includes_vat") === "" ? null : v("price_includes_vat") === "true",
    terms: orNull(v("terms")),
    reserved_until: orNull(v("reserved_until")),
    investor_public: form.elements.investor_public.checked,
    ...Object.fromEntries([...TEXT_FIELDS, ...NOTE_FIELDS].map((f) => [f, orNull(v(f))])),
  };
}

function historyList(changes) {
  if (!changes.length) return el("p", { class: "hint" }, st("no_history"));
  return el(
    "ol",
    { id: "staff-history-list" },
    changes
      .slice()
      .reverse()
      .map((c) => {
        const fields = Object.keys(c.new || {}).filter((k) => JSON.stringify(c.old?.[k]) !== JSON.stringify(c.new[k]));
        const diff = fields.map((k) => `${st("field." + k)}: ${c.old?.[k] ?? "—"} → ${c.new[k] ?? "—"}`).join("; ");
        return el("li", {}, el("time", { datetime: c.at }, c.at), ` ${c.who}: ${diff}`, c.reason ? el("em", {}, ` (${c.reason})`) : "");
      }),
  );
}

/// Renders the form and the history of plot `id` in `container`; `notice` is a message to
/// show above the form (`{ text, kind }`). Resolves once rendered.
export async function renderEdit(container, id, notice = null, onSaved = () => {}) {
  const resp = await fetch(`${itemUrl(id)}/register`, { credentials: "same-origin" });
  if (!resp.ok) {
    fill(container, el("p", { class: "error", role: "alert" }, st("failed", { status: resp.status })));
    return;
  }
  const etag = resp.headers.get("ETag");
  const entry = await resp.json();
  const f = entry.facts;
  const message = el("p", { id: "staff-message", role: notice?.kind === "error" ? "alert" : "status", class: notice?.kind || "hint" }, notice?.text || "");
  const form = el(
    "form",
    { id: "staff-edit", novalidate: false },
    labelled("status", select("status", STATUSES, f.status, (s) => t("status." + s))),
    labelled("price_eur_m2", el("input", { id: "edit-price_eur_m2", name: "price_eur_m2", type: "number", min: "0", step: "0.01", value: f.price_eur_m2 ?? "" })),
    labelled("price_includes_vat", select("price_includes_vat", ["", "true", "false"], f.price_includes_vat, (o) => st("vat." + o))),
    labelled("terms", select("terms", TERMS, f.terms, (o) => st("terms." + o))),
    labelled("reserved_until", el("input", { id: "edit-reserved_until", name: "reserved_until", type: "date", value: f.reserved_until ?? "" })),
    ...TEXT_FIELDS.map((k) => labelled(k, el("input", { id: `edit-${k}`, name: k, type: "text", maxlength: "2000", value: f[k] ?? "" }))),
    el(
      "div",
      { class: "edit-field" },
      el("label", {}, el("input", { id: "edit-investor_public", name: "investor_public", type: "checkbox", checked: f.investor_public }), " ", st("field.investor_public")),
    ),
    ...NOTE_FIELDS.map((k) => labelled(k, el("textarea", { id: `edit-${k}`, name: k, rows: "2", maxlength: "2000" }, f[k] ?? ""))),
    el("div", { class: "edit-field" }, el("label", { for: "edit-reason" }, st("reason")), el("input", { id: "edit-reason", name: "reason", type: "text", maxlength: "2000" })),
    el("button", { type: "submit", id: "staff-save" }, st("save")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const now = read(form);
    const patch = Object.fromEntries(Object.entries(now).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(f[k] ?? (k === "investor_public" ? true : null))));
    const reason = form.elements.reason.value;
    const query = reason ? `?reason=${encodeURIComponent(reason)}` : "";
    const saved = await fetch(`${itemUrl(id)}${query}`, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/merge-patch+json", "If-Match": etag, ...csrfHeaders() },
      body: JSON.stringify(patch),
    });
    if (saved.ok) {
      await renderEdit(container, id, { text: st("saved"), kind: "hint" }, onSaved);
      onSaved();
    } else if (saved.status === 412) {
      await renderEdit(container, id, { text: st("stale"), kind: "error" }, onSaved);
    } else {
      const problem = await saved.json().catch(() => ({}));
      if (saved.status === 422 && problem.field) {
        message.className = "error";
        message.setAttribute("role", "alert");
        message.textContent = st("invalid", { field: st("field." + problem.field), detail: problem.detail });
        form.elements[problem.field]?.setAttribute("aria-invalid", "true");
      } else {
        message.className = "error";
        message.textContent = st("failed", { status: saved.status });
      }
    }
  });
  const history = await fetch(`${itemUrl(id)}/history`, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : { changes: [] }))
    .catch(() => ({ changes: [] }));
  fill(
    container,
    el("h2", {}, st("edit")),
    message,
    form,
    el("h3", { id: "staff-history" }, st("history")),
    historyList(history.changes || []),
  );
}
