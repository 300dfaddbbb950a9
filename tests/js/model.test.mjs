// The client's message model: what the renderer is told, and what it holds.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { MAX_ENTRIES, createMessageModel } from "../../static/js/chat/model.js";

const ann = { id: "m1", from: "p-ann", alias: "ann", html: "hello", ts: 1 };
const bob = { id: "m2", from: "p-bob", alias: "bob", html: "hi ann", ts: 2 };
const cat = { id: "m3", from: "p-cat", alias: "cat", html: "hey all", ts: 3 };

let model;
let changes;

beforeEach(() => {
  model = createMessageModel();
  changes = [];
  model.onChange((change) => changes.push(change));
});

const ids = () => model.all().map((message) => message.id);

describe("add", () => {
  test("stores the message and tells listeners", () => {
    assert.equal(model.add(ann), true);
    assert.deepEqual(model.get("m1"), ann);
    assert.deepEqual(changes, [{ type: "add", id: "m1", message: ann }]);
  });

  test("keeps arrival order, whatever the ids or timestamps say", () => {
    model.add(cat);
    model.add(ann);
    model.add(bob);
    assert.deepEqual(ids(), ["m3", "m1", "m2"]);
    assert.equal(model.size, 3);
  });

  test("ignores a second message with an id already held: the first stays, nobody is told", () => {
    model.add(ann);
    assert.equal(model.add({ ...ann, html: "an impostor" }), false);
    assert.equal(model.get("m1").html, "hello");
    assert.equal(model.size, 1);
    assert.deepEqual(
      changes.map((change) => change.type),
      ["add"],
    );
  });

  for (const [name, message] of [
    ["no id", { alias: "ann", html: "x" }],
    ["an empty id", { id: "", html: "x" }],
    ["a number for an id", { id: 7, html: "x" }],
    ["nothing at all", undefined],
  ]) {
    test(`refuses a message with ${name}`, () => {
      assert.equal(model.add(message), false);
      assert.equal(model.size, 0);
      assert.deepEqual(changes, []);
    });
  }

  test("holds its own frozen copy: changing the server's object later changes nothing", () => {
    const incoming = { ...ann };
    model.add(incoming);
    incoming.html = "rewritten";
    assert.equal(model.get("m1").html, "hello");
    assert.ok(Object.isFrozen(model.get("m1")));
    // Modules are strict: writing to a frozen object throws.
    assert.throws(() => {
      model.get("m1").html = "tampered";
    }, TypeError);
  });
});

describe("update", () => {
  test("merges changes into one message, keeps its place and tells listeners", () => {
    model.add(ann);
    model.add(bob);
    model.add(cat);
    changes.length = 0;
    assert.equal(model.update("m2", { html: "hi ann (edited)", reactions: { "👍": 1 } }), true);
    assert.deepEqual(ids(), ["m1", "m2", "m3"]);
    const updated = { ...bob, html: "hi ann (edited)", reactions: { "👍": 1 } };
    assert.deepEqual(model.get("m2"), updated);
    assert.deepEqual(changes, [{ type: "update", id: "m2", message: updated }]);
  });

  test("cannot change a message's id", () => {
    model.add(ann);
    model.update("m1", { id: "m9", html: "edited" });
    assert.equal(model.get("m1").id, "m1");
    assert.equal(model.get("m9"), undefined);
  });

  test("for a message this page never saw does nothing and tells nobody", () => {
    model.add(ann);
    changes.length = 0;
    assert.equal(model.update("m404", { html: "edited" }), false);
    assert.equal(model.size, 1);
    assert.deepEqual(changes, []);
  });
});

describe("remove", () => {
  test("forgets one message, keeps the others in order and tells listeners what went", () => {
    model.add(ann);
    model.add(bob);
    model.add(cat);
    changes.length = 0;
    assert.equal(model.remove("m2"), true);
    assert.deepEqual(ids(), ["m1", "m3"]);
    assert.equal(model.get("m2"), undefined);
    assert.deepEqual(changes, [{ type: "remove", id: "m2", message: bob }]);
  });

  test("of an unknown id does nothing and tells nobody", () => {
    model.add(ann);
    changes.length = 0;
    assert.equal(model.remove("m404"), false);
    assert.equal(model.size, 1);
    assert.deepEqual(changes, []);
  });

  test("then add of the same id is a new message at the end", () => {
    model.add(ann);
    model.add(bob);
    model.remove("m1");
    assert.equal(model.add(ann), true);
    assert.deepEqual(ids(), ["m2", "m1"]);
  });
});

describe("clear", () => {
  test("forgets every message and tells listeners once", () => {
    model.add(ann);
    model.add(bob);
    changes.length = 0;
    model.clear();
    assert.equal(model.size, 0);
    assert.deepEqual(model.all(), []);
    assert.equal(model.get("m1"), undefined);
    assert.deepEqual(changes, [{ type: "clear", id: null, message: null }]);
  });

  test("tells listeners even when there was nothing to forget, so a wipe always reaches the screen", () => {
    model.clear();
    assert.deepEqual(changes, [{ type: "clear", id: null, message: null }]);
  });
});

describe("onChange", () => {
  test("tells every listener, in the order they subscribed", () => {
    const heard = [];
    model.onChange(({ type }) => heard.push(`second ${type}`));
    model.onChange(({ type }) => heard.push(`third ${type}`));
    model.add(ann);
    assert.deepEqual(changes.map(({ type }) => type), ["add"]);
    assert.deepEqual(heard, ["second add", "third add"]);
  });

  test("returns a function that stops the listener", () => {
    const heard = [];
    const stop = model.onChange((change) => heard.push(change.type));
    model.add(ann);
    stop();
    model.add(bob);
    model.remove("m1");
    assert.deepEqual(heard, ["add"]);
    assert.deepEqual(changes.map(({ type }) => type), ["add", "add", "remove"]);
  });

  test("a listener sees the model already changed", () => {
    const fresh = createMessageModel();
    const seen = [];
    fresh.onChange(({ id }) => seen.push([fresh.size, id && fresh.get(id)?.html]));
    fresh.add(ann);
    fresh.update("m1", { html: "edited" });
    fresh.remove("m1");
    fresh.clear();
    assert.deepEqual(seen, [
      [1, "hello"],
      [1, "edited"],
      [0, undefined],
      [0, null],
    ]);
  });
});

describe("note", () => {
  test("stores the page's own words as the newest entry, with an id no server message has", () => {
    model.add(ann);
    const id = model.note("bob joined");
    assert.deepEqual(ids(), ["m1", id]);
    assert.match(id, /:/); // message ids are URL-safe base64: never a ":"
    assert.deepEqual(model.get(id), { id, note: "bob joined" });
    assert.deepEqual(changes.at(-1), { type: "add", id, message: { id, note: "bob joined" } });
  });

  test("gives every note an id of its own, and clear forgets notes too", () => {
    const first = model.note("bob joined");
    const second = model.note("bob joined");
    assert.notEqual(first, second);
    model.clear();
    assert.equal(model.size, 0);
    assert.notEqual(model.note("bob left"), first);
  });
});

describe("the cap", () => {
  const message = (n) => ({ id: `m${n}`, from: "p-ann", alias: "ann", html: `number ${n}`, ts: n });

  test(`is ${MAX_ENTRIES} entries by default: the oldest goes, and listeners hear it go before the new one comes`, () => {
    for (let n = 1; n <= MAX_ENTRIES; n += 1) model.add(message(n));
    changes.length = 0;
    assert.equal(model.add(message(MAX_ENTRIES + 1)), true);
    assert.equal(model.size, MAX_ENTRIES);
    assert.equal(model.get("m1"), undefined);
    assert.equal(ids()[0], "m2");
    assert.equal(ids().at(-1), `m${MAX_ENTRIES + 1}`);
    assert.deepEqual(
      changes.map(({ type, id }) => [type, id]),
      [
        ["remove", "m1"],
        ["add", `m${MAX_ENTRIES + 1}`],
      ],
    );
  });

  test("counts notes and messages alike, so a flood of notes cannot grow the page either", () => {
    const small = createMessageModel({ maxEntries: 3 });
    const told = [];
    small.onChange(({ type, id }) => told.push([type, id]));
    small.add(ann);
    for (let n = 0; n < 1000; n += 1) small.note(n % 2 ? "bob left" : "bob joined");
    assert.equal(small.size, 3);
    assert.deepEqual(
      small.all().map((entry) => entry.note),
      ["bob left", "bob joined", "bob left"],
    );
    const added = told.filter(([type]) => type === "add").length;
    const removed = told.filter(([type]) => type === "remove").length;
    assert.equal(added - removed, 3); // the screen, following the changes, holds three entries too
  });

  test("a listener never sees the model over its cap", () => {
    const small = createMessageModel({ maxEntries: 2 });
    const sizes = [];
    small.onChange(() => sizes.push(small.size));
    for (let n = 1; n <= 5; n += 1) small.add(message(n));
    assert.ok(Math.max(...sizes) <= 2, sizes);
    assert.deepEqual(
      small.all().map((entry) => entry.id),
      ["m4", "m5"],
    );
  });

  test("a message dropped by the cap and delivered again is a new message at the end", () => {
    const small = createMessageModel({ maxEntries: 2 });
    small.add(ann);
    small.add(bob);
    small.add(cat);
    assert.equal(small.add(ann), true);
    assert.deepEqual(
      small.all().map((entry) => entry.id),
      ["m3", "m1"],
    );
  });
});
