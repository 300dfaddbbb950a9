// What the room's `edited`, `unsent` and `reactions` events change in the message model, and what the
// renderer draws from a message's state (its reactions, a reply's quote). Pure (no DOM), so Node tests check
// it. Identity is the participant id: whose reaction, whose message, never by alias.

/** The emoji a message can get, in the order they are offered and counted: the server's REACTIONS. */
export const REACTIONS = Object.freeze(["👍", "❤️", "😂", "😮", "😢", "🙏", "👎", "🔥"]);
/** A reply's quote of its original, at most this many characters of its text. */
export const QUOTE_CHARS = 80;
const MAX_IDS = 1000; // reacting ids kept per emoji at most: a room has far fewer people

const isId = (value) => typeof value === "string" && value.length > 0;

/**
 * A `reactions` payload as the page keeps it: known emoji only, in REACTIONS order, each with its participant
 * ids (strings, once each, in the order they reacted); an emoji nobody holds is left out. Anything else is
 * dropped, so a malformed payload shows no reactions rather than breaking the entry.
 */
export function cleanReactions(value) {
  const clean = {};
  if (!value || typeof value !== "object" || Array.isArray(value)) return Object.freeze(clean);
  for (const emoji of REACTIONS) {
    const ids = Object.hasOwn(value, emoji) && Array.isArray(value[emoji]) ? value[emoji] : [];
    const kept = [...new Set(ids.filter(isId))].slice(0, MAX_IDS);
    if (kept.length) clean[emoji] = Object.freeze(kept);
  }
  return Object.freeze(clean);
}

/** The chips under a message, per emoji someone holds: `{emoji, ids, count, mine}`, `mine` when `youId` is in. */
export function reactionChips(reactions, youId) {
  return Object.entries(reactions ?? {}).map(([emoji, ids]) => ({
    emoji,
    ids,
    count: ids.length,
    mine: youId != null && ids.includes(youId),
  }));
}

/** A quote's words: white space folded, cut to `max` characters (whole code points) with "…". */
export function shortQuote(text, max = QUOTE_CHARS) {
  const folded = String(text).replace(/\s+/g, " ").trim();
  const chars = [...folded];
  return chars.length <= max ? folded : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/**
 * What a reply shows of the message it answers, from the model's copy: `{state: "shown", alias, id}` (the
 * renderer adds the quote's text), `{state: "removed", alias}` when it was unsent, `{state: "gone"}` when this
 * page does not have it (it came before this page, or the model let it go).
 */
export function replyTarget(model, replyTo) {
  const original = isId(replyTo) ? model.get(replyTo) : undefined;
  if (!original || typeof original.note === "string") return { state: "gone" };
  if (original.removed) return { state: "removed", alias: original.alias };
  return { state: "shown", alias: original.alias, id: original.id };
}

/** A message this page may still act on: a message (not a note) that was not unsent. */
export const isLive = (message) =>
  Boolean(message) && typeof message.note !== "string" && !message.removed && !message.file;

/**
 * `edited` in a standard room: the server's new sanitized `html` in place of the old, marked edited.
 * `body` is `{html}` or, for a server-blind room's opened edit, `{unsafeHtml, sealed}` (its envelope, kept for
 * history from peers). False if the page does not have the message, it was unsent, or the body is not text.
 */
export function applyEdit(model, id, body) {
  if (!isLive(model.get(id))) return false;
  if (typeof body?.html === "string") return model.update(id, { html: body.html, edited: true });
  if (typeof body?.unsafeHtml === "string") {
    return model.update(id, { unsafeHtml: body.unsafeHtml, sealed: body.sealed, edited: true });
  }
  return false;
}

/**
 * `unsent`: the message keeps its place and its author, and loses everything it said (its text, its quote,
 * its reactions, the source text the model kept for editing): what is left draws as "Message removed".
 */
export function applyUnsent(model, payload) {
  const id = payload?.id;
  const message = isId(id) ? model.get(id) : undefined;
  if (!isLive(message)) return false;
  const { from, alias, ts } = message;
  return model.replace(id, { from, alias, ts, removed: true });
}

/** `reactions` (or a `react` ack): the message's reactions as the server counts them now. */
export function applyReactions(model, id, reactions) {
  if (!isId(id) || !isLive(model.get(id))) return false;
  return model.update(id, { reactions: cleanReactions(reactions) });
}

/**
 * What the actions menu offers on `message` for this page: react on any live message; reply where this page
 * may write; edit (when the model kept its source text) and unsend on one's own.
 */
export function offered(message, { youId, canWrite, source }) {
  const live = isLive(message);
  const mine = live && youId != null && message.from === youId;
  return Object.freeze({
    react: live,
    reply: live && Boolean(canWrite),
    edit: mine && Boolean(canWrite) && typeof source === "string",
    unsend: mine,
  });
}

/**
 * A server-blind room's messages enter the model through e2e/room.js once opened; the server's `reply_to`,
 * outside the envelope, waits here by message id until then. Returns `model` for e2e/room.js (its `add`
 * puts the reply_to back), `expect(message)` as a relayed message arrives, and `done(id)` once it was opened
 * or refused.
 */
export function carryReplies(model) {
  const replies = new Map();
  return {
    model: Object.freeze({
      ...model,
      add(message) {
        const replyTo = replies.get(message?.id);
        replies.delete(message?.id);
        return model.add(isId(replyTo) ? { ...message, reply_to: replyTo } : message);
      },
    }),
    expect(message) {
      if (isId(message?.id) && isId(message.reply_to)) replies.set(message.id, message.reply_to);
    },
    done: (id) => replies.delete(id),
  };
}
