// What people typed, among the page's own words, keeps its own direction and leaves the words around it in
// order: an Arabic alias in an English note, an English one in an Arabic note. Alone in its element, user text
// has dir="auto" there; inside a sentence of the catalog, each value people typed goes in a <bdi> of its own
// (docs/decisions.md). The text itself is unchanged: no invisible marks are added to it. The message list admits
// only a few tags and attributes of its own, so there the stylesheet does the same (messages.css, .typed).
import { t } from "../catalog.js";

// The params that carry what people typed (or a link's host); counts, limits and times are the page's own.
const TYPED = new Set(["alias", "first", "second", "name", "host"]);
const SLOT = /\{(\w+)\}/;

/**
 * Catalog `key` filled with `params`, as `{text, parts}`: `text` the plain sentence, `parts` its pieces in
 * order, the page's words as strings and each typed value as `{isolate: value}`. Pure, for the message model.
 */
export function sentence(key, params = {}) {
  const typed = Object.keys(params).filter((name) => TYPED.has(name));
  // Each typed value's own slot is kept in the words, so the language's table says where it goes.
  const kept = { ...params, ...Object.fromEntries(typed.map((name) => [name, `{${name}}`])) };
  const pieces = t(key, kept).split(SLOT);
  const parts = [];
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) {
      if (piece) parts.push(piece);
    } else if (typed.includes(piece)) {
      parts.push({ isolate: String(params[piece]) });
    } else {
      parts.push(`{${piece}}`);
    }
  });
  return { text: t(key, params), parts };
}

/** A <bdi> holding `value`: its direction taken from its own first letter, apart from the words around it. */
export function isolate(value) {
  const bdi = document.createElement("bdi");
  bdi.textContent = value;
  return bdi;
}

/** In the message list: a span the stylesheet isolates as a <bdi> (`.typed`: unicode-bidi: plaintext). */
export function typedSpan(value) {
  const span = document.createElement("span");
  span.className = "typed";
  span.textContent = value;
  return span;
}

/** Nodes to append for `parts` (from sentence): the words as text, each typed value in its <bdi> (or `wrap`'s). */
export const nodesOf = (parts, wrap = isolate) =>
  parts.map((part) => (typeof part === "string" ? part : wrap(part.isolate)));

/** Catalog `key` with `params` as nodes to append, each typed value in a <bdi> (or `wrap`'s element). */
export const sentenceNodes = (key, params, wrap = isolate) => nodesOf(sentence(key, params).parts, wrap);
