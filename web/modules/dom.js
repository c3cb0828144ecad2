// Building the page's DOM without markup: every text, the service's data included, goes in
// as a text node or an attribute value, never parsed as markup.

export const $ = (selector) => document.querySelector(selector);

const present = (child) => child !== undefined && child !== null && child !== false && child !== "";

/// An element with attributes (`style` and `dataset` take objects, `on…` take listeners) and
/// children (nodes, or strings that become text nodes; empty ones are left out).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "style") Object.assign(node.style, value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter(present));
  return node;
}

/// Replaces a node's children.
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter(present));
}

/// A `<dt>`/`<dd>` pair of a definition list, or nothing when there is no value.
export function row(label, ...value) {
  const parts = value.flat().filter(present);
  return parts.length ? [el("dt", {}, label), el("dd", {}, ...parts)] : [];
}
