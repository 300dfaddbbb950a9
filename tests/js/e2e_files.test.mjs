// Files in server-blind rooms, v1: the page's file crypto (static/js/e2e/files.js) gives exactly the answers
// that the Python implementation wrote into tests/vectors/e2e-files-v1.json, refuses everything it refuses,
// carries whole files there and back, and its base64url agrees with crypto.js's through btoa and atob.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { b64urlDecode, b64urlEncode, deriveKeys } from "../../static/js/e2e/crypto.js";
import {
  CHUNK_BYTES,
  SEALED_EXTRA,
  b64urlDecodeFast,
  b64urlEncodeFast,
  chunkCount,
  newFileId,
  openChunk,
  openFileMeta,
  sealChunk,
  sealFileMeta,
} from "../../static/js/e2e/files.js";

const SOURCE = new URL("../../static/js/e2e/files.js", import.meta.url);
const read = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
const vectors = read("e2e-files-v1.json");
const messageVectors = read("e2e-v1.json");
const keyCases = new Map(vectors.keys.map((entry) => [entry.id, entry]));
const REFUSED = { message: "e2e: the file could not be opened" };

// Each key is derived once (600,000 iterations cost a fraction of a second).
const derived = new Map();
function messageKey(id) {
  if (!derived.has(id)) {
    const { password, salt, iter, link_secret: link } = keyCases.get(id);
    derived.set(id, deriveKeys(password, salt, iter, link).then((keys) => keys.messageKey));
  }
  return derived.get(id);
}

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const metaPlace = (entry) => ({ roomId: entry.room_id, from: entry.from, fileId: entry.file_id, size: entry.size });
const chunkPlace = (e) => ({ roomId: e.room_id, from: e.from, fileId: e.file_id, index: e.index, chunks: e.chunks });

function randomBytes(length) {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes a call.
  for (let at = 0; at < length; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

describe("a file's meta", () => {
  for (const entry of vectors.metas) {
    test(`${entry.id}: sealed as the vector, and opened`, async () => {
      const key = await messageKey(entry.key);
      assert.equal(chunkCount(entry.size), entry.chunks);
      assert.equal(await sealFileMeta(key, metaPlace(entry), entry.meta, { iv: entry.iv }), entry.sealed);
      assert.equal(b64urlDecode(entry.sealed).length, entry.plaintext_bytes + SEALED_EXTRA);
      assert.deepEqual(await openFileMeta(key, metaPlace(entry), entry.sealed), entry.meta);
    });
  }

  for (const entry of vectors.meta_opens) {
    test(`${entry.expect === null ? "refused" : "opens"}: ${entry.why}`, async () => {
      const opening = openFileMeta(await messageKey(entry.key), metaPlace(entry), entry.sealed);
      if (entry.expect === null) await assert.rejects(opening, REFUSED);
      else assert.deepEqual(await opening, entry.expect);
    });
  }

  for (const entry of vectors.bad_meta_seals) {
    test(`not sealed: ${entry.why}`, async () => {
      await assert.rejects(sealFileMeta(await messageKey(entry.key), metaPlace(entry), entry.meta));
    });
  }

  test("a fresh iv each time, and it still opens", async () => {
    const key = await messageKey("ascii");
    const where = { roomId: "room", from: "someone", fileId: newFileId(), size: 5 };
    const meta = { name: "a.txt", type: "text/plain" };
    const [one, two] = [await sealFileMeta(key, where, meta), await sealFileMeta(key, where, meta)];
    assert.notEqual(one.slice(0, 16), two.slice(0, 16));
    assert.deepEqual(await openFileMeta(key, where, two), meta);
  });
});

describe("chunks", () => {
  for (const entry of vectors.chunks) {
    test(`${entry.id}: sealed as the vector, and opened`, async () => {
      const key = await messageKey(entry.key);
      const bytes = b64urlDecode(entry.bytes);
      assert.equal(await sealChunk(key, chunkPlace(entry), bytes, { iv: entry.iv }), entry.sealed);
      assert.equal(b64urlDecode(entry.sealed).length, bytes.length + SEALED_EXTRA);
      assert.equal(hex(await openChunk(key, chunkPlace(entry), entry.sealed)), hex(bytes));
    });
  }

  test("the vectors hold a first, a middle, a short last chunk and a 1-byte file's", () => {
    const shape = (entry) => `${entry.index} of ${entry.chunks}: ${b64urlDecode(entry.bytes).length}`;
    const shapes = vectors.chunks.map(shape);
    for (const shape of [`0 of 3: ${CHUNK_BYTES}`, `1 of 3: ${CHUNK_BYTES}`, "2 of 3: 1000", "0 of 1: 1"]) {
      assert.ok(shapes.includes(shape), shape);
    }
  });

  for (const entry of vectors.chunk_opens) {
    test(`refused: ${entry.why}`, async () => {
      assert.equal(entry.expect, null);
      await assert.rejects(openChunk(await messageKey(entry.key), chunkPlace(entry), entry.sealed), REFUSED);
    });
  }

  for (const entry of vectors.bad_chunk_seals) {
    test(`not sealed: ${entry.why}`, async () => {
      const key = await messageKey(entry.key);
      await assert.rejects(sealChunk(key, chunkPlace(entry), new Uint8Array(entry.length)));
    });
  }

  test("a chunk is bytes: not text, an array or a buffer", async () => {
    const key = await messageKey("ascii");
    const where = { roomId: "room", from: "someone", fileId: newFileId(), index: 0, chunks: 1 };
    for (const bytes of ["abc", [1, 2, 3], new Uint8Array(3).buffer]) {
      await assert.rejects(sealChunk(key, where, bytes), TypeError);
    }
  });
});

describe("whole files, there and back", () => {
  const sizes = [1, 1000, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES - 7];
  for (const size of sizes) {
    test(`${size} bytes`, async () => {
      const key = await messageKey("ascii");
      const file = randomBytes(size);
      const chunks = chunkCount(size);
      const place = { roomId: "room", from: "someone", fileId: newFileId() };
      const meta = { name: "Grüße 🔑.bin", type: "application/octet-stream" };
      const sealedMeta = await sealFileMeta(key, { ...place, size }, meta);
      const sealed = [];
      for (let index = 0; index < chunks; index += 1) {
        const bytes = file.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
        sealed.push(await sealChunk(key, { ...place, index, chunks }, bytes));
        assert.equal(b64urlDecode(sealed.at(-1)).length, bytes.length + SEALED_EXTRA);
      }
      assert.deepEqual(await openFileMeta(key, { ...place, size }, sealedMeta), meta);
      const opened = [];
      for (const [index, text] of sealed.entries()) {
        opened.push(await openChunk(key, { ...place, index, chunks }, text));
      }
      assert.equal(hex(Buffer.concat(opened)), hex(file));
    });
  }

  test("a file's chunks cannot be swapped, moved to another file or sender, or dropped from the end", async () => {
    const key = await messageKey("ascii");
    const place = { roomId: "room", from: "someone", fileId: newFileId(), chunks: 3 };
    const [first, second] = [randomBytes(CHUNK_BYTES), randomBytes(CHUNK_BYTES)];
    const one = await sealChunk(key, { ...place, index: 0 }, first);
    const two = await sealChunk(key, { ...place, index: 1 }, second);
    assert.equal(hex(await openChunk(key, { ...place, index: 1 }, two)), hex(second));
    await assert.rejects(openChunk(key, { ...place, index: 1 }, one), REFUSED);
    await assert.rejects(openChunk(key, { ...place, index: 0 }, two), REFUSED);
    await assert.rejects(openChunk(key, { ...place, index: 1, chunks: 2 }, two), REFUSED);
    await assert.rejects(openChunk(key, { ...place, index: 0, fileId: newFileId() }, one), REFUSED);
    await assert.rejects(openChunk(key, { ...place, index: 0, from: "someone else" }, one), REFUSED);
    await assert.rejects(openChunk(await messageKey("wrong_link"), { ...place, index: 0 }, one), REFUSED);
  });
});

describe("sizes and ids", () => {
  const counts = [
    [1, 1],
    [CHUNK_BYTES, 1],
    [CHUNK_BYTES + 1, 2],
    [3 * CHUNK_BYTES, 3],
    [2 ** 53 - 1, 2 ** 38],
  ];
  for (const [size, chunks] of counts) {
    test(`${size} bytes make ${chunks} chunks`, () => assert.equal(chunkCount(size), chunks));
  }

  for (const size of [0, -1, 1.5, 2 ** 53, "1", Number.NaN, null]) {
    test(`no size: ${String(size)}`, () => assert.throws(() => chunkCount(size), RangeError));
  }

  test("a file id is 16 random bytes as 22 characters of base64url", () => {
    const ids = Array.from({ length: 64 }, newFileId);
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(b64urlDecode(id).length, 16);
    }
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe("base64url: the fast pair agrees with crypto.js's", () => {
  const lengths = [...Array(200).keys(), 8191, 8192, 8193, 3 * 8192 + 1, CHUNK_BYTES, CHUNK_BYTES + SEALED_EXTRA];
  test("on random bytes of every small length and the block and chunk edges", () => {
    for (const length of lengths) {
      const bytes = randomBytes(length);
      const text = b64urlEncodeFast(bytes);
      assert.equal(text, b64urlEncode(bytes), `length ${length}`);
      assert.equal(hex(b64urlDecodeFast(text)), hex(bytes), `length ${length}`);
    }
  });

  for (const { bytes_hex: bytesHex, text } of messageVectors.base64url.good) {
    test(`the message vectors: ${JSON.stringify(text.slice(0, 12))}… both ways`, () => {
      assert.equal(b64urlEncodeFast(Uint8Array.from(Buffer.from(bytesHex, "hex"))), text);
      assert.equal(hex(b64urlDecodeFast(text)), bytesHex);
    });
  }

  for (const text of messageVectors.base64url.bad) {
    test(`refused, as by crypto.js: ${JSON.stringify(text)}`, () => {
      assert.throws(() => b64urlDecode(text));
      assert.throws(() => b64urlDecodeFast(text));
    });
  }

  test("random text: refused by one exactly when refused by the other, and the same bytes otherwise", () => {
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const strays = ["=", "+", "/", " ", "\n", "\t", ".", "À", "\u0000"];
    let [refused, decoded] = [0, 0];
    for (let run = 0; run < 5000; run += 1) {
      const length = Math.floor(Math.random() * 12);
      let text = Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]).join("");
      if (run % 5 === 0) {
        const at = Math.floor(Math.random() * (length + 1));
        text = text.slice(0, at) + strays[run % strays.length] + text.slice(at);
      }
      let expected;
      try {
        expected = hex(b64urlDecode(text));
      } catch {
        expected = null;
      }
      let found;
      try {
        found = hex(b64urlDecodeFast(text));
      } catch {
        found = null;
      }
      assert.equal(found, expected, JSON.stringify(text));
      if (found === null) refused += 1;
      else decoded += 1;
    }
    assert.ok(refused > 500 && decoded > 500, `${refused} refused, ${decoded} decoded`);
  });

  test("bytes and text only", () => {
    for (const value of [[1, 2], new Uint8Array(2).buffer, "AA"]) {
      assert.throws(() => b64urlEncodeFast(value), TypeError);
    }
    for (const value of [null, 5, new Uint8Array(2)]) assert.throws(() => b64urlDecodeFast(value), TypeError);
  });

  test("a chunk goes through one btoa or atob call, not a loop that builds its text a character at a time", () => {
    const bytes = randomBytes(CHUNK_BYTES + SEALED_EXTRA);
    const calls = { btoa: 0, atob: 0 };
    const originals = { btoa: globalThis.btoa, atob: globalThis.atob };
    for (const name of ["btoa", "atob"]) {
      globalThis[name] = (text) => {
        calls[name] += 1;
        assert.equal(text.length, name === "btoa" ? bytes.length : Math.ceil((bytes.length * 4) / 3));
        return originals[name](text);
      };
    }
    try {
      assert.equal(hex(b64urlDecodeFast(b64urlEncodeFast(bytes))), hex(bytes));
    } finally {
      Object.assign(globalThis, originals);
    }
    assert.deepEqual(calls, { btoa: 1, atob: 1 });
  });
});

test("the module needs nothing but WebCrypto, btoa, atob and crypto.js: no Node or page globals", () => {
  const source = readFileSync(SOURCE, "utf8");
  const imports = source.match(/^import\b.*$/gm) ?? [];
  assert.deepEqual(imports, ['import { concat, framed, u64be, wellFormed } from "./crypto.js";']);
  assert.doesNotMatch(source, /\brequire\(|\bimport\(|\b(Buffer|process|window|document)\b/m);
});
