// The chat page's side of a server-blind room: sealing what this page sends, and opening and checking what
// arrives before it may enter the message model. Whatever is refused is said in the conversation, so a
// reader sees that something was held back and why (a malicious relay cannot drop or replay unseen).
import { t } from "../catalog.js";
import { openMessage } from "./crypto.js";
import { toHtml } from "./markdown.js";
import { HTML_CHARS_PER_CHAR, createReceiver } from "./receive.js";
import { createSender, messageKey } from "./session.js";

// The words for each refusal of receive.js, by its reason.
const REFUSED = {
  alias: "e2e.refused.alias",
  order: "e2e.refused.order",
  old: "e2e.refused.old",
  ahead: "e2e.refused.ahead",
  long: "e2e.refused.long",
};

/**
 * For room `roomId` with messages of at most `maxChars`: `receive(message)` opens a relayed message and
 * adds it to `model` (`onAdded()` after), or notes why not; `seal(text, you)` makes the envelope of what
 * `you` (from welcome) typed, and `refused(envelope)` gives back its counter after the server's refusal.
 * Messages are opened one after another, in the order they came.
 */
export function createSealedRoom({ roomId, maxChars, model, onAdded }) {
  const sender = createSender();
  let receiver = null;
  let opening = Promise.resolve();

  async function open(message) {
    const alias = String(message?.alias ?? "");
    let inner;
    try {
      inner = await openMessage(messageKey(), { roomId, from: message.from }, message.e2e);
    } catch {
      model.note(t("e2e.undecryptable", { alias }));
      return;
    }
    const verdict = receiver.check(message, inner);
    if (verdict.missing) model.note(t("e2e.missing", { count: verdict.missing, alias }));
    if (!verdict.ok) {
      model.note(t(REFUSED[verdict.reason], { alias }));
      return;
    }
    const { id, from, ts } = message;
    if (model.add({ id, from, alias, ts, unsafeHtml: inner.t })) onAdded();
  }

  return {
    /** Start taking messages: the reader joins now, as far as the time window is concerned. */
    start() {
      receiver ??= createReceiver({ joinedAt: Date.now(), maxChars });
    },
    receive(message) {
      opening = opening.then(() => open(message)).catch(() => model.note(t("e2e.undecryptable")));
      return opening;
    },
    /** The envelope for `text`, or null when it is too large to seal. */
    async seal(text, you) {
      const html = toHtml(text, HTML_CHARS_PER_CHAR * maxChars);
      try {
        return await sender.seal({ roomId, from: you.id }, { a: you.alias, t: html, ts: Date.now() });
      } catch {
        return null;
      }
    },
    refused: (envelope) => sender.refused(envelope),
  };
}
