// A sentence of the catalog with what people typed in it (chat/bidi.js): each typed value comes out as a part of
// its own, for the renderer's <bdi>, wherever the language's table puts it; the page's own numbers stay words.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { sentence } from "../../static/js/chat/bidi.js";
import { createMessageModel } from "../../static/js/chat/model.js";

describe("sentence", () => {
  test("an alias is a part of its own, and the text is the plain sentence", () => {
    assert.deepEqual(sentence("note.joined", { alias: "ann" }), {
      text: "ann joined",
      parts: [{ isolate: "ann" }, " joined"],
    });
  });

  test("an alias in Arabic script is kept whole, in order, apart from the words", () => {
    const { text, parts } = sentence("kick.title", { alias: "سارة 2" });
    assert.equal(text, "Remove سارة 2 from the room?");
    assert.deepEqual(parts, ["Remove ", { isolate: "سارة 2" }, " from the room?"]);
  });

  test("two people typing: each alias isolated on its own", () => {
    const { parts } = sentence("typing.two", { first: "ann", second: "مريم" });
    assert.deepEqual(parts, [{ isolate: "ann" }, " and ", { isolate: "مريم" }, " are typing…"]);
  });

  test("a count is the page's own word, filled in the text; the plural follows it", () => {
    const { parts } = sentence("history.shared", { alias: "bob", count: 2 });
    assert.deepEqual(parts[0], { isolate: "bob" });
    assert.equal(parts.length, 2);
    assert.match(parts[1], /^ shared 2 earlier messages with you\./);
  });

  test("a value that looks like a slot is a value, never read as one", () => {
    const { text, parts } = sentence("history.shared", { alias: "{count} {alias}", count: 1 });
    assert.deepEqual(parts[0], { isolate: "{count} {alias}" });
    assert.match(parts[1], /^ shared 1 earlier message with you\./);
    assert.match(text, /^\{count\} \{alias\} shared 1 earlier message/);
  });

  test("a link's host and a file's name are isolated too", () => {
    assert.deepEqual(sentence("media.load.image", { host: "example.org" }).parts, [
      "Load image from ",
      { isolate: "example.org" },
    ]);
    assert.deepEqual(sentence("files.sending", { name: "تقرير.pdf" }).parts, ["Sending ", { isolate: "تقرير.pdf" }]);
  });

  test("words without a typed value are one part", () => {
    assert.deepEqual(sentence("note.reconnected").parts, [sentence("note.reconnected").text]);
  });
});

describe("a note that holds a sentence", () => {
  test("the model keeps its text and its parts; a plain note stays text alone", () => {
    const model = createMessageModel();
    const said = model.note(sentence("note.left", { alias: "bob" }));
    assert.deepEqual(model.get(said), { id: said, note: "bob left", parts: [{ isolate: "bob" }, " left"] });
    const plain = model.note("bob joined");
    assert.deepEqual(model.get(plain), { id: plain, note: "bob joined" });
  });
});
