// The composer: formatting toolbar, shortcuts, character count, sending.
import { t } from "../catalog.js";

const FORMATS = {
  b: ["<b>", "</b>"],
  i: ["<i>", "</i>"],
  s: ["<s>", "</s>"],
  code: ["<code>", "</code>"],
  blockquote: ["<blockquote>", "</blockquote>"],
  ul: ["<ul>\n<li>", "</li>\n</ul>"],
  a: ['<a href="https://">', "</a>"],
};
const SHORTCUTS = { b: "b", i: "i" };
const COUNT_FROM = 0.8; // show the count once 80% of the limit is used
// Phone keyboards have no Shift+Enter: there Enter adds a line and Send sends.
const ENTER_SENDS = !matchMedia("(pointer: coarse)").matches;

/** Wrap the selection (or the caret) in the tags of `format`. */
function wrap(textarea, format) {
  const [open, close] = FORMATS[format];
  const { selectionStart: start, selectionEnd: end } = textarea;
  const inner = textarea.value.slice(start, end);
  textarea.setRangeText(open + inner + close, start, end, "end");
  // Keep the wrapped text selected, or put the caret where typing goes next
  // (for an empty link: inside the href, after "https://").
  const innerStart = start + open.length;
  const caret = format === "a" && !inner ? innerStart - 2 : innerStart;
  textarea.setSelectionRange(caret, caret + inner.length);
  textarea.dispatchEvent(new Event("input"));
  textarea.focus();
}

export function setUpComposer({ view, maxChars, send }) {
  const { text, composer, charCount } = view;
  document.getElementById("composer-help").textContent = t(ENTER_SENDS ? "composer.help.enter" : "composer.help.tap");
  // The text stays in the composer until the server acks it, so a second Enter
  // before then would send it again.
  let sending = false;

  async function submit() {
    if (sending || !text.value.trim()) return;
    sending = true;
    try {
      if (await send(text.value)) {
        text.value = "";
        text.dispatchEvent(new Event("input"));
      }
    } finally {
      sending = false;
    }
  }

  for (const button of composer.querySelectorAll("[data-format]")) {
    button.addEventListener("click", () => wrap(text, button.dataset.format));
  }
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  text.addEventListener("keydown", (event) => {
    if (ENTER_SENDS && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if ((event.ctrlKey || event.metaKey) && SHORTCUTS[event.key.toLowerCase()]) {
      event.preventDefault();
      wrap(text, SHORTCUTS[event.key.toLowerCase()]);
    }
  });
  text.addEventListener("input", () => {
    const used = [...text.value].length;
    const near = used >= maxChars * COUNT_FROM;
    charCount.hidden = !near;
    charCount.textContent = near ? t("composer.count", { used, max: maxChars }) : "";
    charCount.classList.toggle("over", used > maxChars);
  });
}
