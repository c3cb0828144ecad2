// Signing staff in: the token goes once to POST /session, which answers with a short-lived
// HttpOnly cookie (the page never sees it) and a CSRF token kept here in memory and sent as
// X-CSRF-Token with every change. A reload of the page asks GET /session who is signed in.
import { el, fill } from "./dom.js";
import { st } from "./staff_text.js";

let session = null;
const listeners = [];

export const currentSession = () => session;
export const onSessionChange = (listener) => listeners.push(listener);

function set(next) {
  session = next;
  for (const listener of listeners) listener(session);
}

/// Headers that authenticate a change from this page.
export const csrfHeaders = () => (session ? { "X-CSRF-Token": session.csrf } : {});

export async function restoreSession() {
  const resp = await fetch("/session", { credentials: "same-origin" }).catch(() => null);
  const body = resp?.ok ? await resp.json() : null;
  set(body?.signed_in ? body : null);
}

async function signIn(token, message) {
  const resp = await fetch("/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (resp.ok) return set(await resp.json());
  message.textContent = st(resp.status === 429 ? "sign_in_blocked" : "sign_in_failed");
}

async function signOut() {
  await fetch("/session", { method: "DELETE", credentials: "same-origin", headers: csrfHeaders() }).catch(() => null);
  set(null);
}

/// The sign-in form, or who is signed in and a sign-out button, in `container`.
export function renderSession(container) {
  if (session) {
    fill(
      container,
      el("p", { id: "staff-who" }, st("signed_in", { name: session.name, role: session.role })),
      el("button", { type: "button", id: "staff-sign-out", onclick: signOut }, st("sign_out")),
    );
    return;
  }
  const message = el("p", { class: "error", role: "alert", id: "staff-sign-in-error" });
  const input = el("input", { id: "staff-token", type: "password", autocomplete: "off", required: true });
  const form = el(
    "form",
    { id: "staff-sign-in" },
    el("label", { for: "staff-token" }, st("token")),
    el("div", { class: "row" }, input, el("button", { type: "submit" }, st("sign_in"))),
    message,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    message.textContent = "";
    signIn(input.value, message).catch((err) => (message.textContent = String(err)));
    input.value = "";
  });
  fill(container, form);
}
