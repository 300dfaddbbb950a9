// The composer: Markdown formatting from the toolbar and shortcuts, a box that
// grows with its text, the character count, and sending without losing a keystroke.
// What is typed goes out as text: the server renders the Markdown and escapes the rest.
import { t } from "../catalog.js";

// Inline formats wrap the selection; line formats prefix each selected line.
const INLINE = { b: ["**", "**"], i: ["_", "_"], s: ["~~", "~~"], code: ["`", "`"] };
const LINE_PREFIX = { quote: "> ", list: "- " };
const SHORTCUTS = { b: "b", i: "i" };
const COUNT_FROM = 0.8; // show the count once 80% of the limit is used
const GROW_TO_LINES = 8; // past this the box scrolls instead of growing
// Phone keyboards have no Shift+Enter: there Enter adds a line and Send sends.
const ENTER_SENDS = !matchMedia("(pointer: coarse)").matches;

function replaceSelection(textarea, text, caretStart, caretEnd) {
  const { selectionStart: start, selectionEnd: end } = textarea;
  textarea.setRangeText(text, start, end, "end");
  textarea.setSelectionRange(start + caretStart, start + caretEnd);
}

/** Apply `format` to the selection (or at the caret), keeping the formatted text selected for more typing. */
function applyFormat(textarea, format) {
  const { selectionStart: start, selectionEnd: end } = textarea;
  const inner = textarea.value.slice(start, end);
  if (format === "code" && inner.includes("\n")) {
    replaceSelection(textarea, "```\n" + inner + "\n```", 4, 4 + inner.length);
  } else if (INLINE[format]) {
    const [open, close] = INLINE[format];
    replaceSelection(textarea, open + inner + close, open.length, open.length + inner.length);
  } else if (LINE_PREFIX[format]) {
    const lineStart = textarea.value.lastIndexOf("\n", start - 1) + 1;
    textarea.setSelectionRange(lineStart, end);
    const lines = textarea.value.slice(lineStart, end).split("\n");
    const prefixed = lines.map((line) => LINE_PREFIX[format] + line).join("\n");
    replaceSelection(textarea, prefixed, prefixed.length, prefixed.length);
  } else if (format === "link") {
    // With words selected the caret waits in the address; without, in the words.
    const link = `[${inner}](https://)`;
    const caret = inner ? link.length - 1 : 1;
    replaceSelection(textarea, link, caret, caret);
  }
  textarea.dispatchEvent(new Event("input"));
  textarea.focus();
}

/** Grow the box with its text up to GROW_TO_LINES lines (style set from script: the CSP allows no inline style). */
function fitHeight(textarea) {
  const style = getComputedStyle(textarea);
  const line = parseFloat(style.lineHeight) || 24;
  const frame = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) * 2;
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, line * GROW_TO_LINES + frame)}px`;
}

/**
 * Wire the composer. `send(text)` resolves true once the server took the
 * message. The box empties at once, so typing goes on while the message
 * travels; a text the server refused comes back, ahead of anything typed since.
 */
export function setUpComposer({ view, maxChars, send }) {
  const { text, composer, charCount } = view;
  const toolbar = document.getElementById("toolbar");
  const formatToggle = document.getElementById("format-toggle");
  document.getElementById("composer-help").textContent = t(ENTER_SENDS ? "composer.help.enter" : "composer.help.tap");

  async function submit() {
    const sent = text.value;
    if (!sent.trim()) return;
    text.value = "";
    text.dispatchEvent(new Event("input"));
    text.focus(); // on a phone, keep the keyboard up for the next message
    if (await send(sent)) return;
    text.value = text.value ? `${sent}\n${text.value}` : sent;
    text.dispatchEvent(new Event("input"));
  }

  for (const button of composer.querySelectorAll("[data-format]")) {
    button.addEventListener("click", () => applyFormat(text, button.dataset.format));
  }
  // Tapping a control must not take focus from the box: on a phone that closes the keyboard.
  for (const button of composer.querySelectorAll("button")) {
    button.addEventListener("pointerdown", (event) => event.preventDefault());
  }
  formatToggle.addEventListener("click", () => {
    const open = formatToggle.getAttribute("aria-expanded") !== "true";
    formatToggle.setAttribute("aria-expanded", String(open));
    toolbar.classList.toggle("open", open);
  });
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
      applyFormat(text, SHORTCUTS[event.key.toLowerCase()]);
    }
  });
  text.addEventListener("input", () => {
    fitHeight(text);
    const used = [...text.value].length;
    const near = used >= maxChars * COUNT_FROM;
    charCount.hidden = !near;
    charCount.textContent = near ? t("composer.count", { used, max: maxChars }) : "";
    charCount.classList.toggle("over", used > maxChars);
  });
  // A desktop chat opens ready to type; a phone waits for a tap, so its keyboard does not cover the room.
  if (ENTER_SENDS) text.focus();
}
