// Sending from the composer: a new message, a reply, or an edit of one's own, as typed in a standard room or
// sealed in a server-blind one, and what the page makes of the server's answer. Sealed sends and edits go
// one at a time, so the page load's counter stays in order; one the server refused gives its counter back.
import { errorText, t } from "../catalog.js";
import { isLive } from "./changes.js";
import { setUpComposer } from "./composer.js";
import { showComposerError, showComposerNotice } from "./status.js";

/**
 * Wire the composer to the room. `connection()` and `you()` are the live connection and this page's
 * participant (null before `welcome`); `sealed` is the server-blind room (e2e/room.js) or null; `model` keeps
 * the source text of what this page sends, for editing; `composeMode` says whether a send is new, a reply
 * or an edit; `typing.stop()` is called on every send.
 */
export function setUpSending({ view, maxChars, model, sealed, connection, you, composeMode, typing }) {
  let waitTimer = 0;

  /** After `rate_limited`, count down beside Send to when sending is allowed again, then take the note away. */
  function waitBeforeSending(seconds) {
    clearTimeout(waitTimer);
    if (seconds <= 0) {
      showComposerNotice("", "wait");
      return;
    }
    showComposerNotice(t("composer.wait", { count: seconds }), "wait");
    waitTimer = setTimeout(() => waitBeforeSending(seconds - 1), 1000);
  }

  let sending = Promise.resolve();
  /** Seal with `seal(me)` and pass the envelope to `deliver`, after every earlier sealed send was answered. */
  function inTurn(text, seal, deliver) {
    if ([...text].length > maxChars) return Promise.resolve({ ok: false, error: "too_large" });
    const turn = sending.then(async () => {
      const me = you();
      const envelope = me ? await seal(me) : null;
      if (!envelope) return me ? { ok: false, error: "too_large" } : { ok: false, error: "offline" };
      const ack = await deliver(envelope);
      // Refused, or never sent: the server passed nothing on, so the counter goes back (a lost ack keeps it).
      if (!ack?.ok && ack?.error !== "timeout") sealed.refused(envelope);
      return ack;
    });
    sending = turn.catch(() => {});
    return turn;
  }

  function sendText(text, replyTo) {
    if (!sealed) return connection().send(text, replyTo);
    return inTurn(
      text,
      (me) => sealed.seal(text, me),
      (envelope) => connection().sendSealed(envelope, replyTo),
    );
  }

  function editText(id, text) {
    if (!sealed) return connection().edit(id, text);
    return inTurn(
      text,
      (me) => sealed.sealEdit(id, text, me),
      (envelope) => connection().editSealed(id, envelope),
    );
  }

  /** Words for a refused send in `mode`; the server's English `message` is never shown. */
  function failure(mode, ack) {
    if (mode.kind === "edit" && ack?.error === "forbidden") return t("actions.not_yours");
    if (mode.kind === "reply" && ack?.error === "invalid" && !isLive(model.get(mode.id))) return t("reply.gone_error");
    return errorText(ack?.error, { max: maxChars });
  }

  setUpComposer({
    view,
    maxChars,
    async send(text) {
      const mode = composeMode.take();
      typing.stop();
      const ack = mode.kind === "edit" ? await editText(mode.id, text) : await sendText(text, mode.id ?? null);
      const ok = Boolean(ack?.ok);
      if (ok) {
        model.keepSource(mode.kind === "edit" ? mode.id : ack.id, text);
        composeMode.done(mode);
      } else if (!(mode.kind === "reply" && !isLive(model.get(mode.id)))) {
        composeMode.restore(mode); // a reply to a message that is gone is sent, if at all, as a new one
      }
      if (ack?.error === "rate_limited") {
        showComposerError("");
        waitBeforeSending(Math.max(1, Math.ceil(Number(ack.retry_after) || 1)));
      } else {
        showComposerError(ok ? "" : failure(mode, ack));
      }
      return ok;
    },
  });
}
