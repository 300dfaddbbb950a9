// The reader's HTML cleaner in server-blind rooms, where the server cannot clean: vendored DOMPurify held to
// the allowlist of ephemeral/sanitize.py (nh3), so a message can carry exactly what it can in a standard
// room. Its answer is a DocumentFragment of an inert document, never a string: parsing there fetches and
// runs nothing, and render.js holds media from other hosts before the nodes enter the page. What the CSP
// would refuse is renamed first (quiet.js), so that parsing it reports no violation.
import DOMPurify from "../vendor/purify.js";
import { quiet } from "./quiet.js";

// ephemeral/sanitize.py's ALLOWED_TAGS and ALLOWED_ATTRIBUTES, tag by tag.
export const ALLOWED_TAGS = Object.freeze([
  "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small",
  "sub", "sup", "code", "pre", "kbd", "blockquote", "q", "br", "p",
  "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span",
  "a", "img", "video", "audio",
]); // prettier-ignore
export const ALLOWED_ATTRIBUTES = Object.freeze({
  a: Object.freeze(["href"]),
  img: Object.freeze(["src", "alt"]),
  video: Object.freeze(["src", "controls"]),
  audio: Object.freeze(["src", "controls"]),
});
export const LINK_REL = "noopener noreferrer nofollow";
// Dropped with everything inside, not unwrapped (ephemeral/sanitize.py's _DROP_WITH_CONTENT).
const DROP_WITH_CONTENT = [
  "script", "style", "template", "noscript", "iframe", "noembed",
  "noframes", "xmp", "plaintext", "title", "textarea", "select",
  "object", "applet", "svg", "math",
  "x-style", // quiet.js's name for <style>
]; // prettier-ignore
const MEDIA = new Set(["img", "video", "audio"]);
// Links may be http, https or mailto, and must be absolute; media only https (nh3's url_relative="deny").
const ALLOWED_URI = /^(?:https?|mailto):/iu;
// What a browser's URL parser ignores: leading C0 controls and spaces, and tab, LF and CR anywhere.
const IGNORED_IN_URL = /^[\u0000-\u0020]+|[\t\n\r]/gu;

const CONFIG = Object.freeze({
  ALLOWED_TAGS: [...ALLOWED_TAGS],
  ALLOWED_ATTR: [...new Set(Object.values(ALLOWED_ATTRIBUTES).flat())],
  ADD_FORBID_CONTENTS: DROP_WITH_CONTENT,
  ALLOWED_URI_REGEXP: ALLOWED_URI,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  SAFE_FOR_XML: true,
  KEEP_CONTENT: true,
  RETURN_DOM_FRAGMENT: true,
});

// An instance of our own, so these hooks hold for messages only.
const purify = DOMPurify(window);

// DOMPurify's attribute list is one for every tag; nh3's is per tag.
purify.addHook("uponSanitizeAttribute", (node, data) => {
  const allowed = ALLOWED_ATTRIBUTES[node.localName] ?? [];
  if (!allowed.includes(data.attrName)) data.keepAttr = false;
});

purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.localName === "a") {
    if (node.hasAttribute("href") && !ALLOWED_URI.test(node.getAttribute("href").replace(IGNORED_IN_URL, ""))) {
      node.removeAttribute("href");
    }
    node.setAttribute("rel", LINK_REL);
  } else if (MEDIA.has(node.localName) && node.hasAttribute("src")) {
    const seen = node.getAttribute("src").replace(IGNORED_IN_URL, "");
    if (!seen.toLowerCase().startsWith("https://")) node.removeAttribute("src");
  }
});

/** The message HTML `dirty`, cleaned to the allowlist, as a fragment of an inert document. */
export function cleanToFragment(dirty) {
  const clean = purify.sanitize(quiet(String(dirty)), CONFIG);
  // Markup that leaves the parser no body (a <frameset>) comes back as null: it shows nothing.
  return clean instanceof DocumentFragment ? clean : document.createElement("template").content;
}
