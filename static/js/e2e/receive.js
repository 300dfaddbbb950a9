// What a reader in a server-blind room checks once a message opened, before it is shown. Pure (no DOM, no
// crypto), so Node tests drive it; chat.js opens the envelope first (a failure there is "could not be
// decrypted") and then asks this module. The order is the protocol's: the inner alias, the counter, the
// time, then the length; sanitizing comes last, in sanitize.js.

/** A message written this long before the reader joined is a replay of an older conversation. */
export const PAST_SKEW_MS = 30_000;
/** A message dated this far ahead of the reader's clock is refused too: it could be replayed later. */
export const FUTURE_SKEW_MS = 120_000;
/**
 * The longest `t` a reader takes, in characters per character a message may have: what the sender's
 * Markdown makes of the longest message fits (markdown.js falls back to escaped text, at most 5 per character).
 */
export const HTML_CHARS_PER_CHAR = 8;
/** Senders (participant id and page load) remembered at most; past it the longest unheard goes. */
export const MAX_SENDERS = 1000;

/**
 * A reader's checks for one page: `joinedAt` is when this page joined (ms, its own clock), `maxChars` the
 * room's message limit, `now()` the clock. `check(outer, inner)` takes the server's `{from, alias, e2e: {sid,
 * n}}` and the opened `{a, t, ts}` and answers `{ok: true, missing}` (`missing`: how many of this sender's
 * messages never arrived before this one) or `{ok: false, reason}`, reason one of "alias" (the name inside is
 * not the sender's), "order" (already seen, or out of order), "old" (written before the reader joined), "ahead"
 * (dated in the future), "long". Only a message that passes the counter and the time moves the counter on.
 */
export function createReceiver({ joinedAt, maxChars, now = Date.now }) {
  const lastSeen = new Map(); // `${from} ${sid}` -> the highest n taken; insertion order is last heard
  const maxHtml = HTML_CHARS_PER_CHAR * maxChars;

  function remember(key, n) {
    lastSeen.delete(key);
    lastSeen.set(key, n);
    if (lastSeen.size > MAX_SENDERS) lastSeen.delete(lastSeen.keys().next().value);
  }

  return {
    check(outer, inner) {
      if (inner.a !== outer.alias) return { ok: false, reason: "alias" };
      const { sid, n } = outer.e2e;
      // A space cannot be in a participant id or in base64url, so the key names one sender's one page load.
      const key = `${outer.from} ${sid}`;
      const last = lastSeen.get(key);
      if (last !== undefined && n <= last) return { ok: false, reason: "order" };
      if (inner.ts < joinedAt - PAST_SKEW_MS) return { ok: false, reason: "old" };
      if (inner.ts > now() + FUTURE_SKEW_MS) return { ok: false, reason: "ahead" };
      remember(key, n);
      const missing = last === undefined ? 0 : n - last - 1;
      if (inner.t.length > maxHtml) return { ok: false, reason: "long", missing };
      return { ok: true, missing };
    },
  };
}
