// Files without a browser: what a file is, read from its bytes, and the name it is shown and saved under
// (kinds.js); how one goes out, offer then pieces, never too far ahead of its slowest reader, waiting out the
// server's refusals (outgoing.js); and how one comes in, whole and typed from its bytes or not at all
// (incoming.js). Over a fake connection, with timers and a clock that move only when the test says.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  CHUNK_BYTES,
  SEALED_EXTRA,
  b64urlEncodeFast,
  newFileId,
  openChunk,
  openFileMeta,
  sealChunk,
  sealFileMeta,
} from "../../static/js/e2e/files.js";
import { PROGRESS_EVERY, createIncoming } from "../../static/js/files/incoming.js";
import { DOWNLOAD_TYPE, NAME_MAX, imageTypeOf, mediaType, safeName, sizeText } from "../../static/js/files/kinds.js";
import { QUIET_READER_MS, WINDOW, prepared, sendFile } from "../../static/js/files/outgoing.js";
import { fakeTimers } from "./fake_timers.mjs";

const ascii = (text) => Array.from(text, (char) => char.charCodeAt(0));
const bytes = (...parts) => Uint8Array.from(parts.flat(Infinity));
/** `size` bytes in which no two pieces are alike, so a piece in the wrong place shows. */
function fileOf(size) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) out[i] = (i * 31 + Math.floor(i / 251)) & 0xff;
  return out;
}
const pieceOf = (data, index) => data.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);

// Magic numbers, each followed by a little of what such a file holds.
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], ascii("IHDR"), Array(17).fill(1));
const GIF = bytes(ascii("GIF89a"), [1, 0, 1, 0, 0, 0, 0], ascii(";"));
const WEBP = bytes(ascii("RIFF"), [20, 0, 0, 0], ascii("WEBPVP8 "), Array(12).fill(0));
const SVG = bytes(ascii('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'));
const HTML = bytes(ascii("<!doctype html><script>alert(1)</script>"));
const PDF = bytes(ascii("%PDF-1.7\n1 0 obj << /Author (Ann) >> endobj\n%%EOF\n"));

// A small JPEG that says where it was taken in a comment: what a decoder needs, and that.
function segment(marker, ...parts) {
  const payload = bytes(parts);
  return [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
}
const JPEG = bytes(
  [0xff, 0xd8],
  segment(0xe0, [ascii("JFIF\0"), 1, 2, 0, 0, 72, 0, 72, 0, 0]),
  segment(0xfe, ascii("taken at 51.5N 0.1W")),
  segment(0xdb, [0, range(1, 65)]),
  segment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]),
  segment(0xc4, [0, 1, Array(15).fill(0), 0]),
  segment(0xda, [1, 1, 0, 0, 63, 0]),
  [0x12, 0x34, 0xff, 0xd9],
);


/** Everything already under way and owing nothing to a timer or to crypto has happened. */
async function settle() {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `check()` holds: WebCrypto answers from another thread, in its own time. */
async function until(check, what) {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 5000) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether `promise` has settled yet, and with what. */
function watch(promise) {
  const state = { settled: false };
  promise.then((value) => Object.assign(state, { settled: true, value }));
  return state;
}

const refused = (error, extra = {}) => ({ ok: false, error, ...extra });
const rateLimited = (retryAfter) => refused("rate_limited", { retry_after: retryAfter });

/**
 * A connection that records every call and answers each with the next ack `script` holds for it ("offer",
 * "cancel", or a piece's index), else `{ok: true}`. An ack may be a promise, for an answer the test holds back.
 */
function fakeConnection(script = {}) {
  const calls = [];
  const answer = async (call, key) => {
    calls.push(call);
    return (await script[key]?.shift()) ?? { ok: true };
  };
  return {
    calls,
    offers: () => calls.filter((call) => call.kind === "offer").map((call) => call.payload),
    pieces: () => calls.filter((call) => call.kind === "piece"),
    indexes: () => calls.filter((call) => call.kind === "piece").map((call) => call.index),
    cancels: () => calls.filter((call) => call.kind === "cancel"),
    offerFile: (payload) => answer({ kind: "offer", payload }, "offer"),
    sendChunk: (id, index, data) => answer({ kind: "piece", id, index, data }, index),
    cancelFile: (id) => answer({ kind: "cancel", id }, "cancel"),
  };
}

const aesKey = () => crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);

describe("kinds", () => {
  test("an image type only for JPEG, PNG, GIF and WebP magic, whatever else a file holds or claims", () => {
    assert.equal(imageTypeOf(JPEG), "image/jpeg");
    assert.equal(imageTypeOf(PNG), "image/png");
    assert.equal(imageTypeOf(GIF), "image/gif");
    assert.equal(imageTypeOf(WEBP), "image/webp");
    const wave = bytes(ascii("RIFF"), [0, 0, 0, 0], ascii("WAVE"));
    for (const data of [SVG, HTML, PDF, wave, PNG.subarray(0, 7), bytes()]) assert.equal(imageTypeOf(data), null);
    assert.equal(imageTypeOf([...PNG]), null); // bytes only
    assert.equal(imageTypeOf(null), null);
  });

  test("a name as the server's rule makes it", () => {
    const cases = [
      ["../../etc/passwd", "passwd"],
      ["C:\\Users\\ann\\secret.pdf", "secret.pdf"],
      ["invoice\u202egpj.exe", "invoice gpj.exe"],
      ["a\x00b\x1bc\nd.txt", "a b c d.txt"],
      ["x".repeat(10_000), "x".repeat(NAME_MAX)],
      ["...", "file"],
      ['what?<is>"this"|*.txt', "what__is__this___.txt"],
      [" .hidden. ", "hidden"],
      ["a\u200bb\u2028c", "a b c"],
      ["Cafe\u0301.txt", "Caf\u00e9.txt"],
      [`${"y".repeat(NAME_MAX - 1)} .txt`, "y".repeat(NAME_MAX - 1)],
      ["", "file"],
      [null, "file"],
    ];
    for (const [name, expected] of cases) assert.equal(safeName(name), expected, JSON.stringify(name));
    assert.equal(NAME_MAX, 200);
  });

  test(
    "a name past NAME_MAX keeps NAME_MAX characters, as the server's, outside the BMP too",
    () => {
      assert.equal(safeName("\u{1f600}".repeat(250)), "\u{1f600}".repeat(NAME_MAX));
      assert.equal(safeName(`a${"\u{1f600}".repeat(250)}`), `a${"\u{1f600}".repeat(NAME_MAX - 1)}`);
    },
  );

  test("a type as type/subtype in lower case, else the download type", () => {
    assert.equal(mediaType(" Image/PNG "), "image/png");
    assert.equal(mediaType("image/svg+xml"), "image/svg+xml");
    for (const type of ["text/html; charset=utf-8", "text", "/x", "text/", "", null, 5, `a/${"b".repeat(99)}`]) {
      assert.equal(mediaType(type), DOWNLOAD_TYPE, String(type));
    }
    assert.equal(mediaType(`a/${"b".repeat(98)}`), `a/${"b".repeat(98)}`); // 100 characters
    assert.equal(DOWNLOAD_TYPE, "application/octet-stream");
  });

  test("sizes for people", () => {
    const cases = [
      [0, "0 B"],
      [820, "820 B"],
      [999, "999 B"],
      [1000, "1 KB"],
      [14_400, "14 KB"],
      [3_200_000, "3.2 MB"],
      [10 * 1024 * 1024, "10.5 MB"],
    ];
    for (const [size, text] of cases) assert.equal(sizeText(size), text);
  });
});

/** A file of `chunks` pieces (the last shorter) on its way out to `readers`, over a fake connection. */
function sending({ chunks = 3, readers = [], script, sealed = null } = {}) {
  const timers = fakeTimers();
  const connection = fakeConnection(script);
  const data = fileOf(chunks * CHUNK_BYTES - 5);
  const progress = [];
  let clock = 1_000_000;
  const handle = sendFile({
    connection,
    sealed,
    bytes: data,
    name: "notes.txt",
    type: "text/plain",
    readers,
    onProgress: (sent, of) => progress.push([sent, of]),
    timers,
    now: () => clock,
  });
  const wait = (ms) => (clock += ms);
  const done = watch(handle.done);
  /** What done resolved with, once nothing but a timer or a reader could still move the file. */
  const finished = async () => {
    await settle();
    assert.ok(done.settled, "done has not resolved");
    return done.value;
  };
  return { handle, connection, timers, progress, data, wait, done, finished };
}

describe("sending a file", () => {
  test("a standard room's offer names the file; every piece follows, in order, as base64url of its bytes", async () => {
    const { handle, connection, progress, data, finished } = sending({ chunks: 3 });
    assert.deepEqual(await finished(), { ok: true });
    assert.match(handle.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(handle.chunks, 3);
    assert.equal(connection.calls[0].kind, "offer");
    const offer = { id: handle.id, size: data.length, name: "notes.txt", type: "text/plain" };
    assert.deepEqual(connection.offers(), [offer]);
    assert.deepEqual(connection.indexes(), [0, 1, 2]);
    for (const { id, index, data: text } of connection.pieces()) {
      assert.equal(id, handle.id);
      assert.match(text, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(new Uint8Array(Buffer.from(text, "base64url")), pieceOf(data, index));
    }
    assert.deepEqual(progress, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    assert.deepEqual(connection.cancels(), []);
  });

  test("a server-blind room's offer seals the name and type; each piece opens at its own index only", async () => {
    const key = await aesKey();
    const sealed = { key, roomId: "room-1", from: "ann" };
    const { handle, connection, data } = sending({ chunks: 3, sealed });
    assert.deepEqual(await handle.done, { ok: true });
    const [offer] = connection.offers();
    assert.deepEqual(Object.keys(offer).sort(), ["e2e", "id", "size"]);
    const place = { roomId: "room-1", from: "ann", fileId: handle.id };
    const said = await openFileMeta(key, { ...place, size: data.length }, offer.e2e);
    assert.deepEqual(said, { name: "notes.txt", type: "text/plain" });
    assert.deepEqual(connection.indexes(), [0, 1, 2]);
    for (const { index, data: text } of connection.pieces()) {
      assert.equal(Buffer.from(text, "base64url").length, pieceOf(data, index).length + SEALED_EXTRA);
      assert.deepEqual(await openChunk(key, { ...place, index, chunks: 3 }, text), pieceOf(data, index));
      const elsewhere = { ...place, index: (index + 1) % 3, chunks: 3 };
      await assert.rejects(openChunk(key, elsewhere, text));
    }
  });

  test("at most WINDOW pieces ahead of a reader who said nothing; the rest as it says how far it is", async () => {
    const { handle, connection, timers, done, finished } = sending({ chunks: WINDOW + 12, readers: ["bob"] });
    await settle();
    assert.deepEqual(connection.indexes(), range(0, WINDOW));
    timers.advance(5_000);
    handle.heard({ by: "mallory", index: 100 }); // not a reader of this file
    handle.heard({ by: "bob", index: "20" });
    await settle();
    assert.equal(connection.pieces().length, WINDOW);
    assert.equal(done.settled, false);
    handle.heard({ by: "bob", index: 7 });
    await settle();
    assert.deepEqual(connection.indexes(), range(0, 8 + WINDOW));
    handle.heard({ by: "bob", index: 15 });
    assert.deepEqual(await finished(), { ok: true });
    assert.deepEqual(connection.indexes(), range(0, WINDOW + 12));
  });

  test("a reader quiet for longer than QUIET_READER_MS is waited for no more; one who speaks still is", async () => {
    const { handle, connection, timers, wait, finished } = sending({ chunks: WINDOW + 12, readers: ["bob", "cat"] });
    await settle();
    assert.equal(connection.pieces().length, WINDOW);
    wait(QUIET_READER_MS);
    handle.heard({ by: "bob", index: 7 });
    timers.advance(1_000);
    await settle();
    assert.equal(connection.pieces().length, WINDOW); // cat has been quiet exactly that long
    wait(1);
    timers.advance(1_000);
    await settle();
    assert.deepEqual(connection.indexes(), range(0, 8 + WINDOW)); // bob still holds it back
    handle.heard({ by: "bob", index: 15 });
    assert.deepEqual(await finished(), { ok: true });
  });

  test("a reader who left is waited for no more", async () => {
    const { handle, connection, finished } = sending({ chunks: WINDOW + 12, readers: ["bob", "cat"] });
    handle.heard({ by: "bob", index: WINDOW + 11 });
    await settle();
    assert.equal(connection.pieces().length, WINDOW);
    handle.left("nobody");
    await settle();
    assert.equal(connection.pieces().length, WINDOW);
    handle.left("cat");
    assert.deepEqual(await finished(), { ok: true });
    assert.deepEqual(connection.indexes(), range(0, WINDOW + 12));
  });

  test("an offer refused rate_limited is sent again, the same, once retry_after has passed", async () => {
    const { connection, timers, finished } = sending({ script: { offer: [rateLimited(3)] } });
    await settle();
    assert.equal(connection.offers().length, 1);
    timers.advance(2_999);
    await settle();
    assert.deepEqual([connection.offers().length, connection.pieces().length], [1, 0]);
    timers.advance(1);
    assert.deepEqual(await finished(), { ok: true });
    const [first, again] = connection.offers();
    assert.deepEqual(again, first);
    assert.deepEqual(connection.indexes(), [0, 1, 2]);
  });

  test("a piece refused rate_limited is sent again, the same, once retry_after has passed", async () => {
    const { connection, timers, progress, finished } = sending({ script: { 1: [rateLimited(2)] } });
    await settle();
    assert.deepEqual(connection.indexes(), [0, 1]);
    timers.advance(1_999);
    await settle();
    assert.deepEqual(connection.indexes(), [0, 1]);
    timers.advance(1);
    assert.deepEqual(await finished(), { ok: true });
    assert.deepEqual(connection.indexes(), [0, 1, 1, 2]);
    const pieces = connection.pieces();
    assert.equal(pieces[2].data, pieces[1].data);
    assert.deepEqual(progress, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  test("a wait the server names is held to 1 to 10 seconds", async () => {
    const script = { offer: [rateLimited(undefined), rateLimited(600)] };
    const { connection, timers, finished } = sending({ script });
    await settle();
    timers.advance(999);
    await settle();
    assert.equal(connection.offers().length, 1);
    timers.advance(1);
    await settle();
    assert.equal(connection.offers().length, 2);
    timers.advance(9_999);
    await settle();
    assert.equal(connection.offers().length, 2);
    timers.advance(1);
    assert.deepEqual(await finished(), { ok: true });
    assert.equal(connection.offers().length, 3);
  });

  test("a server that keeps refusing is given up on: done says why", async () => {
    const script = { offer: Array.from({ length: 100 }, () => rateLimited(1)) };
    const { connection, timers, done } = sending({ script });
    for (let second = 0; second < 100 && !done.settled; second += 1) {
      await settle();
      timers.advance(1_000);
    }
    await settle();
    assert.deepEqual(done.value, rateLimited(1));
    assert.ok(connection.offers().length > 1);
    assert.deepEqual(connection.pieces(), []);
  });

  test("any other refusal stops the file, and done resolves with that ack", async () => {
    const invalid = refused("invalid", { message: "not the next piece" });
    const { connection, timers, progress, finished } = sending({ chunks: 4, script: { 2: [invalid] } });
    assert.deepEqual(await finished(), invalid);
    timers.advance(60_000);
    await settle();
    assert.deepEqual(connection.indexes(), [0, 1, 2]);
    assert.deepEqual(progress, [
      [1, 4],
      [2, 4],
    ]);
    const tooLarge = refused("too_large");
    const offered = sending({ script: { offer: [tooLarge] } });
    assert.deepEqual(await offered.finished(), tooLarge);
    assert.deepEqual([offered.connection.pieces(), offered.progress], [[], []]);
  });

  test("cancel while the file waits for its readers: said once to the server, and done says so", async () => {
    const { handle, connection, timers, finished } = sending({ chunks: WINDOW + 12, readers: ["bob"] });
    await settle();
    handle.cancel();
    handle.cancel();
    assert.deepEqual(await finished(), { ok: false, error: "cancelled" });
    handle.heard({ by: "bob", index: WINDOW + 11 });
    timers.advance(QUIET_READER_MS * 2);
    await settle();
    assert.equal(connection.pieces().length, WINDOW);
    assert.deepEqual(connection.cancels(), [{ kind: "cancel", id: handle.id }]);
  });

  test("cancel while the offer is on its way: no piece goes, and the file is stopped once the offer is taken", async () => {
    let answer;
    const held = new Promise((resolve) => (answer = resolve));
    const { handle, connection, finished } = sending({ chunks: 3, script: { offer: [held] } });
    await settle();
    handle.cancel(); // the server does not know this file yet: its answer to this cancel is `invalid`
    answer({ ok: true, id: handle.id, chunks: 3 });
    assert.deepEqual(await finished(), { ok: false, error: "cancelled" });
    assert.deepEqual(connection.indexes(), []);
    assert.deepEqual(connection.cancels(), [
      { kind: "cancel", id: handle.id },
      { kind: "cancel", id: handle.id },
    ]);
  });

  test("cancel while a piece is on its way: no piece after it", async () => {
    let answer;
    const held = new Promise((resolve) => (answer = resolve));
    const { handle, connection, progress, finished } = sending({ chunks: 4, script: { 1: [held] } });
    await settle();
    assert.deepEqual(connection.indexes(), [0, 1]);
    handle.cancel();
    answer({ ok: true });
    assert.deepEqual(await finished(), { ok: false, error: "cancelled" });
    assert.deepEqual(connection.indexes(), [0, 1]);
    assert.equal(connection.cancels().length, 1);
    assert.equal(progress.length, 2);
  });

  test(
    "cancel while an offer waits out rate_limited: the file is not offered again",
    async () => {
      const { handle, connection, timers, finished } = sending({ script: { offer: [rateLimited(5)] } });
      await settle();
      handle.cancel();
      timers.advance(5_000);
      await settle();
      assert.deepEqual(await finished(), { ok: false, error: "cancelled" });
      assert.equal(connection.offers().length, 1);
      assert.equal(connection.calls.at(-1).kind, "cancel");
    },
  );

  test(
    "cancel while a piece waits out rate_limited: no piece after the cancel, and done says cancelled",
    async () => {
      const gone = refused("invalid"); // what the server answers a piece of a stopped file
      const { handle, connection, timers, finished } = sending({ script: { 1: [rateLimited(5), gone] } });
      await settle();
      handle.cancel();
      timers.advance(5_000);
      await settle();
      assert.deepEqual(connection.indexes(), [0, 1]);
      assert.deepEqual(await finished(), { ok: false, error: "cancelled" });
    },
  );

  test("a JPEG is sent stripped; a file strip.js does not know, as it is", () => {
    const photo = prepared(JPEG);
    assert.equal(photo.stripped, true);
    assert.deepEqual(photo.removed, ["comment"]);
    assert.equal(imageTypeOf(photo.bytes), "image/jpeg");
    assert.ok(!Buffer.from(photo.bytes).toString("latin1").includes("51.5N"));
    assert.ok(photo.bytes.length < JPEG.length);
    const document = prepared(PDF);
    assert.deepEqual(document, { bytes: PDF, stripped: false, removed: [] });
    assert.equal(document.bytes, PDF);
  });
});

/** One chat page's incoming files, recording what it says to senders and every change it shows. */
function receiving({ sealed = null, maxBytes = 10 * 1024 * 1024 } = {}) {
  const said = [];
  const changes = [];
  const incoming = createIncoming({
    sealed,
    maxBytes,
    say: (from, id, index) => said.push([from, id, index]),
    changed: (file) => changes.push(file),
  });
  return { incoming, said, changes, last: () => changes.at(-1) };
}

/** The `file` event for `data`, as the server relays it in a standard room. */
const offerFor = (data, extra = {}) => ({
  from: "ann",
  alias: "Ann",
  id: newFileId(),
  size: data.length,
  chunks: Math.ceil(data.length / CHUNK_BYTES),
  name: "notes.txt",
  type: "text/plain",
  ts: 1234,
  ...extra,
});
/** The `file_chunk` event for piece `index` of `data`. */
const chunkFor = (offer, data, index) => ({
  from: offer.from,
  id: offer.id,
  index,
  data: b64urlEncodeFast(pieceOf(data, index)),
});
const contentOf = async (blob) => new Uint8Array(await blob.arrayBuffer());

/** A page with one 3-piece file offered, and its pieces to hand. */
function oneFile(options) {
  const page = receiving(options);
  const data = fileOf(3 * CHUNK_BYTES - 5);
  const offer = offerFor(data);
  page.incoming.offered(offer);
  const chunks = range(0, 3).map((index) => chunkFor(offer, data, index));
  return { ...page, data, offer, chunks };
}

describe("receiving a file", () => {
  test("pieces in any order give the whole file, one change per piece", async () => {
    const page = receiving();
    const data = fileOf(4 * CHUNK_BYTES - 100);
    const offer = offerFor(data);
    await page.incoming.offered(offer);
    for (const index of [2, 0, 3, 1]) page.incoming.piece(chunkFor(offer, data, index));
    await settle();
    assert.deepEqual(
      page.changes.map(({ state, got }) => [state, got]),
      [
        ["receiving", 0],
        ["receiving", 1],
        ["receiving", 2],
        ["receiving", 3],
        ["done", 4],
      ],
    );
    const file = page.last();
    for (const key of ["from", "alias", "id", "size", "chunks", "ts"]) assert.equal(file[key], offer[key], key);
    assert.deepEqual([file.name, file.type, file.image], ["notes.txt", "text/plain", false]);
    assert.equal(file.blob.type, DOWNLOAD_TYPE);
    assert.deepEqual(await contentOf(file.blob), data);
  });

  test("a finished file is typed from its bytes, never from what the offer says", async () => {
    const cases = [
      [PNG, "image/png", "image/png"],
      [PNG, "text/html", "image/png"],
      [JPEG, "application/pdf", "image/jpeg"],
      [SVG, "image/svg+xml", DOWNLOAD_TYPE],
      [HTML, "text/html", DOWNLOAD_TYPE],
      [PDF, "application/pdf", DOWNLOAD_TYPE],
      [PDF, "image/png", DOWNLOAD_TYPE],
    ];
    for (const [data, claimed, expected] of cases) {
      const page = receiving();
      const offer = offerFor(data, { type: claimed });
      page.incoming.offered(offer);
      page.incoming.piece(chunkFor(offer, data, 0));
      await settle();
      const file = page.last();
      const where = `${claimed} holding ${expected}`;
      assert.equal(file.state, "done", where);
      assert.equal(file.blob.type, expected, where);
      assert.equal(file.image, expected !== DOWNLOAD_TYPE, where);
      assert.equal(file.type, claimed, where); // what the sender said, shown as said
      assert.deepEqual(await contentOf(file.blob), data, where);
    }
  });

  test("the name and type an offer says are cleaned", async () => {
    const page = receiving();
    const data = fileOf(10);
    page.incoming.offered(offerFor(data, { name: "../../etc/passwd", type: " Image/SVG+XML " }));
    page.incoming.offered(offerFor(data, { name: undefined, type: "text/html; charset=utf-8" }));
    await settle();
    assert.deepEqual(
      page.changes.map(({ name, type }) => [name, type]),
      [
        ["passwd", "image/svg+xml"],
        ["file", DOWNLOAD_TYPE],
      ],
    );
  });

  test(`progress is said every ${PROGRESS_EVERY} pieces and at the last`, async () => {
    const page = receiving();
    const data = fileOf(20 * CHUNK_BYTES - 1);
    const offer = offerFor(data);
    page.incoming.offered(offer);
    for (const index of range(0, 20)) page.incoming.piece(chunkFor(offer, data, index));
    await settle();
    assert.deepEqual(page.said, [
      ["ann", offer.id, 7],
      ["ann", offer.id, 15],
      ["ann", offer.id, 19],
    ]);
    assert.equal(page.last().state, "done");
  });

  test("progress counts only pieces with none missing before them", async () => {
    const page = receiving();
    const data = fileOf(20 * CHUNK_BYTES - 1);
    const offer = offerFor(data);
    page.incoming.offered(offer);
    const send = async (indexes) => {
      for (const index of indexes) page.incoming.piece(chunkFor(offer, data, index));
      await settle();
    };
    await send([...range(0, 7), ...range(8, 16)]);
    assert.deepEqual(page.said, []);
    await send([7]);
    assert.deepEqual(page.said, [["ann", offer.id, 15]]);
    await send([19, 16, 17]);
    assert.deepEqual(page.said, [["ann", offer.id, 15]]);
    await send([18]);
    assert.deepEqual(page.said, [
      ["ann", offer.id, 15],
      ["ann", offer.id, 19],
    ]);
  });

  test("pieces that cannot be of this file are ignored, and the file still comes whole", async () => {
    const limit = Math.ceil(((CHUNK_BYTES + SEALED_EXTRA) * 4) / 3);
    const strays = [
      ["past the last", (first) => ({ ...first, index: 3 })],
      ["before the first", (first) => ({ ...first, index: -1 })],
      ["not a whole number", (first) => ({ ...first, index: 0.5 })],
      ["an index as text", (first) => ({ ...first, index: "0" })],
      ["another file", (first) => ({ ...first, id: newFileId() })],
      ["another sender's", (first) => ({ ...first, from: "bob" })],
      ["data that is not text", (first) => ({ ...first, data: [1, 2, 3] })],
      ["data too long for any piece", (first) => ({ ...first, data: "A".repeat(limit + 4) })],
      ["nothing", () => null],
    ];
    for (const [why, stray] of strays) {
      const { incoming, changes, said, chunks, data } = oneFile();
      incoming.piece(stray(chunks[0]));
      await settle();
      assert.equal(changes.length, 1, why);
      for (const chunk of chunks) incoming.piece(chunk);
      await settle();
      assert.equal(changes.at(-1).state, "done", why);
      assert.deepEqual(await contentOf(changes.at(-1).blob), data, why);
      assert.equal(said.length, 1, why);
    }
  });

  test("a piece that came already is ignored", async () => {
    const { incoming, changes, chunks, data } = oneFile();
    incoming.piece(chunks[0]);
    await settle();
    incoming.piece({ ...chunks[0], data: chunkFor(chunks[0], fileOf(CHUNK_BYTES + 7), 0).data });
    await settle();
    assert.equal(changes.length, 2);
    incoming.piece(chunks[1]);
    incoming.piece(chunks[2]);
    await settle();
    assert.deepEqual(await contentOf(changes.at(-1).blob), data);
  });

  test(
    "a piece that comes twice at once is counted once",
    async () => {
      // 9 bytes in the last piece: as many as the text "undefined" has.
      const page = receiving();
      const data = fileOf(2 * CHUNK_BYTES + 9);
      const offer = offerFor(data);
      page.incoming.offered(offer);
      const [first, second] = [chunkFor(offer, data, 0), chunkFor(offer, data, 1)];
      for (const chunk of [first, first, second]) page.incoming.piece(chunk);
      await settle();
      const { changes } = page;
      assert.deepEqual(
        changes.map(({ state, got }) => [state, got]),
        [
          ["receiving", 0],
          ["receiving", 1],
          ["receiving", 2],
        ],
      );
    },
  );

  test("a piece that does not hold its bytes fails the file as broken, and nothing after it counts", async () => {
    const cases = [
      ["too short", (chunks) => ({ ...chunks[0], data: b64urlEncodeFast(fileOf(100)) })],
      ["the last one too long", (chunks) => ({ ...chunks[2], data: b64urlEncodeFast(fileOf(CHUNK_BYTES)) })],
      ["not base64url", (chunks) => ({ ...chunks[1], data: "not+base64/url=" })],
    ];
    for (const [why, broken] of cases) {
      const { incoming, changes, said, chunks } = oneFile();
      incoming.piece(broken(chunks));
      await settle();
      assert.deepEqual([changes.length, changes.at(-1).state, changes.at(-1).reason], [2, "failed", "broken"], why);
      for (const chunk of chunks) incoming.piece(chunk);
      await settle();
      assert.deepEqual([changes.length, said], [2, []], why);
    }
  });

  test("an offer that cannot be is ignored, and so are its pieces", async () => {
    const data = fileOf(2 * CHUNK_BYTES);
    const cases = [
      ["over maxBytes", { size: 2 * CHUNK_BYTES + 1, chunks: 3 }],
      ["chunks that do not match the size", { chunks: 3 }],
      ["chunks missing", { chunks: undefined }],
      ["size 0", { size: 0, chunks: 0 }],
      ["a size as text", { size: String(data.length) }],
      ["no sender", { from: "" }],
      ["no id", { id: undefined }],
    ];
    for (const [why, changed] of cases) {
      const page = receiving({ maxBytes: 2 * CHUNK_BYTES });
      const offer = offerFor(data, changed);
      await page.incoming.offered(offer);
      for (const index of [0, 1]) page.incoming.piece(chunkFor(offer, data, index));
      await settle();
      assert.deepEqual([page.changes, page.said], [[], []], why);
    }
    const page = receiving({ maxBytes: 2 * CHUNK_BYTES });
    const offer = offerFor(data);
    page.incoming.offered(offer);
    page.incoming.offered({ ...offer, name: "again.txt" }); // the same file offered twice
    for (const index of [0, 1]) page.incoming.piece(chunkFor(offer, data, index));
    await settle();
    assert.deepEqual(
      page.changes.map(({ name, state }) => [name, state]),
      [
        ["notes.txt", "receiving"],
        ["notes.txt", "receiving"],
        ["notes.txt", "done"],
      ],
    );
  });

  test("a file stopped for falling behind fails as slow; stopped otherwise, as cancelled", async () => {
    for (const [reason, expected] of [
      ["slow", "slow"],
      ["cancelled", "cancelled"],
      ["gone", "cancelled"],
      [undefined, "cancelled"],
    ]) {
      const { incoming, changes, chunks, offer } = oneFile();
      incoming.piece(chunks[0]);
      await settle();
      incoming.stopped({ from: "ann", id: newFileId(), reason: "slow" }); // another file
      incoming.stopped({ from: offer.from, id: offer.id, reason });
      incoming.stopped({ from: offer.from, id: offer.id, reason });
      for (const chunk of chunks.slice(1)) incoming.piece(chunk);
      await settle();
      assert.deepEqual(
        changes.map(({ state, reason: why }) => [state, why]),
        [
          ["receiving", undefined],
          ["receiving", undefined],
          ["failed", expected],
        ],
        String(reason),
      );
    }
  });

  test("a dropped file is forgotten: its pieces do nothing, even one already being opened", async () => {
    const { incoming, changes, said, chunks, offer, data } = oneFile();
    const other = offerFor(data, { from: "bob", id: offer.id }); // the same id from someone else
    incoming.offered(other);
    incoming.piece(chunks[0]);
    await settle();
    incoming.piece(chunks[1]);
    incoming.drop(offer.from, offer.id);
    incoming.piece(chunks[2]);
    for (const index of range(0, 3)) incoming.piece(chunkFor(other, data, index));
    await settle();
    assert.deepEqual(
      changes.map(({ from, state, got }) => [from, state, got]),
      [
        ["ann", "receiving", 0],
        ["bob", "receiving", 0],
        ["ann", "receiving", 1],
        ["bob", "receiving", 1],
        ["bob", "receiving", 2],
        ["bob", "done", 3],
      ],
    );
    assert.deepEqual(said, [["bob", offer.id, 2]]);
    incoming.drop(offer.from, offer.id); // twice: nothing
  });

  test("an id offered again, a finished file's, is not a new file; after a wipe it may be", async () => {
    const { incoming, changes, offer, chunks } = oneFile();
    for (const chunk of chunks) incoming.piece(chunk);
    await until(() => changes.at(-1).state === "done", "the file finished");
    const count = changes.length;
    incoming.offered({ ...offer, name: "other.txt" });
    for (const chunk of chunks) incoming.piece(chunk);
    await settle();
    assert.equal(changes.length, count);
    incoming.clear();
    incoming.offered(offer);
    await settle();
    assert.equal(changes.length, count + 1);
  });

  test("clear forgets every file on its way", async () => {
    const page = receiving();
    const data = fileOf(2 * CHUNK_BYTES);
    const offers = [offerFor(data), offerFor(data, { from: "bob" })];
    for (const offer of offers) page.incoming.offered(offer);
    page.incoming.piece(chunkFor(offers[0], data, 0));
    page.incoming.clear();
    for (const offer of offers) for (const index of [0, 1]) page.incoming.piece(chunkFor(offer, data, index));
    await settle();
    assert.deepEqual(
      page.changes.map(({ state, got }) => [state, got]),
      [
        ["receiving", 0],
        ["receiving", 0],
      ],
    );
    assert.deepEqual(page.said, []);
  });
});

/** A page in server-blind room "room-1", and a sender there who seals its file with the same key. */
async function serverBlind() {
  const key = await aesKey();
  const page = receiving({ sealed: { key, roomId: "room-1" } });
  const data = fileOf(3 * CHUNK_BYTES - 5);
  const id = newFileId();
  const place = { roomId: "room-1", from: "ann", fileId: id };
  const meta = (said, where = {}) => sealFileMeta(key, { ...place, size: data.length, ...where }, said);
  const offer = { from: "ann", alias: "Ann", id, size: data.length, chunks: 3, ts: 1234 };
  offer.e2e = await meta({ name: "../notes.txt", type: "Text/Plain" });
  /** Piece `index`, sealed as piece `as` of the file. */
  const chunk = async (index, as = index) => ({
    from: "ann",
    id,
    index,
    data: await sealChunk(key, { ...place, index: as, chunks: 3 }, pieceOf(data, as)),
  });
  return { ...page, data, offer, meta, chunk };
}

describe("receiving a file in a server-blind room", () => {
  test("the name and type are opened from the offer, every piece from its seal", async () => {
    const { incoming, changes, said, data, offer, chunk } = await serverBlind();
    await incoming.offered(offer);
    assert.deepEqual([changes[0].name, changes[0].type, changes[0].state], ["notes.txt", "text/plain", "receiving"]);
    for (const index of [1, 2, 0]) incoming.piece(await chunk(index));
    await until(() => changes.at(-1).state !== "receiving", "the file finished");
    assert.equal(changes.at(-1).state, "done");
    assert.deepEqual(await contentOf(changes.at(-1).blob), data);
    assert.deepEqual(said, [["ann", offer.id, 2]]);
  });

  test("a piece sealed for another index fails the file as broken", async () => {
    const { incoming, changes, offer, chunk } = await serverBlind();
    await incoming.offered(offer);
    incoming.piece(await chunk(0, 1));
    await until(() => changes.length > 1, "a change");
    assert.deepEqual([changes.at(-1).state, changes.at(-1).reason], ["failed", "broken"]);
  });

  test("a meta sealed for another size or sender fails the file as sealed, and its pieces do nothing", async () => {
    const { incoming, changes, offer, meta, chunk } = await serverBlind();
    const said = { name: "notes.txt", type: "text/plain" };
    await incoming.offered({ ...offer, e2e: await meta(said, { size: offer.size - 1 }) });
    await incoming.offered({ ...offer, id: newFileId(), e2e: await meta(said, { from: "bob" }) });
    await incoming.offered({ ...offer, id: newFileId(), e2e: undefined });
    assert.deepEqual(
      changes.map(({ state, reason }) => [state, reason]),
      [
        ["failed", "sealed"],
        ["failed", "sealed"],
        ["failed", "sealed"],
      ],
    );
    assert.deepEqual([changes[0].id, changes[0].from, changes[0].size], [offer.id, "ann", offer.size]);
    incoming.piece(await chunk(0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(changes.length, 3);
  });

  test(
    "a piece that comes while the offer's meta is being opened still counts",
    async () => {
      const { incoming, changes, offer, chunk } = await serverBlind();
      const first = await chunk(0);
      incoming.offered(offer); // as the page hands on the server's events: one after another, not awaited
      incoming.piece(first);
      await until(() => changes.length > 0, "the offer opened");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(changes.at(-1).got, 1);
    },
  );
});
