// A sender's text as HTML in server-blind rooms, where the server cannot render it: markdown-it (vendored,
// the version markdown-it-py ports) with the server's configuration and the same fallbacks as
// ephemeral/markdown.py, so a message looks the same in both kinds of room. This is not a safety boundary:
// every reader sanitizes what arrives (sanitize.js). No DOM, so Node tests compare it with the server's.
import * as vendored from "../vendor/markdown-it.min.js";

// The vendored build is UMD: loaded as a module in a page it sets globalThis.markdownit; Node loads it as
// CommonJS, whose export is the default.
const markdownit = vendored.default ?? globalThis.markdownit;

// As ephemeral/markdown.py: off, because in a chat they surprise or make tags the sanitizer drops.
export const DISABLED_RULES = ["heading", "lheading", "hr", "code", "reference", "html_block", "html_inline", "entity"];
// A longer run of one mark is not formatting, and markdown-it makes a token of each mark.
const LONG_RUN = /([*_~])\1{64}/u;
// Past this many tags a message is shown as typed (the server's cleaner bound).
const MAX_TAG_OPENINGS = 512;
const MAY_LINK = /:\/\/|mailto:/iu;
const CONTAINERS = new Set(["blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"]);
const BLOCK_GAP = />\n+(?=<)/gu;
const BLANK_LINE = /\n[ \t]*\n\s*/u;
const TAG = /<[^>]*>/gu;
// Media shows only from an https source: readers drop any other, as the server's cleaner does.
const MEDIA = /<(img|video|audio)\b[^>]*\ssrc="https:\/\//iu;

function parser(linkify) {
  // breaks: a newline in a chat message is a line break, not a space.
  const md = markdownit("commonmark", { html: false, breaks: true, linkify, typographer: false });
  md.enable(["strikethrough", "linkify"]);
  md.disable(DISABLED_RULES);
  // Only links written with their scheme become links: "file.py" and "www.example.org" stay text.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.linkify.add("ftp:", null).add("//", null);
  return md;
}

const LINKING = parser(true);
const NOT_LINKING = parser(false);

const escapeText = (text) => text.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;");

/** The message as typed: escaped, a paragraph per blank line, line breaks kept. */
export function asText(text) {
  const paragraphs = escapeText(text.trim()).split(BLANK_LINE);
  return paragraphs.map((lines) => `<p>${lines.split("\n").map((line) => line.trim()).join("<br>")}</p>`).join("");
}

function pastNestingLimit(md, tokens) {
  const limit = md.options.maxNesting - 1;
  return tokens.some((token) => token.level >= limit && CONTAINERS.has(token.type));
}

function markdown(text) {
  if (LONG_RUN.test(text)) return null;
  const md = MAY_LINK.test(text) ? LINKING : NOT_LINKING;
  const env = {};
  const tokens = md.parse(text, env);
  if (pastNestingLimit(md, tokens)) return null;
  const rendered = md.renderer.render(tokens, md.options, env).replace(BLOCK_GAP, ">").replace(/\n+$/u, "");
  return (rendered.match(/</gu) ?? []).length <= MAX_TAG_OPENINGS ? rendered : null;
}

const showsSomething = (html) => Boolean(html.replace(TAG, "").trim()) || MEDIA.test(html);

/**
 * `text` (as typed in the composer) as the HTML the server would make of it in a standard room, before its
 * cleaning; escaped text where the Markdown would exceed the bounds, show nothing, or come out longer than
 * `maxHtml` characters.
 */
export function toHtml(text, maxHtml = Infinity) {
  const typed = text.replace(/\r\n?/gu, "\n");
  const rendered = markdown(typed);
  if (rendered !== null && showsSomething(rendered) && rendered.length <= maxHtml) return rendered;
  return asText(typed);
}
