// The visitor's language (`?lang=en`, Bulgarian by default), the interface texts in it and
// the number formats.
import { TEXTS } from "../i18n.js";

let lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "bg";
const listeners = [];

export const currentLang = () => lang;

export function setLang(next) {
  lang = next === "en" ? "en" : "bg";
  for (const listener of listeners) listener(lang);
}

export const onLangChange = (listener) => listeners.push(listener);

/// The text for `key`, with `{name}` placeholders filled from `vars`.
export function t(key, vars = {}) {
  let text = TEXTS[lang][key] ?? TEXTS.bg[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

/// A value from the data in the visitor's language: the field's English twin (`note_en` for
/// `note`) in English when the data has it, else the field itself.
export function localised(props, key) {
  const english = lang === "en" ? props?.[`${key}_en`] : null;
  return english ?? props?.[key] ?? null;
}

export const fmt = (value, digits = 0) =>
  Number(value).toLocaleString(lang === "bg" ? "bg-BG" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const metres = (m) => (m >= 1000 ? `${fmt(m / 1000, 2)} km` : `${fmt(m, 0)} m`);

export const areaText = (m2) =>
  m2 === undefined || m2 === null ? "" : `${fmt(m2)} m² (${fmt(m2 / 1000, 3)} ${t("decares")})`;
