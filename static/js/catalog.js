// The one string catalog of the scripts: words by key, never written inline.
// Pure (no DOM), so Node tests check it. English is the only table today;
// another language is another table in TABLES, and createCatalog picks it.
import en from "./strings/en.js";

export const TABLES = Object.freeze({ en });

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

/** Put params into `{name}` slots in one pass, so a value (an alias) is never read as a slot itself. */
function fill(text, params) {
  return text.replace(PLACEHOLDER, (slot, name) => (Object.hasOwn(params, name) ? String(params[name]) : slot));
}

/**
 * A catalog for `language` over `tables` (which must hold "en"): `t(key, params)`
 * and `errorText(code, params)`. Keys missing from the language's table fall
 * back to English, and an unknown language is English.
 */
export function createCatalog(tables, language) {
  const english = tables.en;
  const table = Object.hasOwn(tables, language) ? tables[language] : english;
  const plural = new Intl.PluralRules(table === english ? "en" : language);

  function lookup(key) {
    if (Object.hasOwn(table, key)) return table[key];
    return Object.hasOwn(english, key) ? english[key] : undefined;
  }

  function t(key, params = {}) {
    let entry = lookup(key);
    // A key nobody wrote shows itself, so the gap is seen; tests/js keeps every used key present.
    if (entry === undefined) return key;
    if (typeof entry === "object") entry = entry[plural.select(Number(params.count))] ?? entry.other;
    return fill(entry, params);
  }

  function errorText(code, params = {}) {
    const key = `error.${code}`;
    return t(lookup(key) === undefined ? `error.${FALLBACK_ERROR}` : key, params);
  }

  return { language: table === english ? "en" : language, t, errorText, has: (key) => lookup(key) !== undefined };
}

// The pages are English (templates say lang="en"); the scripts share this one catalog.
const catalog = createCatalog(TABLES, "en");
export const { t, errorText } = catalog;
