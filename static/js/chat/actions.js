// What a message's actions do, and what the room says of them: react and unsend ask the server (reply and edit
// go through the composer, chat/sending.js), and `edited`, `unsent` and `reactions` change the model, which
// the screen follows. In a server-blind room they wait for the messages still being opened before them, so
// an unsend or a reaction never reaches a message before the message itself does.
import { errorText, t } from "../catalog.js";
import { applyEdit, applyReactions, applyUnsent, offered } from "./changes.js";
import { setUpMessageMenu } from "./message_menu.js";

/**
 * Wire the actions. `connection()` is the live connection; `youId()` this page's participant id and
 * `canWrite()` whether it may write here; `sealed` the server-blind room or null; `composeMode` the
 * composer's mode; `quoteOf(message)` a reply's short quote; `jumpTo(id)` shows a message; `confirmUnsend()`
 * asks first; `showError(text)` says a failure ("" clears it). Returns the room's events (`edited`,
 * `unsent`, `reactions`), `opening(promise)` for each server-blind message being opened, and `drawn` for
 * the renderer.
 */
export function setUpActions(options) {
  const { model, list, connection, youId, canWrite, sealed, composeMode, quoteOf, jumpTo, confirmUnsend, showError } =
    options;
  let opened = Promise.resolve(); // the last server-blind message being opened

  /** Run `change` once every message that came before it is in the model. */
  const inOrder = (change) => {
    if (!sealed) return change();
    opened = opened.then(change, change);
    return opened;
  };

  function answered(ack) {
    if (ack?.ok) showError("");
    else if (ack?.error === "forbidden") showError(t("actions.not_yours"));
    else if (ack?.error === "invalid") showError(t("actions.gone"));
    else showError(errorText(ack?.error));
    return Boolean(ack?.ok);
  }

  const offeredFor = (id) => offered(model.get(id), { youId: youId(), canWrite: canWrite(), source: model.sourceOf(id) });
  const reactedWith = (id) =>
    Object.entries(model.get(id)?.reactions ?? {})
      .filter(([, ids]) => ids.includes(youId()))
      .map(([emoji]) => emoji);

  async function act(action, id, emoji) {
    const message = model.get(id);
    const can = offeredFor(id);
    if (action === "react" && can.react) {
      const ack = await connection().react(id, emoji);
      if (answered(ack)) applyReactions(model, id, ack.reactions);
    } else if (action === "reply" && can.reply) {
      composeMode.replyTo(id, message.alias, quoteOf(message));
    } else if (action === "edit" && can.edit) {
      composeMode.edit(id, model.sourceOf(id));
    } else if (action === "unsend" && can.unsend && (await confirmUnsend())) {
      if (answered(await connection().unsend(id))) {
        composeMode.forget(id);
        applyUnsent(model, { id });
      }
    }
  }

  const menu = setUpMessageMenu({ list, offeredFor, reactedWith, act, jumpTo });

  return {
    drawn: menu.drawn,
    close: menu.close,
    opening(promise) {
      opened = opened.then(() => promise).catch(() => {});
    },
    edited(payload) {
      const id = payload?.id;
      if (typeof id !== "string") return;
      if (sealed) inOrder(() => sealed.receiveEdit(payload));
      else applyEdit(model, id, { html: payload.html });
    },
    unsent(payload) {
      inOrder(() => {
        composeMode.forget(payload?.id);
        applyUnsent(model, payload);
      });
    },
    reactions(payload) {
      inOrder(() => applyReactions(model, payload?.id, payload?.reactions));
    },
  };
}
