// Everything that touches the chat DOM. User strings go in with textContent; the server-sanitized
// `html` field is the only innerHTML, in bodyFragment, where a server-blind room's `unsafeHtml` becomes
// a fragment of the page's own sanitizer instead (e2e/sanitize.js), never a string.
// Messages and notes are drawn from the model (model.js): one entry per id.
import { t } from "../catalog.js";
import { cleanToFragment } from "../e2e/sanitize.js";
import { localTime } from "../time.js";
import { colourOf, continuesRun } from "./grouping.js";

const $ = (id) => document.getElementById(id);

export const view = {
  messages: $("messages"),
  newMessages: $("new-messages"),
  status: $("status"),
  countdown: $("countdown"),
  expiryWarning: $("expiry-warning"),
  composer: $("composer"),
  send: $("send"),
  text: $("text"),
  charCount: $("char-count"),
  composerNotice: $("composer-notice"),
  composerError: $("composer-error"),
  roomError: $("room-error"),
};

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

const LOAD_MEDIA = { img: "media.load.image", video: "media.load.video", audio: "media.load.audio" };

/** Media from another host becomes a button: loading it would tell that host who reads. */
function holdExternalMedia(fragment) {
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
    button.textContent = t(LOAD_MEDIA[media.localName], { host: url.host });
    button.title = t("media.warning");
    const held = media.cloneNode(false);
    button.addEventListener(
      "click",
      () => {
        button.replaceWith(held);
        view.messages.focus(); // the button is gone; keep focus in the conversation
      },
      { once: true },
    );
    media.replaceWith(button);
  }
}

const BLOCKS = new Set(["P", "UL", "OL", "LI", "BLOCKQUOTE", "PRE", "H1", "H2", "H3", "H4", "H5", "H6"]);

/** Line breaks between block elements are source layout, not content; pre-wrap would show them. */
function dropLayoutWhitespace(fragment) {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const layout = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.trim() || node.parentElement?.closest("pre")) continue;
    const beside = [node.previousSibling, node.nextSibling, node.parentNode];
    if (beside.some((other) => other && BLOCKS.has(other.nodeName))) layout.push(node);
  }
  for (const node of layout) node.remove();
}

/** The message's body as nodes of an inert document, which fetches nothing and runs nothing. */
function bodyFragment(message) {
  if (typeof message.unsafeHtml === "string") return cleanToFragment(message.unsafeHtml);
  const template = document.createElement("template");
  template.innerHTML = message.html;
  return template.content;
}

function renderMessageBody(message) {
  const fragment = bodyFragment(message);
  holdExternalMedia(fragment);
  dropLayoutWhitespace(fragment);
  for (const link of fragment.querySelectorAll("a")) {
    link.target = "_blank";
  }
  const body = document.createElement("div");
  body.className = "body";
  body.append(fragment);
  return body;
}

function mark(className, key) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = t(key);
  return span;
}

function messageEntry(message, mine) {
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
  head.append(when);
  item.append(head, renderMessageBody(message));
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
  item.textContent = note.note;
  notesShown.set(note.id, item);
  return item;
}

const isNote = (entry) => typeof entry.note === "string";

/**
 * Keep the message list in step with `model`: an entry per message
 * (`li[data-id]`) or note (`li.system`), replaced in place on update, dropped
 * on remove (the model drops its oldest past its cap), and on clear the whole
 * list goes. `isMine(message)` marks one's own.
 */
export function renderMessages(model, isMine) {
  model.onChange(({ type, id, message }) => {
    if (type === "add" && isNote(message)) {
      append(noteEntry(message));
    } else if (type === "add") {
      const entry = messageEntry(message, isMine(message));
      append(entry, { mine: isMine(message) });
      regroup(entry);
    } else if (type === "update") {
      const shown = entryFor(id);
      const entry = isNote(message) ? noteEntry(message) : messageEntry(message, isMine(message));
      shown?.replaceWith(entry);
      regroup(entry);
    } else if (type === "remove") {
      const entry = entryFor(id);
      const next = entry?.nextElementSibling;
      entry?.remove();
      notesShown.delete(id);
      regroup(next);
    } else if (type === "clear") {
      view.messages.replaceChildren();
      notesShown.clear();
    }
  });
}

export function showStatus(text, state) {
  view.status.textContent = text;
  view.status.dataset.state = state;
  // Sending needs a live connection; say beside the button why it is off rather than fail later.
  const connected = state === "connected";
  view.send.disabled = !connected;
  showComposerNotice(connected ? "" : t("composer.offline"), "offline");
}

/** A room action's failure (leave, purge, a host's controls), above the conversation; "" takes it away. */
export function showRoomError(text) {
  view.roomError.textContent = text;
  view.roomError.hidden = !text;
}

export function showComposerError(text) {
  view.composerError.textContent = text;
  view.composerError.hidden = !text;
}

/**
 * A standing note beside Send, of a `kind` ("offline", "wait"): set with text,
 * cleared with "". Clearing one kind leaves another kind's note alone.
 */
export function showComposerNotice(text, kind) {
  const notice = view.composerNotice;
  if (!text && notice.dataset.kind !== kind) return;
  notice.textContent = text;
  notice.dataset.kind = text ? kind : "";
  notice.hidden = !text;
}

const WARNINGS = [
  [60, "expiry.one_minute"],
  [300, "expiry.five_minutes"],
];

export function showCountdown(secondsLeft) {
  const s = Math.max(0, Math.ceil(secondsLeft));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, "0");
  view.countdown.textContent = hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
  const warning = WARNINGS.find(([limit]) => s <= limit);
  view.countdown.classList.toggle("warning", Boolean(warning));
  const text = warning ? t(warning[1]) : "";
  if (view.expiryWarning.textContent !== text) {
    view.expiryWarning.textContent = text;
    view.expiryWarning.hidden = !text;
  }
}

/** Clear what the message model does not hold: the unsent text, the title's count (people.js clears who is here). */
export function clearView() {
  view.text.value = "";
  document.title = t("app.name");
}
