// The plot status colours, in the style's order: the style's `zagore:status-colours`
// metadata (the service's one palette, which the map's fill layer also draws), so the
// legend, the filters, the card and the map agree; there is no copy here. And the text
// colour readable on each: black or white, whichever contrasts more, which is always at
// least 4.5:1 (WCAG AA for small text).

/** Status → `#rrggbb`, in the style's order; empty until the style is read. */
export const statusColours = new Map();

/** What a status the style does not name is drawn in (as the style's own fallback). */
const UNKNOWN = "#666666";

export function takeStyleColours(style) {
  statusColours.clear();
  const listed = style?.metadata?.["zagore:status-colours"];
  for (const entry of Array.isArray(listed) ? listed : []) {
    if (typeof entry?.status === "string" && /^#[0-9a-f]{6}$/i.test(entry.colour)) statusColours.set(entry.status, entry.colour);
  }
}

export const statusColour = (status) => statusColours.get(status) || UNKNOWN;

/// WCAG relative luminance of `#rrggbb`.
export function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export const textOn = (hex) => (contrast(hex, "#000000") >= contrast(hex, "#ffffff") ? "#000000" : "#ffffff");

/// The inline style of a status pill: the status colour with readable text on it.
export function pillStyle(status) {
  const background = statusColour(status);
  return { background, color: textOn(background) };
}
