// The chat page's side of a server-blind room: sealing what this page sends, and opening and checking what
// arrives before it may enter the message model. Whatever is refused is said in the conversation, so a
// reader sees that something was held back and why (a malicious relay cannot drop or replay unseen).
//
// What chat.js calls (createSealedRoom's answer):
//   start()                    once the keys are here: the reader joins now, for the time window
//   receive(message)           a relayed `message`: opened, checked, added to the model (onAdded() after)
//   seal(text, you)            the envelope of what `you` (from welcome) typed; null when too large to seal
//   sealEdit(id, text, you)    the envelope of the new text of your message `id`; null when too large
//   refused(envelope)          after the server refused a message or an edit: its counter is given back
//   receiveEdit(edited)        a relayed `edited` {id, from, e2e, edited_ts}: opened for the message `id`
//                              by its author, checked as a message is, and handed to onEdited(id, {unsafeHtml,
//                              sealed})
//   receiveShared(messages, by)  history from peers (chat/history.js): each opened and added, marked shared
// Each message in the model keeps the envelope it was opened from (`sealed`, an edit's once edited), so that
// this page can hand it to a newcomer as it came.
// Messages and edits share one counter per page load, so seal and send them one at a time, in one queue
// (each waits for the previous ack), and give a refused one's counter back before sealing the next.
// What arrives is opened one after another, messages and edits alike, in the order it came.
import { t } from "../catalog.js";
import { sentence } from "../chat/bidi.js";
import { openEdit, openMessage } from "./crypto.js";
import { toHtml } from "./markdown.js";
import { HTML_CHARS_PER_CHAR, createReceiver } from "./receive.js";
import { createSender, messageKey } from "./session.js";

// The words for each refusal of receive.js, by its reason: of a message, and of an edit.
const REFUSED = {
  alias: "e2e.refused.alias",
  order: "e2e.refused.order",
  old: "e2e.refused.old",
  ahead: "e2e.refused.ahead",
  long: "e2e.refused.long",
};
const REFUSED_EDIT = {
  alias: "e2e.edit.refused.alias",
  order: "e2e.edit.refused.order",
  old: "e2e.edit.refused.old",
  ahead: "e2e.edit.refused.ahead",
  long: "e2e.edit.refused.long",
};

const isText = (value) => typeof value === "string" && value.length > 0;

/** Without a hook from the page: the new text in place of the old, unless the message was unsent. */
function updateIn(model) {
  return (id, { unsafeHtml, sealed }) => !model.get(id)?.removed && model.update(id, { unsafeHtml, sealed, edited: true });
}


/**
 * For room `roomId` with messages of at most `maxChars`: `receive(message)` opens a relayed message and
 * adds it to `model` (`onAdded()` after), or notes why not; `receiveEdit(edited)` opens a relayed edit and
 * gives the new text to `onEdited(id, {unsafeHtml})` (by default it replaces the model's, marked `edited`),
 * or notes why not; `seal(text, you)` and `sealEdit(id, text, you)` make the envelopes of what `you` (from
 * welcome) sends, and `refused(envelope)` gives back its counter after the server's refusal.
 */
export function createSealedRoom({ roomId, maxChars, model, onAdded = () => {}, onEdited = updateIn(model) }) {
  const sender = createSender();
  let receiver = null;
  let opening = Promise.resolve();

  async function open(message) {
    const alias = String(message?.alias ?? "");
    let inner;
    try {
      inner = await openMessage(messageKey(), { roomId, from: message.from }, message.e2e);
    } catch {
      model.note(sentence("e2e.undecryptable", { alias }));
      return;
    }
    const verdict = receiver.check(message, inner);
    if (verdict.missing) model.note(sentence("e2e.missing", { count: verdict.missing, alias }));
    if (!verdict.ok) {
      model.note(sentence(REFUSED[verdict.reason], { alias }));
      return;
    }
    const { id, from, ts } = message;
    if (model.add({ id, from, alias, ts, unsafeHtml: inner.t, sealed: message.e2e })) onAdded();
  }

  /**
   * History `by` a member handed over: each envelope opened for its author (an edit's for its message id too),
   * its inner alias and length checked as a message's, not its counter or time: it is old by design. What
   * cannot be opened or is refused is counted in one note.
   */
  async function openShared({ messages, by }) {
    let refused = 0;
    for (const message of messages) {
      try {
        const where = { roomId, from: message?.from, messageId: message?.id };
        if (!isText(where.from) || !isText(where.messageId)) throw new Error("e2e: not a message");
        const open = message.edited === true ? openEdit : openMessage;
        const inner = await open(messageKey(), where, message.e2e);
        if (inner.a !== message.alias || inner.t.length > HTML_CHARS_PER_CHAR * maxChars) throw new Error("e2e: refused");
        // The server rebuilt each message from the fields it may carry; the envelope is left behind, opened.
        const { e2e: _opened, ...fields } = message;
        model.add({ ...fields, unsafeHtml: inner.t, shared: by });
      } catch {
        refused += 1;
      }
    }
    if (refused) model.note(t("history.unopened", { count: refused }));
  }

  /** The alias of the newest message this page shows from participant `from`, if any. */
  function lastAliasOf(from) {
    const theirs = model.all().filter((entry) => entry.from === from && typeof entry.alias === "string");
    return theirs.at(-1)?.alias;
  }

  /**
   * An edit of a message this page shows is opened for that message's id and the author the server named
   * when it relayed the message (an `edited` naming someone else is refused), and checked against that
   * author's alias and counter. An edit of a message this page does not show changes nothing on screen,
   * but is still opened (for the author the server names) and counted, so that the author's next message
   * does not look as if one went missing, and a gap before it is still said; a refusal of it is not said,
   * there being nothing to hold back.
   */
  async function openEdited(edited) {
    const id = edited?.id;
    const shown = isText(id) ? model.get(id) : undefined;
    const original = isText(shown?.from) && typeof shown.note !== "string" ? shown : null;
    const from = original ? original.from : edited?.from;
    if (!isText(id) || !isText(from)) return;
    let inner;
    try {
      if (original && edited.from !== undefined && edited.from !== from) throw new Error("e2e: another author");
      inner = await openEdit(messageKey(), { roomId, from, messageId: id }, edited.e2e);
    } catch {
      if (original) model.note(sentence("e2e.edit.undecryptable", { alias: String(original.alias ?? "") }));
      return;
    }
    // Not shown: the name to check is the one of the author's latest message here, else the one inside.
    const alias = String((original ? original.alias : (lastAliasOf(from) ?? inner.a)) ?? "");
    const verdict = receiver.check({ from, alias, e2e: edited.e2e }, inner);
    if (verdict.missing) model.note(sentence("e2e.missing", { count: verdict.missing, alias }));
    if (!original) return;
    if (!verdict.ok) {
      model.note(sentence(REFUSED_EDIT[verdict.reason], { alias }));
      return;
    }
    onEdited(id, { unsafeHtml: inner.t, sealed: edited.e2e });
  }

  /** Open `item` after everything that came before it; a failure is said as an undecryptable message. */
  function queue(openItem, item) {
    opening = opening.then(() => openItem(item)).catch(() => model.note(t("e2e.undecryptable")));
    return opening;
  }

  /** `make(html, ts)` with `text` as the room's Markdown makes it, now; null when it cannot be sealed. */
  async function sealed(text, make) {
    try {
      return await make(toHtml(text, HTML_CHARS_PER_CHAR * maxChars), Date.now());
    } catch {
      return null;
    }
  }

  return {
    /** Start taking messages: the reader joins now, as far as the time window is concerned. */
    start() {
      receiver ??= createReceiver({ joinedAt: Date.now(), maxChars });
    },
    receive: (message) => queue(open, message),
    receiveEdit: (edited) => queue(openEdited, edited),
    receiveShared: (messages, by) => queue(openShared, { messages, by }),
    /** The envelope for `text`, or null when it is too large to seal. */
    seal: (text, you) =>
      sealed(text, (html, ts) => sender.seal({ roomId, from: you.id }, { a: you.alias, t: html, ts })),
    /** The envelope of `text` as the new text of your message `id`, or null when it is too large to seal. */
    sealEdit: (id, text, you) =>
      sealed(text, (html, ts) => sender.sealEdit({ roomId, from: you.id }, id, { a: you.alias, t: html, ts })),
    refused: (envelope) => sender.refused(envelope),
  };
}
