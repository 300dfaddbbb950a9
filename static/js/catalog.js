// The one string catalog of the scripts: words by key, never written inline.
// English comes with the scripts (strings/en.js); another language's table comes
// with the page, which the server made from translations/<language>/messages.po
// (a JSON block, data only). createCatalog is pure, so Node tests check it.
import en from "./strings/en.js";

/** The page's language and its table, or English when the page has none (or in Node). */
function pageTables() {
  const root = globalThis.document?.documentElement;
  const language = root?.lang || "en";
  const block = globalThis.document?.getElementById("script-strings");
  if (!block || language === "en") return { language: "en", tables: { en } };
  try {
    return { language, tables: { en, [language]: Object.freeze(JSON.parse(block.textContent)) } };
  } catch {
    return { language: "en", tables: { en } }; // a broken block shows English, never nothing
  }
}

const page = pageTables();
export const TABLES = Object.freeze(page.tables);

/** Every code an ack's `error` can carry: the server's, then the client's own (connection.js). */
export const ERROR_CODES = Object.freeze([
  "invalid",
  "wrong_password",
  "forbidden",
  "locked",
  "unauthorized",
  "not_found",
  "alias_taken",
  "room_full",
  "too_many_rooms",
  "method_not_allowed",
  "too_large",
  "unsupported_media_type",
  "rate_limited",
  "too_many_sockets",
  "too_many_connects",
  "proof_required",
  "proof_invalid",
  "capacity",
  "unavailable",
  "internal",
  "offline",
  "timeout",
]);

// A code this client does not know yet (a newer server) still gets words.
const FALLBACK_ERROR = "internal";
const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Put params into `{name}` slots in one pass, so a value (an alias) is never read as a slot itself.
 * A number is written in the language's own digits (Arabic ٣, Persian ۳), without grouping.
 */
function fill(text, params, numbers) {
  return text.replace(PLACEHOLDER, (slot, name) => {
    if (!Object.hasOwn(params, name)) return slot;
    const value = params[name];
    return typeof value === "number" ? numbers.format(value) : String(value);
  });
}

/**
 * A catalog for `language` over `tables` (which must hold "en"): `t(key, params)`
 * and `errorText(code, params)`. Keys missing from the language's table fall
 * back to English, and an unknown language is English.
 */
export function createCatalog(tables, language) {
  const english = tables.en;
  const table = Object.hasOwn(tables, language) ? tables[language] : english;
  const tag = table === english ? "en" : language;
  const plural = new Intl.PluralRules(tag);
  const numbers = new Intl.NumberFormat(tag, { useGrouping: false, maximumFractionDigits: 20 });

  function lookup(key) {
    if (Object.hasOwn(table, key)) return table[key];
    return Object.hasOwn(english, key) ? english[key] : undefined;
  }

  function t(key, params = {}) {
    let entry = lookup(key);
    // A key nobody wrote shows itself, so the gap is seen; tests/js keeps every used key present.
    if (entry === undefined) return key;
    if (typeof entry === "object") entry = entry[plural.select(Number(params.count))] ?? entry.other;
    return fill(entry, params, numbers);
  }

  function errorText(code, params = {}) {
    const key = `error.${code}`;
    return t(lookup(key) === undefined ? `error.${FALLBACK_ERROR}` : key, params);
  }

  return { language: tag, t, errorText, has: (key) => lookup(key) !== undefined, numbers };
}

// The page says its language (`<html lang>`); the scripts share this one catalog.
const catalog = createCatalog(TABLES, page.language);
/** The page's language as a BCP 47 tag, for Intl (times, numbers). */
export const { language, t, errorText } = catalog;
