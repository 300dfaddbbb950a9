// The client's message model: what the renderer is told, and what it holds.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { createMessageModel } from "../../static/js/chat/model.js";

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
