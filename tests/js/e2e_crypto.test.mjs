// Server-blind rooms, v1: the page's crypto (static/js/e2e/crypto.js) gives exactly the answers that
// the Python implementation wrote into tests/vectors/e2e-v1.json, and refuses everything it refuses.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  V1,
  b64urlDecode,
  b64urlEncode,
  deriveKeys,
  newLinkSecret,
  newSalt,
  newSid,
  openEdit,
  openMessage,
  openName,
  sealEdit,
  sealMessage,
  sealName,
} from "../../static/js/e2e/crypto.js";

const SOURCE = new URL("../../static/js/e2e/crypto.js", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("../vectors/e2e-v1.json", import.meta.url), "utf8"));
const keyCases = new Map(vectors.keys.map((entry) => [entry.id, entry]));

// Each key is derived once (600,000 iterations and up cost a fraction of a second each).
const derived = new Map();
function keysFor(id) {
  if (!derived.has(id)) {
    const { password, salt, iter, link_secret: link } = keyCases.get(id);
    derived.set(id, deriveKeys(password, salt, iter, link));
  }
  return derived.get(id);
}
const messageKey = async (id) => (await keysFor(id)).messageKey;
const hex = (bytes) => Buffer.from(bytes).toString("hex");

describe("key derivation", () => {
  for (const entry of vectors.keys) {
    test(`${entry.id}: the verifier`, async () => {
      assert.equal((await keysFor(entry.id)).verifier, entry.verifier);
    });
  }

  test("an NFD password gives its NFC form's verifier, and the vectors do differ in form", async () => {
    assert.notEqual(keyCases.get("nfd").password, keyCases.get("non_ascii").password);
    assert.equal((await keysFor("nfd")).verifier, (await keysFor("non_ascii")).verifier);
  });

  test("the vectors cover the bounds: a 1,024-character password, 600,000 and 2,000,000 iterations", () => {
    assert.equal([...keyCases.get("long").password].length, 1024);
    const iterations = vectors.keys.map((entry) => entry.iter);
    assert.ok(iterations.includes(V1.iterMin) && iterations.includes(V1.iterMax));
  });

  test("the message key is AES-256-GCM and cannot be exported", async () => {
    const key = await messageKey("ascii");
    assert.equal(key.extractable, false);
    assert.deepEqual(key.algorithm, { name: "AES-GCM", length: 256 });
    assert.deepEqual([...key.usages].sort(), ["decrypt", "encrypt"]);
    await assert.rejects(globalThis.crypto.subtle.exportKey("raw", key));
  });

  test("progress is reported as phases", async () => {
    const { password, salt, iter, link_secret: link } = keyCases.get("ascii");
    const phases = [];
    await deriveKeys(password, salt, iter, link, (phase) => phases.push(phase));
    assert.deepEqual(phases, ["deriving", "done"]);
  });

  for (const entry of vectors.bad_kdf) {
    test(`refused: ${entry.why}`, async () => {
      await assert.rejects(deriveKeys(entry.password, entry.salt, entry.iter, entry.link_secret));
    });
  }
});

describe("room name", () => {
  for (const entry of vectors.names) {
    test(`${entry.key}: sealed as the vector, and opened`, async () => {
      const key = await messageKey(entry.key);
      assert.equal(await sealName(key, entry.salt, entry.name, { iv: entry.iv }), entry.name_ct);
      assert.equal(await openName(key, entry.salt, entry.name_ct), entry.name);
    });
  }

  for (const entry of vectors.bad_names) {
    test(`refused: ${entry.why}`, async () => {
      await assert.rejects(openName(await messageKey(entry.key), entry.salt, entry.name_ct));
    });
  }

  test("a fresh iv each time, and it still opens", async () => {
    const key = await messageKey("ascii");
    const salt = keyCases.get("ascii").salt;
    const [one, two] = [await sealName(key, salt, "Book club"), await sealName(key, salt, "Book club")];
    assert.notEqual(one, two);
    assert.equal(await openName(key, salt, two), "Book club");
  });
});

describe("messages", () => {
  for (const entry of vectors.messages) {
    test(`${entry.id}: sealed as the vector, and opened`, async () => {
      const key = await messageKey(entry.key);
      const where = { roomId: entry.room_id, from: entry.from, sid: b64urlDecode(entry.sid), n: entry.n };
      assert.deepEqual(await sealMessage(key, where, entry.message, { iv: entry.iv }), entry.envelope);
      assert.equal(b64urlDecode(entry.envelope.ct).length, entry.plaintext_bytes + 16);
      const opened = await openMessage(key, { roomId: entry.room_id, from: entry.from }, entry.envelope);
      assert.deepEqual(opened, entry.message);
    });
  }

  test("a sealed message opens only in its room, from its sender, with its sid and n", async () => {
    const key = await messageKey("ascii");
    const where = { roomId: "room", from: "someone", sid: newSid(), n: 5 };
    const envelope = await sealMessage(key, where, { a: "Ann", t: "<p>hi</p>", ts: 1 });
    await assert.rejects(openMessage(key, { roomId: "moor", from: "someone" }, envelope));
    await assert.rejects(openMessage(key, { roomId: "room", from: "someone else" }, envelope));
    await assert.rejects(openMessage(key, where, { ...envelope, sid: b64urlEncode(newSid()) }));
    await assert.rejects(openMessage(key, where, { ...envelope, n: 6 }));
    await assert.rejects(openMessage(await messageKey("wrong_link"), where, envelope));
  });

  for (const entry of vectors.opens) {
    test(`${entry.expect === null ? "refused" : "opens"}: ${entry.why}`, async () => {
      const where = { roomId: entry.room_id, from: entry.from };
      const opening = openMessage(await messageKey(entry.key), where, entry.envelope);
      if (entry.expect === null) await assert.rejects(opening);
      else assert.deepEqual(await opening, entry.expect);
    });
  }

  for (const entry of vectors.bad_seals) {
    test(`not sealed: ${entry.why}`, async () => {
      const where = { roomId: entry.room_id, from: entry.from, sid: entry.sid, n: entry.n };
      await assert.rejects(sealMessage(await messageKey(entry.key), where, entry.message));
    });
  }

  test("a fresh iv each time, and it still opens", async () => {
    const key = await messageKey("ascii");
    const where = { roomId: "room", from: "someone", sid: newSid(), n: 0 };
    const message = { a: "Ann", t: "<p>hi</p>", ts: 1 };
    const [one, two] = [await sealMessage(key, where, message), await sealMessage(key, where, message)];
    assert.notEqual(one.iv, two.iv);
    assert.deepEqual(await openMessage(key, where, two), message);
  });
});

describe("edits", () => {
  for (const entry of vectors.edits) {
    test(`${entry.id}: sealed as the vector, and opened for its message`, async () => {
      const key = await messageKey(entry.key);
      const ids = { roomId: entry.room_id, from: entry.from, messageId: entry.message_id };
      const where = { ...ids, sid: b64urlDecode(entry.sid), n: entry.n };
      assert.deepEqual(await sealEdit(key, where, entry.message, { iv: entry.iv }), entry.envelope);
      assert.equal(b64urlDecode(entry.envelope.ct).length, entry.plaintext_bytes + 16);
      assert.deepEqual(await openEdit(key, ids, entry.envelope), entry.message);
    });
  }

  for (const entry of vectors.edit_opens) {
    test(`${entry.expect === null ? "refused" : "opens"}: ${entry.why}`, async () => {
      const key = await messageKey(entry.key);
      const where = { roomId: entry.room_id, from: entry.from };
      const opening =
        entry.as === "edit"
          ? openEdit(key, { ...where, messageId: entry.message_id }, entry.envelope)
          : openMessage(key, where, entry.envelope);
      if (entry.expect === null) await assert.rejects(opening);
      else assert.deepEqual(await opening, entry.expect);
    });
  }

  for (const entry of vectors.bad_edit_seals) {
    test(`not sealed: ${entry.why}`, async () => {
      const { room_id: roomId, from, message_id: messageId, sid, n } = entry;
      await assert.rejects(sealEdit(await messageKey(entry.key), { roomId, from, messageId, sid, n }, entry.message));
    });
  }

  test("a sealed edit opens only for its message, author and room, and never as a message", async () => {
    const key = await messageKey("ascii");
    const where = { roomId: "room", from: "someone", messageId: "msg-1", sid: newSid(), n: 3 };
    const body = { a: "Ann", t: "<p>fixed</p>", ts: 1 };
    const edit = await sealEdit(key, where, body);
    const message = await sealMessage(key, where, body);
    assert.deepEqual(await openEdit(key, where, edit), body);
    await assert.rejects(openEdit(key, { ...where, messageId: "msg-2" }, edit));
    await assert.rejects(openEdit(key, { ...where, from: "someone else" }, edit));
    await assert.rejects(openEdit(key, { ...where, roomId: "moor" }, edit));
    await assert.rejects(openEdit(key, where, message));
    await assert.rejects(openMessage(key, where, edit));
  });
});

describe("base64url", () => {
  for (const { bytes_hex: bytesHex, text } of vectors.base64url.good) {
    test(`${JSON.stringify(text.slice(0, 12))}… both ways`, () => {
      assert.equal(b64urlEncode(Uint8Array.from(Buffer.from(bytesHex, "hex"))), text);
      assert.equal(hex(b64urlDecode(text)), bytesHex);
    });
  }

  for (const text of vectors.base64url.bad) {
    test(`refused: ${JSON.stringify(text)}`, () => {
      assert.throws(() => b64urlDecode(text));
    });
  }
});

test("random values have their sizes and differ", () => {
  assert.deepEqual([newLinkSecret().length, newSalt().length, newSid().length], [32, 16, 8]);
  assert.notEqual(hex(newLinkSecret()), hex(newLinkSecret()));
});

test("the module needs nothing but WebCrypto: no import, no Node or page globals", () => {
  const source = readFileSync(SOURCE, "utf8");
  assert.doesNotMatch(source, /^\s*import\b|\brequire\(|\bimport\(|\b(Buffer|process|window|document)\b/m);
});
