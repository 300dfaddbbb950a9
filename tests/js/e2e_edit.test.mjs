// Edits in a server-blind room, as a reader's page takes them (static/js/e2e/room.js with the real crypto and
// message model): an edit opens only for the message it was sealed for, by that message's author, in this room;
// it runs on its author's counter with their messages; and every refusal is said while the text stays as it was.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { t } from "../../static/js/catalog.js";
import { createMessageModel } from "../../static/js/chat/model.js";
import { sealEdit } from "../../static/js/e2e/crypto.js";
import { createSealedRoom } from "../../static/js/e2e/room.js";
import { createSender, hold, messageKey } from "../../static/js/e2e/session.js";

const ROOM = "Qk3xR9vT2mPaL7wZ0yB4cA";
const ANN = { id: "p-ann", alias: "ann" };
const BOB = { id: "p-bob", alias: "bob" };
let serial = 0;

before(async () => {
  // Any AES-256-GCM key will do (the derivation has its own tests): the room's, held as a page holds it.
  const raw = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const key = await globalThis.crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  hold(key, "Book club");
});

/** One page of the room: its model, its sealed room (started: joined now), and who it is. */
function page(you, { roomId = ROOM, maxChars = 4000 } = {}) {
  const model = createMessageModel();
  const sealed = createSealedRoom({ roomId, maxChars, model, onAdded: () => {} });
  sealed.start();
  return { model, sealed, you };
}

/** What the server relays: a message with its stamps, and an edit naming its author. */
const relayed = (envelope, by, id = `m${(serial += 1)}`) => ({
  id,
  from: by.id,
  alias: by.alias,
  ts: Date.now(),
  e2e: envelope,
});
const edited = (envelope, id, by) => ({ id, from: by.id, e2e: envelope, edited_ts: Date.now() });

const notes = (model) => model.all().flatMap((entry) => (typeof entry.note === "string" ? [entry.note] : []));
const textOf = (model, id) => model.get(id)?.unsafeHtml;

/** `author` sends `text`; `reader` receives it; the relayed message. */
async function say(author, reader, text) {
  const message = relayed(await author.sealed.seal(text, author.you), author.you);
  await reader.sealed.receive(message);
  return message;
}

describe("an edit, opened for the message it names", () => {
  test("replaces the message's text, marked edited, and runs on its author's counter with their messages", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const first = await say(ann, reader, "hello");
    const envelope = await ann.sealed.sealEdit(first.id, "hello, *all*", ANN);
    assert.equal(envelope.n, first.e2e.n + 1);
    assert.equal(envelope.sid, first.e2e.sid);
    await reader.sealed.receiveEdit(edited(envelope, first.id, ANN));
    assert.equal(textOf(reader.model, first.id), "<p>hello, <em>all</em></p>");
    assert.equal(reader.model.get(first.id).edited, true);
    const next = await say(ann, reader, "and more");
    assert.equal(next.e2e.n, envelope.n + 1);
    assert.deepEqual(notes(reader.model), []);
  });

  test("goes through the page's own hook when it gives one", async () => {
    const ann = page(ANN);
    const model = createMessageModel();
    const calls = [];
    const onEdited = (...args) => calls.push(args);
    const sealed = createSealedRoom({ roomId: ROOM, maxChars: 4000, model, onAdded() {}, onEdited });
    sealed.start();
    const first = await say(ann, { sealed }, "hello");
    const envelope = await ann.sealed.sealEdit(first.id, "bye", ANN);
    await sealed.receiveEdit(edited(envelope, first.id, ANN));
    assert.deepEqual(calls, [[first.id, { unsafeHtml: "<p>bye</p>", sealed: envelope }]]);
    assert.equal(textOf(model, first.id), "<p>hello</p>");
  });

  test("is opened after what came before it, even when both arrive at once", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const message = relayed(await ann.sealed.seal("one", ANN), ANN);
    const change = edited(await ann.sealed.sealEdit(message.id, "two", ANN), message.id, ANN);
    reader.sealed.receive(message);
    await reader.sealed.receiveEdit(change);
    assert.equal(textOf(reader.model, message.id), "<p>two</p>");
  });
});

describe("an edit the relay changed is refused, said, and the text stays", () => {
  const undecryptable = t("e2e.edit.undecryptable", { alias: "ann" });

  test("re-pointed at another message of the same author", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const [one, two] = [await say(ann, reader, "one"), await say(ann, reader, "two")];
    await reader.sealed.receiveEdit(edited(await ann.sealed.sealEdit(one.id, "changed", ANN), two.id, ANN));
    assert.deepEqual([textOf(reader.model, one.id), textOf(reader.model, two.id)], ["<p>one</p>", "<p>two</p>"]);
    assert.deepEqual(notes(reader.model), [undecryptable]);
  });

  test("naming another author than the message's, or sealed by another author", async () => {
    const [ann, bob, reader] = [page(ANN), page(BOB), page({ id: "p-cy", alias: "cy" })];
    const one = await say(ann, reader, "one");
    const annsEdit = await ann.sealed.sealEdit(one.id, "by ann", ANN);
    await reader.sealed.receiveEdit(edited(annsEdit, one.id, BOB));
    // Bob holds the key too, but an edit he seals is bound to him, not to Ann's message.
    const bobsEdit = await bob.sealed.sealEdit(one.id, "by bob", BOB);
    await reader.sealed.receiveEdit(edited(bobsEdit, one.id, ANN));
    await reader.sealed.receiveEdit(edited(bobsEdit, one.id, BOB));
    assert.equal(textOf(reader.model, one.id), "<p>one</p>");
    assert.deepEqual(notes(reader.model), [undecryptable, undecryptable, undecryptable]);
  });

  test("sealed for another room", async () => {
    const [ann, elsewhere, reader] = [page(ANN), page(ANN, { roomId: `${ROOM.slice(0, -1)}B` }), page(BOB)];
    const one = await say(ann, reader, "one");
    await reader.sealed.receiveEdit(edited(await elsewhere.sealed.sealEdit(one.id, "moved", ANN), one.id, ANN));
    assert.equal(textOf(reader.model, one.id), "<p>one</p>");
    assert.deepEqual(notes(reader.model), [undecryptable]);
  });

  test("a message's envelope relayed as an edit, and an edit's relayed as a message", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const one = await say(ann, reader, "one");
    const later = await ann.sealed.seal("later", ANN);
    await reader.sealed.receiveEdit(edited(later, one.id, ANN));
    const change = await ann.sealed.sealEdit(one.id, "changed", ANN);
    await reader.sealed.receive(relayed(change, ANN, one.id));
    await reader.sealed.receive(relayed(change, ANN));
    assert.equal(textOf(reader.model, one.id), "<p>one</p>");
    assert.equal(reader.model.size, 4); // the message and three notes
    assert.deepEqual(notes(reader.model), [undecryptable, ...Array(2).fill(t("e2e.undecryptable", { alias: "ann" }))]);
  });

  test("replayed, or an older one after a newer: the newest text stays", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const one = await say(ann, reader, "one");
    const first = edited(await ann.sealed.sealEdit(one.id, "first", ANN), one.id, ANN);
    const second = edited(await ann.sealed.sealEdit(one.id, "second", ANN), one.id, ANN);
    await reader.sealed.receiveEdit(second);
    await reader.sealed.receiveEdit(first);
    await reader.sealed.receiveEdit(second);
    assert.equal(textOf(reader.model, one.id), "<p>second</p>");
    assert.deepEqual(notes(reader.model), [
      t("e2e.missing", { count: 1, alias: "ann" }), // the first edit, as far as the reader can tell then
      ...Array(2).fill(t("e2e.edit.refused.order", { alias: "ann" })),
    ]);
  });

  test("naming someone else inside than the message's author", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const one = await say(ann, reader, "one");
    const forged = await ann.sealed.sealEdit(one.id, "as bob", { id: ANN.id, alias: "bob" });
    await reader.sealed.receiveEdit(edited(forged, one.id, ANN));
    assert.equal(textOf(reader.model, one.id), "<p>one</p>");
    assert.deepEqual(notes(reader.model), [t("e2e.edit.refused.alias", { alias: "ann" })]);
  });
});

describe("an edit of a message this page does not show", () => {
  test("changes nothing on screen, says nothing, and its counter is taken, so no message looks missing", async () => {
    const [ann, early] = [page(ANN), page(BOB)];
    const one = await say(ann, early, "before you came");
    const late = page({ id: "p-cy", alias: "cy" });
    await say(ann, late, "hello");
    const change = edited(await ann.sealed.sealEdit(one.id, "changed", ANN), one.id, ANN);
    await late.sealed.receiveEdit(change);
    await say(ann, late, "after");
    assert.deepEqual(notes(late.model), []);
    assert.equal(late.model.get(one.id), undefined);
    assert.equal(late.model.size, 2);
  });

  test("a gap before it is still said, with the author's name", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    await say(ann, reader, "one");
    await ann.sealed.seal("held back by the relay", ANN);
    const change = await ann.sealed.sealEdit("m-gone", "changed", ANN);
    await reader.sealed.receiveEdit(edited(change, "m-gone", ANN));
    assert.deepEqual(notes(reader.model), [t("e2e.missing", { count: 1, alias: "ann" })]);
  });

  test("a note's id, an unsent message, and an edit without id or author change nothing", async () => {
    const [ann, reader] = [page(ANN), page(BOB)];
    const one = await say(ann, reader, "one");
    reader.model.update(one.id, { removed: true });
    await reader.sealed.receiveEdit(edited(await ann.sealed.sealEdit(one.id, "back", ANN), one.id, ANN));
    assert.equal(textOf(reader.model, one.id), "<p>one</p>");
    const note = reader.model.note("a note");
    for (const change of [
      edited(await ann.sealed.sealEdit(note, "x", ANN), note, ANN),
      { e2e: await ann.sealed.sealEdit("m", "x", ANN), from: ANN.id },
      { id: "m", e2e: await ann.sealed.sealEdit("m", "x", ANN) },
      null,
    ]) {
      await reader.sealed.receiveEdit(change);
    }
    assert.deepEqual(notes(reader.model), ["a note"]);
  });
});

describe("sealing an edit", () => {
  test("too large to seal gives null and keeps the counter for the next", async () => {
    const ann = page(ANN, { maxChars: 100_000 });
    assert.equal(await ann.sealed.sealEdit("m1", "<".repeat(10_000), ANN), null);
    assert.equal((await ann.sealed.seal("hi", ANN)).n, 0);
  });

  test("a refused edit gives its counter back while it is the latest", async () => {
    const ann = page(ANN);
    const change = await ann.sealed.sealEdit("m1", "x", ANN);
    ann.sealed.refused(change);
    assert.equal((await ann.sealed.seal("hi", ANN)).n, change.n);
  });

  test("the sender's envelope is the crypto's, with the edit label and the message id", async () => {
    const sender = createSender();
    const body = { a: "ann", t: "<p>x</p>", ts: 1 };
    const one = await sender.sealEdit({ roomId: ROOM, from: ANN.id }, "m1", body);
    const where = { roomId: ROOM, from: ANN.id, messageId: "m1", sid: one.sid, n: 0 };
    assert.deepEqual(await sealEdit(messageKey(), where, body, { iv: one.iv }), one);
  });
});
