// Server-blind rooms, v1: files, sealed in the page with the room's message key (crypto.js says how it is
// derived). The server relays sealed bytes only: it sees a file's size, its chunk count and its sender, never
// its name, type or content. tests/vectors/e2e-files-v1.json holds this file and its Python mirror
// (ephemeral_client/file_crypto.py) to the same answers.
//   a file is size ≥ 1 bytes, cut into chunks = ceil(size / 32768) chunks of 32768 bytes, the last one shorter;
//   its id is 16 random bytes the sender picks, written as base64url (22 characters), and the AADs hold those bytes
//   meta:    AES-GCM(iv, JSON {"name","type"} in UTF-8, space-padded to the next multiple of 256, at most 1024,
//            AAD = LP("ephemeral/e2e/v1/file") ‖ LP(room id) ‖ LP(from) ‖ LP(file id) ‖ LP(u64be(size)) ‖
//            LP(u64be(chunks)))
//   chunk i: AES-GCM(iv, the chunk's bytes, AAD = LP("ephemeral/e2e/v1/chunk") ‖ LP(room id) ‖ LP(from) ‖
//            LP(file id) ‖ LP(u64be(i)) ‖ LP(u64be(chunks)))
//   sealed = base64url(iv (12 random bytes) ‖ ciphertext ‖ tag); LP(x) = u32be(len(x)) ‖ x

import { concat, framed, u64be, wellFormed } from "./crypto.js";

export const CHUNK_BYTES = 32768;
export const SEALED_EXTRA = 28;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FILE_ID_BYTES = 16;
// The meta is padded as messages are, so a name's length shows only to that grain.
const PAD_BYTES = 256;
const MAX_META_BYTES = 1024;
const META_LABEL = "ephemeral/e2e/v1/file";
const CHUNK_LABEL = "ephemeral/e2e/v1/chunk";
const REFUSED = "e2e: the file could not be opened";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL = /^[A-Za-z0-9_-]*$/;
// String.fromCharCode takes its bytes as arguments, and engines cap how many a call may have.
const BLOCK_BYTES = 8192;
const SPACE = 0x20;

const encoder = new TextEncoder();
// Fatal: a meta that is not UTF-8 is refused. ignoreBOM keeps a leading U+FEFF, which JSON.parse refuses.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const subtle = () => globalThis.crypto.subtle;
const random = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** Base64url without padding, as crypto.js's b64urlEncode, through btoa: a whole chunk in one call. */
export function b64urlEncodeFast(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("e2e: base64url encodes bytes only");
  const blocks = [];
  for (let at = 0; at < bytes.length; at += BLOCK_BYTES) {
    blocks.push(String.fromCharCode.apply(null, bytes.subarray(at, at + BLOCK_BYTES)));
  }
  return btoa(blocks.join("")).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Strict base64url through atob, refusing what crypto.js's b64urlDecode refuses (atob alone forgives more). */
export function b64urlDecodeFast(text) {
  if (typeof text !== "string") throw new TypeError("e2e: base64url decodes strings only");
  if (!BASE64URL.test(text)) throw new RangeError("e2e: not base64url");
  if (text.length % 4 === 1) throw new RangeError("e2e: base64url of impossible length");
  // A last group of 2 or 3 characters ends in 4 or 2 bits that make no byte: zero, so each value has one spelling.
  const unused = { 0: 0, 2: 0x0f, 3: 0x03 }[text.length % 4];
  if (text.length > 0 && ALPHABET.indexOf(text.at(-1)) & unused) {
    throw new RangeError("e2e: base64url with stray trailing bits");
  }
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

/** A new file id: 16 random bytes as base64url, 22 characters. */
export const newFileId = () => b64urlEncodeFast(random(FILE_ID_BYTES));

const isCount = (n, least) => Number.isSafeInteger(n) && n >= least;

/** How many chunks a file of `size` bytes (1 to 2^53-1) is cut into. */
export function chunkCount(size) {
  if (!isCount(size, 1)) throw new RangeError("e2e: a file's size must be an integer 1 to 2^53-1");
  return Math.ceil(size / CHUNK_BYTES);
}

function fileIdBytes(fileId) {
  const bytes = typeof fileId === "string" ? b64urlDecodeFast(fileId) : null;
  if (bytes?.length !== FILE_ID_BYTES) throw new RangeError("e2e: a file id is 16 bytes as base64url");
  return bytes;
}

function ivOf(options) {
  if (options.iv === undefined) return random(IV_BYTES);
  const iv = typeof options.iv === "string" ? b64urlDecodeFast(options.iv) : options.iv;
  if (!(iv instanceof Uint8Array) || iv.length !== IV_BYTES) throw new RangeError("e2e: iv must be 12 bytes");
  return iv;
}

function metaAad({ roomId, from, fileId, size }) {
  const chunks = chunkCount(size);
  const who = [wellFormed(roomId, "room id"), wellFormed(from, "from"), fileIdBytes(fileId)];
  return framed(META_LABEL, ...who, u64be(size), u64be(chunks));
}

function chunkAad({ roomId, from, fileId, index, chunks }) {
  if (!isCount(chunks, 1)) throw new RangeError("e2e: chunks must be an integer 1 to 2^53-1");
  if (!isCount(index, 0) || index >= chunks) throw new RangeError("e2e: a chunk's index must be 0 to chunks-1");
  const who = [wellFormed(roomId, "room id"), wellFormed(from, "from"), fileIdBytes(fileId)];
  return framed(CHUNK_LABEL, ...who, u64be(index), u64be(chunks));
}

/** Every chunk but the last is whole; the last has 1 to 32768 bytes. */
function chunkFits(length, { index, chunks }) {
  return index < chunks - 1 ? length === CHUNK_BYTES : length >= 1 && length <= CHUNK_BYTES;
}

async function sealed(messageKey, plaintext, aad, options) {
  const iv = ivOf(options);
  const ct = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad }, messageKey, plaintext);
  return b64urlEncodeFast(concat([iv, new Uint8Array(ct)]));
}

async function opened(messageKey, sealedText, aad) {
  const bytes = b64urlDecodeFast(sealedText);
  if (bytes.length < SEALED_EXTRA) throw new Error("e2e: too short");
  const algorithm = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: aad };
  return new Uint8Array(await subtle().decrypt(algorithm, messageKey, bytes.subarray(IV_BYTES)));
}

/** The meta's plaintext: `{"name","type"}` as JSON in UTF-8, space-padded to the next multiple of 256. */
function paddedMeta(name, type) {
  const json = encoder.encode(JSON.stringify({ name: wellFormed(name, "name"), type: wellFormed(type, "type") }));
  const size = Math.ceil(json.length / PAD_BYTES) * PAD_BYTES;
  if (size > MAX_META_BYTES) throw new RangeError("e2e: the file's name and type are too long to seal");
  const out = new Uint8Array(size).fill(SPACE);
  out.set(json);
  return out;
}

function parsedMeta(plaintext) {
  const { length } = plaintext;
  if (length === 0 || length % PAD_BYTES !== 0 || length > MAX_META_BYTES) throw new Error("e2e: meta not padded");
  const value = JSON.parse(decoder.decode(plaintext));
  if (value === null || typeof value !== "object") throw new Error("e2e: not an object");
  const { name, type } = value;
  if (typeof name !== "string" || typeof type !== "string") throw new Error("e2e: not a file's meta");
  return { name, type };
}

/**
 * The sealed meta (name and type) of file `fileId` of `size` bytes, sent by `from` in room `roomId`. A fresh
 * random iv each time; `options.iv` exists only so that the interop vectors can be reproduced.
 */
export async function sealFileMeta(messageKey, { roomId, from, fileId, size }, { name, type }, options = {}) {
  const aad = metaAad({ roomId, from, fileId, size });
  return sealed(messageKey, paddedMeta(name, type), aad, options);
}

/**
 * `{name, type}` of file `fileId` from its sealed meta, checked against this room, the sender the server named,
 * the file id and size: any change to one of them or to a bit throws. Extra fields in the JSON are ignored.
 * Throws one plain Error for every failure.
 */
export async function openFileMeta(messageKey, { roomId, from, fileId, size }, sealedMeta) {
  try {
    return parsedMeta(await opened(messageKey, sealedMeta, metaAad({ roomId, from, fileId, size })));
  } catch {
    throw new Error(REFUSED);
  }
}

/**
 * Chunk `index` (0-based) of `chunks` of file `fileId`, sealed: `bytes` is 32768 bytes, or 1 to 32768 for the
 * last chunk. A fresh random iv each time; `options.iv` exists only for the interop vectors.
 */
export async function sealChunk(messageKey, { roomId, from, fileId, index, chunks }, bytes, options = {}) {
  const aad = chunkAad({ roomId, from, fileId, index, chunks });
  if (!(bytes instanceof Uint8Array)) throw new TypeError("e2e: a chunk is bytes");
  if (!chunkFits(bytes.length, { index, chunks })) throw new RangeError("e2e: a chunk of the wrong length");
  return sealed(messageKey, bytes, aad, options);
}

/**
 * The bytes of chunk `index` of `chunks` of file `fileId`, checked against this room, the sender, the file id,
 * the index and the count, and refused unless whole (the last one: 1 to 32768 bytes). One plain Error for
 * every failure, as openFileMeta.
 */
export async function openChunk(messageKey, { roomId, from, fileId, index, chunks }, sealedChunk) {
  try {
    const bytes = await opened(messageKey, sealedChunk, chunkAad({ roomId, from, fileId, index, chunks }));
    if (!chunkFits(bytes.length, { index, chunks })) throw new Error("e2e: a chunk of the wrong length");
    return bytes;
  } catch {
    throw new Error(REFUSED);
  }
}
