// What the composer is doing: writing a new message, answering one ("Replying to ann: …") or editing one of
// this page's own ("Editing your message"). A line above the box says which, with Cancel; Escape in the box
// cancels too. Editing puts the message's source text in the box and keeps what was typed before, which
// comes back when the edit is saved or cancelled. Names and quotes go in with textContent.
import { t } from "../catalog.js";
import { sentenceNodes } from "./bidi.js";

const $ = (id) => document.getElementById(id);

/**
 * Wire the line. Returns `replyTo(id, alias, quote)`, `edit(id, source)`, `cancel()`, `take()` (the mode the
 * next send is in, which leaves it: `{kind: "new" | "reply" | "edit", id, draft}`), `restore(mode)` (a send
 * that failed goes back to its mode), `done(mode)` (a saved edit gives back what was typed before it),
 * `forget(id)` (the message is gone: a mode about it ends) and `clear()`.
 */
export function setUpComposeMode({ text, send }) {
  const line = $("compose-mode");
  const words = $("compose-mode-text");
  const cancelButton = $("compose-cancel");
  let mode = null; // null, or {kind: "reply", id, alias, quote} or {kind: "edit", id, draft}

  function put(value) {
    text.value = value;
    text.dispatchEvent(new Event("input"));
  }

  function draw() {
    line.hidden = !mode;
    send.textContent = t(mode?.kind === "edit" ? "composer.save" : "composer.send");
    if (!mode) {
      words.replaceChildren();
      return;
    }
    if (mode.kind === "edit") {
      words.textContent = t("composer.editing");
      cancelButton.setAttribute("aria-label", t("composer.cancel_edit"));
      return;
    }
    const quote = document.createElement("span");
    quote.className = "quote-text";
    quote.dir = "auto";
    quote.textContent = mode.quote;
    words.replaceChildren(...sentenceNodes("composer.replying", { alias: mode.alias }), " ", quote);
    cancelButton.setAttribute("aria-label", t("composer.cancel_reply"));
  }

  function set(next) {
    mode = next;
    draw();
    text.focus();
  }

  /** Leave the mode; an edit gives back what was typed before it. */
  function cancel() {
    if (mode?.kind === "edit") put(mode.draft);
    mode = null;
    draw();
  }

  cancelButton.addEventListener("click", () => {
    cancel();
    text.focus();
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && mode && !event.isComposing) {
      event.preventDefault();
      cancel();
    }
  });

  return {
    replyTo(id, alias, quote) {
      // Answering while editing: the edit ends first, and what was typed before it comes back.
      if (mode?.kind === "edit") cancel();
      set({ kind: "reply", id, alias, quote });
    },
    edit(id, source) {
      const draft = mode?.kind === "edit" ? mode.draft : text.value;
      set({ kind: "edit", id, draft });
      put(source);
      text.setSelectionRange(source.length, source.length);
    },
    cancel,
    take() {
      const taken = mode ?? { kind: "new" };
      mode = null;
      draw();
      return taken;
    },
    restore(taken) {
      if (taken.kind === "new" || mode) return;
      mode = taken;
      draw();
    },
    done(taken) {
      if (taken.kind !== "edit" || !taken.draft) return;
      put(text.value ? `${taken.draft}\n${text.value}` : taken.draft);
    },
    forget(id) {
      if (mode?.id === id) cancel();
    },
    clear() {
      mode = null;
      draw();
    },
  };
}
