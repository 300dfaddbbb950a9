// History from peers, in a room that chose it: when someone arrives, one page of those already here hands them
// the messages it still shows, through the server, which keeps none of them; the newcomer shows them as shared
// by that person and not verified by the server. Every page picks the same sharer from presence, and the
// newcomer takes history only from the one it expects, once per welcome and soon after it.
// No DOM here, so Node tests drive it; chat.js wires it.
import { sentence } from "./bidi.js";
import { HOST } from "./roles.js";

/** Messages handed on at most: the server refuses more. */
export const HISTORY_MAX = 50;
/** A newcomer takes history this long after its welcome, and only once. */
export const ACCEPT_MS = 60_000;

const isId = (value) => typeof value === "string" && value.length > 0;
const utf8 = new TextEncoder();

/** Who hands `newcomerId` history: of the others in `participants`, a host first, then the lowest id. */
export function sharerFor(participants, newcomerId) {
  const others = (participants ?? []).filter((someone) => isId(someone?.id) && someone.id !== newcomerId);
  const rank = (someone) => (someone.role === HOST ? 0 : 1);
  others.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return others[0]?.id ?? null;
}

/** A model entry as handed on, or null: a note, an unsent message, or one this page was itself handed. */
function sharedItem(message, left) {
  if (!message || typeof message.note === "string" || message.removed || message.shared !== undefined) return null;
  const body =
    typeof message.html === "string" ? { html: message.html } : message.sealed ? { e2e: message.sealed } : null;
  if (!body || !isId(message.id) || !isId(message.from)) return null;
  const item = { id: message.id, from: message.from, alias: message.alias, ts: message.ts, ...body };
  if (message.edited) item.edited = true;
  if (isId(message.reply_to)) item.reply_to = message.reply_to;
  if (Number.isFinite(left)) item.left = Math.max(0, Math.floor(left));
  return item;
}

/**
 * What this page hands a newcomer of `entries` (the model's, oldest first): the newest messages it got itself,
 * at most HISTORY_MAX, as many as fit `maxBytes` of JSON, oldest first. `leftOf(id)` is how long a message has
 * left on this screen in ms (undefined: it stays).
 */
export function historyOf(entries, { leftOf = () => undefined, maxBytes = Infinity } = {}) {
  const items = [];
  let bytes = 64; // the event's name and `to`
  for (let i = entries.length - 1; i >= 0 && items.length < HISTORY_MAX; i -= 1) {
    const item = sharedItem(entries[i], leftOf(entries[i]?.id));
    if (!item) continue;
    bytes += utf8.encode(JSON.stringify(item)).length + 1;
    if (bytes > maxBytes) break;
    items.push(item);
  }
  return items.reverse();
}

/**
 * For one chat page: `model`, `sealed` (a server-blind room's, else null), `rules()` the room's state, `youId()`,
 * `connection()` (its `shareHistory(to, messages)` sends `share_history`), `forgetting` (its `leftOf(id)`),
 * `maxBytes` (the server's frame), `now()`. Returns `welcomed(participants)`, `arrived(participants, id)` and
 * `received(payload)`.
 */
export function setUpHistory({ model, sealed, rules, youId, connection, forgetting, maxBytes, now = Date.now }) {
  let expected = null; // {from, until}: the one history this page takes

  /** Add what was handed over, marked as shared by `by`; a server-blind room opens each envelope first. */
  function take(messages, by) {
    model.note(sentence("history.shared", { alias: by, count: messages.length }));
    if (sealed) return sealed.receiveShared(messages, by);
    for (const message of messages) model.add({ ...message, shared: by });
    return Promise.resolve();
  }

  return {
    /** This page joined (or came back): expect history from the member chosen for it, if the room shares it. */
    welcomed(participants) {
      const from = rules()?.history ? sharerFor(participants, youId()) : null;
      expected = from ? { from, until: now() + ACCEPT_MS } : null;
    },
    /** Presence shows `id` arrive: the page chosen to hand them history does; true if it sent any. */
    async arrived(participants, id) {
      if (!rules()?.history || id === youId() || sharerFor(participants, id) !== youId()) return false;
      const messages = historyOf(model.all(), { leftOf: forgetting.leftOf, maxBytes });
      if (!messages.length) return false;
      return Boolean((await connection().shareHistory(id, messages))?.ok);
    },
    /** `history` from the server: taken once, from the member expected, in time; anything else is ignored. */
    received(payload) {
      const messages = payload?.messages;
      if (!expected || payload.from !== expected.from || now() > expected.until || !Array.isArray(messages)) {
        return Promise.resolve(false);
      }
      expected = null;
      return take(messages, String(payload.alias ?? "")).then(() => true);
    },
  };
}
