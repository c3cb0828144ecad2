// The plot status colours (the style's metadata, so the legend, the card and the map agree)
// and the text colour readable on each: black or white, whichever contrasts more, which is
// always at least 4.5:1 (WCAG AA for small text).
import { STATUS_COLOURS } from "../i18n.js";

export const statusColours = { ...STATUS_COLOURS };

export function takeStyleColours(style) {
  for (const { status, colour } of style.metadata?.["zagore:status-colours"] || []) statusColours[status] = colour;
}

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
  const background = statusColours[status] || "#666666";
  return { background, color: textOn(background) };
}
