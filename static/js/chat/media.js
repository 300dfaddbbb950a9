// A message body's nodes before they enter the page: media from other hosts held behind a button, and the
// source layout between blocks dropped. Works on an inert fragment (render.js bodyFragment), never on markup.
import { t } from "../catalog.js";
import { sentenceNodes, typedSpan } from "./bidi.js";

const LOAD_MEDIA = { img: "media.load.image", video: "media.load.video", audio: "media.load.audio" };

/** Media from another host becomes a button: loading it would tell that host who reads. `onLoaded()` after a load. */
export function holdExternalMedia(fragment, onLoaded) {
  for (const media of fragment.querySelectorAll("img, video, audio")) {
    let url;
    try {
      url = new URL(media.getAttribute("src") || "", location.href);
    } catch {
      media.remove();
      continue;
    }
    if (!media.getAttribute("src")) {
      media.remove();
      continue;
    }
    if (url.origin === location.origin) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "media-placeholder";
    button.replaceChildren(...sentenceNodes(LOAD_MEDIA[media.localName], { host: url.host }, typedSpan));
    button.title = t("media.warning");
    const held = media.cloneNode(false);
    button.addEventListener(
      "click",
      () => {
        button.replaceWith(held);
        onLoaded();
      },
      { once: true },
    );
    media.replaceWith(button);
  }
}

const BLOCKS = new Set(["P", "UL", "OL", "LI", "BLOCKQUOTE", "PRE", "H1", "H2", "H3", "H4", "H5", "H6"]);

/** Line breaks between block elements are source layout, not content; pre-wrap would show them. */
export function dropLayoutWhitespace(fragment) {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const layout = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.trim() || node.parentElement?.closest("pre")) continue;
    const beside = [node.previousSibling, node.nextSibling, node.parentNode];
    if (beside.some((other) => other && BLOCKS.has(other.nodeName))) layout.push(node);
  }
  for (const node of layout) node.remove();
}
