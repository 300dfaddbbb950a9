// Everything that draws the message list. User strings go in with textContent; the server-sanitized `html`
// field is the only innerHTML, in bodyFragment, where a server-blind room's `unsafeHtml` becomes a fragment of
// the page's own sanitizer instead (e2e/sanitize.js), never a string. Messages and notes are drawn from the
// model (model.js): one entry per id, drawn again whole when the message changes (an edit, an unsend, a
// reaction), and so are the replies that quote it.
import { t } from "../catalog.js";
import { cleanToFragment } from "../e2e/sanitize.js";
import { fileCard } from "../files/card.js";
import { localTime } from "../time.js";
import { isLive, replyTarget, shortQuote } from "./changes.js";
import { nodesOf, sentenceNodes, typedSpan } from "./bidi.js";
import { actionsToggle, foot, quote, removedMarker } from "./decor.js";
import { colourOf, continuesRun } from "./grouping.js";
import { dropLayoutWhitespace, holdExternalMedia } from "./media.js";
import { view } from "./view.js";

// The page builds a note's sentence here, so that the alias in it is drawn isolated (bidi.js).
export { sentence } from "./bidi.js";

// Whether the list shows its newest entry. Only scrolling changes it, so content
// that grows under a pinned view (an image loading) cannot unpin it.
let pinned = true;

function atBottom() {
  const list = view.messages;
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

export function scrollToLatest() {
  // Scroll the list only: scrollIntoView would also scroll the window and,
  // on a small screen, push the composer someone is typing in out of view.
  view.messages.scrollTop = view.messages.scrollHeight;
  view.newMessages.hidden = true;
  pinned = true;
}

/** Add an entry at the end; a pinned view follows it, and so does one's own message wherever the view was. */
function append(item, { mine = false } = {}) {
  view.messages.append(item);
  if (pinned || mine) scrollToLatest();
  else view.newMessages.hidden = false;
}

function keepPinned() {
  if (pinned) scrollToLatest();
}

view.messages.addEventListener("scroll", () => {
  pinned = atBottom();
  if (pinned) view.newMessages.hidden = true;
});
// Media loading inside (load does not bubble, so listen while it goes down), and
// the list itself shrinking (a phone keyboard opening), keep a pinned view pinned.
view.messages.addEventListener("load", keepPinned, true);
new ResizeObserver(keepPinned).observe(view.messages);
view.newMessages.addEventListener("click", () => {
  scrollToLatest();
  view.messages.focus();
});

/** The message's body as nodes of an inert document, which fetches nothing and runs nothing. */
function bodyFragment(message) {
  if (message.file) return document.createDocumentFragment(); // a file's card has no words to quote or search
  if (typeof message.unsafeHtml === "string") return cleanToFragment(message.unsafeHtml);
  const template = document.createElement("template");
  template.innerHTML = message.html;
  return template.content;
}

/** The words of a message, without its markup. */
export const textOf = (message) => bodyFragment(message).textContent ?? "";

/** The words of a message made short: what a reply quotes of it. */
export const quoteOf = (message) => shortQuote(textOf(message));

function renderMessageBody(message) {
  const fragment = bodyFragment(message);
  // The button is gone once its media loads: keep focus in the conversation.
  holdExternalMedia(fragment, () => view.messages.focus());
  dropLayoutWhitespace(fragment);
  for (const link of fragment.querySelectorAll("a")) {
    link.target = "_blank";
  }
  const body = document.createElement("div");
  body.className = "body"; // each paragraph in its own direction (messages.css), as dir="auto" would
  body.append(fragment);
  return body;
}

function mark(className, key) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = t(key);
  return span;
}

/** A message's entry; `page` says whose it is and who is who (`isMine`, `youId`, `aliasOf`). */
function messageEntry(model, message, page) {
  const mine = page.isMine(message);
  const item = document.createElement("li");
  item.className = mine ? "message mine" : "message";

  item.dataset.id = message.id;
  item.dataset.from = message.from;
  item.dataset.ts = String(message.ts);
  item.dataset.who = String(colourOf(message.from));
  const head = document.createElement("div");
  head.className = "head";
  const who = document.createElement("span");
  who.className = "alias";
  who.textContent = message.alias;
  const when = document.createElement("time");
  when.dateTime = new Date(message.ts).toISOString();
  when.textContent = localTime(message.ts);
  head.append(who, " ");
  if (mine) head.append(mark("you", "mark.you"), " ");
  item.append(head);
  if (message.file) {
    head.append(when);
    item.classList.add("file-message");
    item.append(fileCard(message, mine));
    return item;
  }
  if (message.removed) {
    head.append(when);
    item.classList.add("removed-message");
    item.append(removedMarker());
    return item;
  }
  // The body is opened once: the mention is read from the words it shows.
  const body = renderMessageBody(message);
  if (page.mentionsYou(message, body.textContent)) {
    item.classList.add("mention");
    head.append(mark("mentions-you", "mark.mentions_you"), " ");
  }
  if (typeof message.shared === "string") {
    item.classList.add("shared");
    const by = document.createElement("span");
    by.className = "shared-by";
    // Its author handed it on themselves: "shared"; someone else did: by whom.
    const own = message.shared === message.alias;
    const words = own ? [t("mark.shared")] : sentenceNodes("mark.shared_by", { alias: message.shared }, typedSpan);
    by.replaceChildren(...words);
    head.append(by, " ");
  }
  head.append(when);
  if (typeof message.reply_to === "string") {
    item.dataset.replyTo = message.reply_to;
    const target = replyTarget(model, message.reply_to);
    item.append(quote(target, target.state === "shown" ? quoteOf(model.get(target.id)) : ""));
  }
  item.append(body);
  const below = foot(message, page.youId(), page.aliasOf);
  if (below) item.append(below);
  if (isLive(message)) item.append(actionsToggle(mine, message.alias));
  return item;
}

const asRunMember = (entry) =>
  entry?.classList.contains("message") ? { from: entry.dataset.from, ts: Number(entry.dataset.ts) } : null;

/** Mark `entry` as continuing the run above it, or not: a continued entry shows no name and time of its own. */
function regroup(entry) {
  if (!entry?.classList.contains("message")) return;
  entry.classList.toggle("continued", continuesRun(asRunMember(entry.previousElementSibling), asRunMember(entry)));
}

// A note's entry by its id: notes carry no attributes of their own on the page.
const notesShown = new Map();

function entryFor(id) {
  return notesShown.get(id) ?? view.messages.querySelector(`li.message[data-id="${CSS.escape(id)}"]`);
}

/** A note of the page's own ("ann joined"), between the messages. */
function noteEntry(note) {
  const item = document.createElement("li");
  item.className = "system";
  item.append(...(note.parts ? nodesOf(note.parts, typedSpan) : [note.note]));
  notesShown.set(note.id, item);
  return item;
}

const isNote = (entry) => typeof entry.note === "string";

/**
 * Keep the message list in step with `model`: an entry per message (`li[data-id]`) or note (`li.system`),
 * drawn again in place on update (and each reply quoting it with it), dropped on remove (the model drops its
 * oldest past its cap), and on clear the whole list goes. `page.isMine(message)` marks one's own,
 * `page.mentionsYou(message, text)` one whose shown `text` names this page's person,
 * `page.youId()` is this page's participant id, `page.aliasOf(id)` an alias from presence (null if gone),
 * `page.drawn(entry, id)` hears of every entry drawn again. Returns `redraw(id)` and `jumpTo(id)`.
 */
export function renderMessages(model, page) {
  function redraw(id) {
    const shown = entryFor(id);
    const message = model.get(id);
    if (!shown || !message) return;
    const entry = isNote(message) ? noteEntry(message) : messageEntry(model, message, page);
    const focused = shown.contains(document.activeElement);
    shown.replaceWith(entry);
    regroup(entry);
    page.drawn(entry, id, focused);
  }

  /** Draw again the replies that quote `id`: their quote follows the original's text, or its going. */
  function redrawReplies(id) {
    for (const reply of view.messages.querySelectorAll(`li.message[data-reply-to="${CSS.escape(id)}"]`)) {
      redraw(reply.dataset.id);
    }
  }

  model.onChange(({ type, id, message }) => {
    if (type === "add" && isNote(message)) {
      append(noteEntry(message));
    } else if (type === "add") {
      const entry = messageEntry(model, message, page);
      append(entry, { mine: page.isMine(message) });
      regroup(entry);
    } else if (type === "update") {
      redraw(id);
      redrawReplies(id);
    } else if (type === "remove") {
      const entry = entryFor(id);
      const next = entry?.nextElementSibling;
      entry?.remove();
      notesShown.delete(id);
      regroup(next);
      redrawReplies(id);
    } else if (type === "clear") {
      view.messages.replaceChildren();
      notesShown.clear();
    }
  });

  return {
    redraw,
    /** Bring the entry of `id` into view and give it focus for a moment's highlight; false if it is not shown. */
    jumpTo(id) {
      const entry = view.messages.querySelector(`li.message[data-id="${CSS.escape(id)}"]`);
      if (!entry) return false;
      const list = view.messages;
      const offset = entry.getBoundingClientRect().top - list.getBoundingClientRect().top;
      list.scrollTop += offset - list.clientHeight / 3;
      entry.tabIndex = -1;
      entry.focus({ preventScroll: true });
      entry.classList.remove("flash");
      void entry.offsetWidth; // restart the highlight when jumping to the same message again
      entry.classList.add("flash");
      entry.addEventListener("animationend", () => entry.classList.remove("flash"), { once: true });
      return true;
    },
  };
}
