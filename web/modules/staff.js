// The staff's part of the viewer, loaded beside app.js: a "Staff" panel under the card to
// sign in, and once signed in the edit form and history of the selected plot; and, for every
// visitor, the page following the register's changes (live.js). It watches the card for the
// selected plot rather than being called by it, so the rest of the viewer does not change.
import { $, el, fill } from "./dom.js";
import { onLangChange } from "./locale.js";
import { state } from "./state.js";
import { currentSession, onSessionChange, renderSession, restoreSession } from "./session.js";
import { renderEdit } from "./edit.js";
import { check, startLive } from "./live.js";
import { st } from "./staff_text.js";

const summary = el("summary", {}, st("staff"));
const who = el("div", { id: "staff-session" });
const editor = el("section", { id: "staff-editor", "aria-live": "polite" });
const panel = el("details", { id: "staff" }, summary, who, editor);
let shownFor = null;

function showEditor() {
  const id = currentSession() ? state.selected : null;
  shownFor = id;
  if (!id) return fill(editor);
  // After a save the page checks the register at once: the map and card follow.
  return renderEdit(editor, id, null, check).catch((err) => state.errors.push(String(err)));
}

function render() {
  summary.textContent = st("staff");
  renderSession(who);
  if (currentSession()) panel.open = true;
  showEditor();
}

const card = $("#card");
card.after(panel);
// The card is rebuilt whenever the selection changes: follow it.
new MutationObserver(() => {
  if (state.selected !== shownFor) showEditor();
}).observe(card, { childList: true });
onSessionChange(render);
onLangChange(render);
render();
restoreSession();
startLive();
