// The keys of this page's server-blind room, in memory only: never in storage, never in a URL the page
// sends, gone with the page. A page that joined or created the room in place (navigate.js) hands its keys
// to the chat through this module; a reload starts without them and asks for the password again.
import { b64urlDecode, deriveKeys, newSid, openName, sealEdit, sealMessage } from "./crypto.js";

let held = null; // { messageKey, name } once the password and link opened the room's name

/** The link secret from a `#k=<base64url>` fragment, or null when it is missing or not 32 bytes. */
export function linkSecretFrom(hash) {
  const match = /^#k=([A-Za-z0-9_-]{43})$/.exec(hash);
  if (!match) return null;
  try {
    return b64urlDecode(match[1]);
  } catch {
    return null;
  }
}

/** The room's key derivation, `{alg, iter, salt}` from a data attribute; null when it is not one this page can use. */
export function kdfFrom(text) {
  try {
    const kdf = JSON.parse(text);
    if (kdf?.alg !== "pbkdf2-sha256" || !Number.isSafeInteger(kdf.iter) || typeof kdf.salt !== "string") return null;
    return kdf;
  } catch {
    return null;
  }
}

/**
 * Derive the keys for `password` and the link's secret, and check them on the room's sealed name:
 * resolves `{verifier, name}` and holds the message key, or rejects when the name does not open (a wrong
 * password or link). `onProgress` hears the derivation's phases.
 */
export async function unlock({ password, kdf, linkSecret, nameCt, onProgress }) {
  const { verifier, messageKey } = await deriveKeys(password, kdf.salt, kdf.iter, linkSecret, onProgress);
  const name = await openName(messageKey, kdf.salt, nameCt);
  held = { messageKey, name };
  return { verifier, name };
}

/** Hold a message key and the room's name the page has from elsewhere (a create, a join's answer). */
export function hold(messageKey, name) {
  held = { messageKey, name };
}

/** Forget the keys (leaving, a purge, a wrong name after a reconnect). */
export function forget() {
  held = null;
}

export const unlocked = () => held !== null;
export const messageKey = () => held?.messageKey ?? null;
export const roomName = () => held?.name ?? null;

/**
 * A sender for one page load: a random `sid` and a counter from 0, so readers can tell a gap, a replay and
 * a reordering apart. `seal(ids, body)` returns the next envelope, and `sealEdit(ids, messageId, body)` the
 * next one of an edit of message `messageId`: messages and edits share the counter. Sends go one at a time
 * (chat.js waits for each ack), so an envelope the server refused gives its `n` back (`refused(envelope)`)
 * and readers see no gap; one whose ack never came keeps it, since the server may have passed it on. One
 * that could not be sealed (too large) gives its `n` back at once.
 */
export function createSender() {
  const sid = newSid();
  let next = 0;

  async function sealNext(make) {
    const n = next;
    next += 1;
    try {
      return await make(n);
    } catch (error) {
      if (next === n + 1) next = n;
      throw error;
    }
  }

  return {
    seal: ({ roomId, from }, body) => sealNext((n) => sealMessage(messageKey(), { roomId, from, sid, n }, body)),
    sealEdit: ({ roomId, from }, messageId, body) =>
      sealNext((n) => sealEdit(messageKey(), { roomId, from, messageId, sid, n }, body)),
    refused(envelope) {
      if (next === envelope.n + 1) next = envelope.n;
    },
  };
}
