// Server-blind rooms, v1: the key derivation and the sealed envelopes (e2e/files.js seals files with its
// framing). WebCrypto only, no imports: the same file runs in the page and under Node's tests, and
// tests/vectors/e2e-v1.json holds it and its Python mirror (ephemeral_client/crypto.py) to the same answers.
//   K0 = PBKDF2-HMAC-SHA256(NFC(password) as UTF-8, salt S (16 bytes), iter, 32)
//   verifier = HKDF-SHA256(K0, salt = link secret L (32 bytes), "ephemeral/e2e/v1/verifier", 32)
//   message key = HKDF-SHA256(K0, salt = L, "ephemeral/e2e/v1/message", 32), AES-256-GCM
//   message: AES-GCM(iv, padded JSON {"a","t","ts"},
//            AAD = LP("ephemeral/e2e/v1/msg") ‖ LP(room id) ‖ LP(from) ‖ LP(sid) ‖ LP(u64be(n)))
//   edit:    a message's new text, sealed as a message is (same key, same padded plaintext), with AAD =
//            LP("ephemeral/e2e/v1/edit") ‖ LP(room id) ‖ LP(from) ‖ LP(message id) ‖ LP(sid) ‖ LP(u64be(n)),
//            the message id the server gave the original; n continues the sender's page-load counter
//   name_ct = iv ‖ AES-GCM(iv, name, AAD = LP("ephemeral/e2e/v1/name") ‖ LP(S)); LP(x) = u32be(len(x)) ‖ x

export const V1 = { iterMin: 600000, iterMax: 2000000, saltBytes: 16, linkSecretBytes: 32 };

const SID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BITS = 256;
// Plaintexts are padded with spaces to a multiple of this, so sizes show only to that grain.
const PAD_BYTES = 256;
// `ct` (plaintext and tag) may be at most 32 KiB: the largest padded plaintext is 127 blocks.
const MAX_PLAINTEXT_BYTES = Math.floor((32 * 1024 - TAG_BYTES) / PAD_BYTES) * PAD_BYTES;
const VERIFIER_INFO = "ephemeral/e2e/v1/verifier";
const MESSAGE_INFO = "ephemeral/e2e/v1/message";
const MESSAGE_LABEL = "ephemeral/e2e/v1/msg";
const EDIT_LABEL = "ephemeral/e2e/v1/edit";
const NAME_LABEL = "ephemeral/e2e/v1/name";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUES = new Map([...ALPHABET].map((char, value) => [char, value]));
const SPACE = 0x20;

const encoder = new TextEncoder();
// Fatal: a plaintext that is not UTF-8 is refused. ignoreBOM keeps a leading U+FEFF, which
// JSON.parse then refuses, as Python's json does.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const subtle = () => globalThis.crypto.subtle;
const random = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** Base64url without padding. */
export function b64urlEncode(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("e2e: base64url encodes bytes only");
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c += 1) out += ALPHABET[(chunk >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Strict base64url: no padding, no `+`, `/` or whitespace, and unused trailing bits zero (one spelling per value). */
export function b64urlDecode(text) {
  if (typeof text !== "string") throw new TypeError("e2e: base64url decodes strings only");
  if (text.length % 4 === 1) throw new RangeError("e2e: base64url of impossible length");
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let buffer = 0;
  let at = 0;
  for (const char of text) {
    const value = VALUES.get(char);
    if (value === undefined) throw new RangeError("e2e: not base64url");
    buffer = ((buffer << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at] = (buffer >> bits) & 0xff;
      at += 1;
    }
  }
  if (buffer & ((1 << bits) - 1)) throw new RangeError("e2e: base64url with stray trailing bits");
  return out;
}

export const newLinkSecret = () => random(V1.linkSecretBytes);
export const newSalt = () => random(V1.saltBytes);
export const newSid = () => random(SID_BYTES);

/** `value` as exactly `length` bytes: a Uint8Array, or its base64url. */
function bytesOf(value, length, label) {
  const bytes = typeof value === "string" ? b64urlDecode(value) : value;
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`e2e: ${label} must be ${length} bytes`);
  }
  return bytes;
}

/** `text` if it is a string with no lone surrogate (it has one UTF-8 form); a TypeError naming `label` if not. */
export function wellFormed(text, label) {
  if (typeof text !== "string" || /\p{Cs}/u.test(text)) throw new TypeError(`e2e: ${label} must be well-formed text`);
  return text;
}

/** The bytes of `parts` one after another. */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** LP(x) ‖ LP(y) ‖ …, LP(x) = u32be(len(x)) ‖ x; strings as UTF-8. */
export function framed(...fields) {
  return concat(
    fields.flatMap((field) => {
      const bytes = typeof field === "string" ? encoder.encode(field) : field;
      const length = new Uint8Array(4);
      new DataView(length.buffer).setUint32(0, bytes.length);
      return [length, bytes];
    }),
  );
}

/** `n` as 8 bytes, big-endian. */
export function u64be(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

const isCounter = (n) => Number.isSafeInteger(n) && n >= 0;

function messageAad(roomId, from, sid, n) {
  return framed(MESSAGE_LABEL, wellFormed(roomId, "room id"), wellFormed(from, "from"), sid, u64be(n));
}

function editAad(roomId, from, messageId, sid, n) {
  const original = wellFormed(messageId, "message id");
  return framed(EDIT_LABEL, wellFormed(roomId, "room id"), wellFormed(from, "from"), original, sid, u64be(n));
}

/**
 * The verifier (sent instead of the password) and the message key (AES-256-GCM, not extractable) for a
 * password, the room's salt and iteration count, and the link secret. Salt and link secret are bytes or
 * their base64url. PBKDF2 runs as one WebCrypto call, which cannot report how far it is, so `onProgress`
 * hears phases only: "deriving", then "done".
 */
export async function deriveKeys(password, salt, iter, linkSecret, onProgress) {
  const secret = encoder.encode(wellFormed(password, "password").normalize("NFC"));
  if (secret.length === 0) throw new RangeError("e2e: the password must not be empty");
  const saltBytes = bytesOf(salt, V1.saltBytes, "salt");
  const link = bytesOf(linkSecret, V1.linkSecretBytes, "link secret");
  if (!Number.isSafeInteger(iter) || iter < V1.iterMin || iter > V1.iterMax) {
    throw new RangeError(`e2e: iter must be ${V1.iterMin} to ${V1.iterMax}`);
  }
  onProgress?.("deriving");
  const passwordKey = await subtle().importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
  const pbkdf2 = { name: "PBKDF2", hash: "SHA-256", salt: saltBytes, iterations: iter };
  const k0 = new Uint8Array(await subtle().deriveBits(pbkdf2, passwordKey, KEY_BITS));
  secret.fill(0);
  const base = await subtle().importKey("raw", k0, "HKDF", false, ["deriveBits", "deriveKey"]);
  k0.fill(0);
  const hkdf = (info) => ({ name: "HKDF", hash: "SHA-256", salt: link, info: encoder.encode(info) });
  const verifier = new Uint8Array(await subtle().deriveBits(hkdf(VERIFIER_INFO), base, KEY_BITS));
  // deriveKey: the message key's bytes never exist as a JavaScript value.
  const aesGcm = { name: "AES-GCM", length: KEY_BITS };
  const messageKey = await subtle().deriveKey(hkdf(MESSAGE_INFO), base, aesGcm, false, ["encrypt", "decrypt"]);
  onProgress?.("done");
  return { verifier: b64urlEncode(verifier), messageKey };
}

/** A plaintext: `{"a","t","ts"}` as JSON in UTF-8, space-padded to the next multiple of 256 (a multiple stays). */
function padded(a, t, ts) {
  if (typeof a !== "string" || typeof t !== "string") throw new TypeError("e2e: a and t must be text");
  if (!Number.isSafeInteger(ts)) throw new TypeError("e2e: ts must be an integer of milliseconds");
  const json = encoder.encode(JSON.stringify({ a, t, ts }));
  const size = Math.ceil(json.length / PAD_BYTES) * PAD_BYTES;
  if (size > MAX_PLAINTEXT_BYTES) throw new RangeError("e2e: the message is too large to seal");
  const out = new Uint8Array(size).fill(SPACE);
  out.set(json);
  return out;
}

async function encrypt(key, iv, plaintext, aad) {
  const ct = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext);
  return new Uint8Array(ct);
}

async function seal(messageKey, aadOf, { sid, n }, { a, t, ts }, options) {
  const sidBytes = bytesOf(sid, SID_BYTES, "sid");
  if (!isCounter(n)) throw new RangeError("e2e: n must be an integer 0 to 2^53-1");
  const aad = aadOf(sidBytes, n);
  const iv = options.iv === undefined ? random(IV_BYTES) : bytesOf(options.iv, IV_BYTES, "iv");
  const ct = await encrypt(messageKey, iv, padded(a, t, ts), aad);
  return { v: 1, sid: b64urlEncode(sidBytes), n, iv: b64urlEncode(iv), ct: b64urlEncode(ct) };
}

/**
 * The envelope `{v: 1, sid, n, iv, ct}` (binary fields base64url) of one message from participant `from`
 * in room `roomId`, page-load id `sid` (8 bytes) and counter `n`. A fresh random iv each time; `options.iv`
 * exists only so that the interop vectors can be reproduced.
 */
export async function sealMessage(messageKey, { roomId, from, sid, n }, { a, t, ts }, options = {}) {
  return seal(messageKey, (sidBytes) => messageAad(roomId, from, sidBytes, n), { sid, n }, { a, t, ts }, options);
}

/**
 * The envelope of the new text of message `messageId` (the id the server gave it), from its author `from`:
 * as sealMessage's, bound to that id under the edit label. `n` continues the page load's counter, which
 * its messages and edits share.
 */
export async function sealEdit(messageKey, { roomId, from, messageId, sid, n }, { a, t, ts }, options = {}) {
  const aadOf = (sidBytes) => editAad(roomId, from, messageId, sidBytes, n);
  return seal(messageKey, aadOf, { sid, n }, { a, t, ts }, options);
}

function parsedMessage(plaintext) {
  if (plaintext.length === 0 || plaintext.length % PAD_BYTES !== 0) throw new Error("e2e: plaintext not padded");
  const value = JSON.parse(decoder.decode(plaintext));
  if (value === null || typeof value !== "object") throw new Error("e2e: not an object");
  const { a, t, ts } = value;
  if (typeof a !== "string" || typeof t !== "string" || typeof ts !== "number" || !Number.isFinite(ts)) {
    throw new Error("e2e: not a message");
  }
  return { a, t, ts };
}

async function open(messageKey, aadOf, envelope) {
  try {
    const { v, sid, n, iv, ct } = envelope;
    if (v !== 1 || !isCounter(n)) throw new Error("e2e: unknown envelope");
    const ctBytes = b64urlDecode(ct);
    const aad = aadOf(bytesOf(sid, SID_BYTES, "sid"), n);
    const algorithm = { name: "AES-GCM", iv: bytesOf(iv, IV_BYTES, "iv"), additionalData: aad };
    return parsedMessage(new Uint8Array(await subtle().decrypt(algorithm, messageKey, ctBytes)));
  } catch {
    throw new Error("e2e: the message could not be opened");
  }
}

/**
 * `{a, t, ts}` from an envelope relayed by the server, checked against the room this page is in and the
 * sender the server named (`from`): any change to either, to sid or n, or to a bit of iv or ct, throws.
 * Extra fields in the plaintext are ignored. Throws one plain Error for every failure.
 */
export async function openMessage(messageKey, { roomId, from }, envelope) {
  return open(messageKey, (sid, n) => messageAad(roomId, from, sid, n), envelope);
}

/**
 * The new `{a, t, ts}` of message `messageId` from a relayed edit, checked against this room, the message's
 * author `from` and its id: an edit of another message, by another author or in another room throws, and
 * so does a message's envelope (and an edit's is refused by openMessage). Otherwise as openMessage.
 */
export async function openEdit(messageKey, { roomId, from, messageId }, envelope) {
  return open(messageKey, (sid, n) => editAad(roomId, from, messageId, sid, n), envelope);
}

/** `name_ct` for the room's name: base64url(iv ‖ ciphertext ‖ tag), bound to the room's salt. */
export async function sealName(messageKey, salt, name, options = {}) {
  const aad = framed(NAME_LABEL, bytesOf(salt, V1.saltBytes, "salt"));
  const iv = options.iv === undefined ? random(IV_BYTES) : bytesOf(options.iv, IV_BYTES, "iv");
  const ct = await encrypt(messageKey, iv, encoder.encode(wellFormed(name, "name")), aad);
  return b64urlEncode(concat([iv, ct]));
}

/** The room's name from `name_ct`; throws on a wrong key (wrong password or link), salt or any altered bit. */
export async function openName(messageKey, salt, nameCt) {
  try {
    const aad = framed(NAME_LABEL, bytesOf(salt, V1.saltBytes, "salt"));
    const bytes = b64urlDecode(nameCt);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error("e2e: name_ct too short");
    const algorithm = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: aad };
    return decoder.decode(await subtle().decrypt(algorithm, messageKey, bytes.subarray(IV_BYTES)));
  } catch {
    throw new Error("e2e: the name could not be opened");
  }
}
