// Before a reader's browser parses a server-blind message, even in an inert document, the markup that the
// page's CSP would refuse is renamed: Chromium checks the CSP as the parser makes an event handler, a style
// attribute, a <style> or a <base>, and reports a violation for each, though nothing can run there. So every
// attribute named on… or style becomes x-on… or x-style, and each such element x-style or x-base, which the
// sanitizer then drops like any unknown name (x-style with its content, as nh3 drops <style>). Pure, so Node
// tests drive it; it is not the safety boundary (sanitize.js is), only what keeps the console and the CSP quiet.

/** As the server's cleaner: past this many "<" the rest are text (ephemeral/sanitize.py, MAX_TAG_OPENINGS). */
export const MAX_TAG_OPENINGS = 512;
const RENAMED_TAGS = new Set(["style", "base"]);
const PREFIX = "x-";

const isSpace = (char) => char === " " || char === "\t" || char === "\n" || char === "\f" || char === "\r";
const isAlpha = (char) => char !== undefined && /^[A-Za-z]$/u.test(char);
const asciiLower = (text) => text.replace(/[A-Z]/gu, (char) => char.toLowerCase());
const renamedAttribute = (name) => {
  const lower = asciiLower(name);
  return lower.startsWith("on") || lower === "style";
};

/**
 * Where the tag the HTML tokenizer would read at `start` (a "<") has a name or attribute name to rename:
 * the positions to put PREFIX at. Follows the tokenizer's tag states (the tag name, attribute names,
 * quoted and unquoted values, "/" and missing spaces between attributes) up to the tag's ">".
 */
function renamesInTag(text, start) {
  const found = [];
  let at = start + 1;
  const end = text[at] === "/";
  if (end) at += 1;
  if (!isAlpha(text[at])) return found;
  const nameStart = at;
  while (at < text.length && !isSpace(text[at]) && text[at] !== "/" && text[at] !== ">") at += 1;
  if (RENAMED_TAGS.has(asciiLower(text.slice(nameStart, at)))) found.push(nameStart);
  if (end) return found; // an end tag's attributes are dropped by the parser
  while (at < text.length) {
    // Before an attribute name: spaces and "/" separate; ">" ends the tag; "=" here starts a name.
    while (at < text.length && (isSpace(text[at]) || text[at] === "/")) at += 1;
    if (at >= text.length || text[at] === ">") return found;
    const attributeStart = at;
    at += 1;
    while (at < text.length && !isSpace(text[at]) && !"/>=".includes(text[at])) at += 1;
    if (renamedAttribute(text.slice(attributeStart, at))) found.push(attributeStart);
    while (at < text.length && isSpace(text[at])) at += 1;
    if (text[at] !== "=") continue; // no value: the next name, "/" or ">"
    at += 1;
    while (at < text.length && isSpace(text[at])) at += 1;
    const quote = text[at];
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, at + 1);
      if (close < 0) return found;
      at = close + 1; // the next attribute may follow at once
    } else {
      while (at < text.length && !isSpace(text[at]) && text[at] !== ">") at += 1;
    }
  }
  return found;
}

/**
 * `html` with the refused markup renamed. Every "<" that may open a tag is read as one, each on its own: a
 * "<" the browser will see inside a comment or a <textarea> is renamed in too (all dropped anyway), so no
 * tag the browser does see escapes. Past MAX_TAG_OPENINGS a "<" is escaped into text, as on the server.
 */
export function quiet(html) {
  const pieces = html.split("<");
  const bounded =
    pieces.length - 1 <= MAX_TAG_OPENINGS
      ? html
      : pieces.slice(0, MAX_TAG_OPENINGS + 1).join("<") + "&lt;" + pieces.slice(MAX_TAG_OPENINGS + 1).join("&lt;");
  const positions = new Set();
  for (let at = bounded.indexOf("<"); at >= 0; at = bounded.indexOf("<", at + 1)) {
    for (const position of renamesInTag(bounded, at)) positions.add(position);
  }
  if (positions.size === 0) return bounded;
  let out = "";
  let from = 0;
  for (const position of [...positions].sort((a, b) => a - b)) {
    out += bounded.slice(from, position) + PREFIX;
    from = position;
  }
  return out + bounded.slice(from);
}
