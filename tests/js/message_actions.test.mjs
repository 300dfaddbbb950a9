// Message actions in the client's model, without a browser: what `edited`, `unsent` and `reactions` change,
// what a reply shows of its original, what the actions menu offers, and the source text kept for editing.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import {
  REACTIONS,
  applyEdit,
  applyReactions,
  applyUnsent,
  carryReplies,
  cleanReactions,
  offered,
  reactionChips,
  replyTarget,
  shortQuote,
} from "../../static/js/chat/changes.js";
import { reactedBy } from "../../static/js/chat/decor.js";
import { createMessageModel } from "../../static/js/chat/model.js";

const ann = { id: "m1", from: "p-ann", alias: "ann", html: "<p>the plan</p>", ts: 1 };
const bob = { id: "m2", from: "p-bob", alias: "bob", html: "<p>agreed</p>", ts: 2, reply_to: "m1" };

let model;
let changes;
beforeEach(() => {
  model = createMessageModel();
  model.add(ann);
  model.add(bob);
  changes = [];
  model.onChange((change) => changes.push(change));
});

describe("reactions", () => {
  test("the eight emoji the server counts", () => {
    assert.deepEqual(REACTIONS, ["👍", "❤️", "😂", "😮", "😢", "🙏", "👎", "🔥"]);
  });

  test("kept in the offered order, ids once each in the order they reacted", () => {
    const clean = cleanReactions({ "🔥": ["p-bob"], "👍": ["p-ann", "p-bob", "p-ann"] });
    assert.deepEqual(Object.entries(clean), [
      ["👍", ["p-ann", "p-bob"]],
      ["🔥", ["p-bob"]],
    ]);
  });

  for (const [name, payload] of [
    ["nothing", undefined],
    ["a list", ["👍"]],
    ["a string", "👍"],
    ["an unknown emoji", { "💩": ["p-ann"] }],
    ["ids that are not a list", { "👍": "p-ann" }],
    ["ids that are not strings", { "👍": [1, null, {}, ""] }],
    ["an emoji nobody holds", { "👍": [] }],
    ["an inherited emoji", Object.create({ "👍": ["p-ann"] })],
  ]) {
    test(`a payload with ${name} shows none`, () => {
      assert.deepEqual(cleanReactions(payload), {});
    });
  }

  test("the server's count replaces the message's, and the screen is told", () => {
    assert.equal(applyReactions(model, "m1", { "👍": ["p-bob"] }), true);
    assert.deepEqual(model.get("m1").reactions, { "👍": ["p-bob"] });
    assert.equal(applyReactions(model, "m1", {}), true);
    assert.deepEqual(model.get("m1").reactions, {});
    assert.deepEqual(
      changes.map(({ type, id }) => [type, id]),
      [
        ["update", "m1"],
        ["update", "m1"],
      ],
    );
  });

  test("not for a message this page lacks, a note, or one that was unsent", () => {
    const note = model.note("ann joined");
    applyUnsent(model, { id: "m2" });
    changes.length = 0;
    for (const id of ["nope", note, "m2", undefined, 7]) assert.equal(applyReactions(model, id, { "👍": ["p-ann"] }), false);
    assert.deepEqual(changes, []);
  });

  test("chips say the count and whether this page holds one", () => {
    const chips = reactionChips(cleanReactions({ "👍": ["p-ann", "p-bob"], "😂": ["p-bob"] }), "p-ann");
    assert.deepEqual(
      chips.map(({ emoji, count, mine }) => [emoji, count, mine]),
      [
        ["👍", 2, true],
        ["😂", 1, false],
      ],
    );
    assert.deepEqual(reactionChips(undefined, "p-ann"), []);
    assert.equal(reactionChips({ "👍": ["p-ann"] }, null)[0].mine, false);
  });
});

describe("who reacted", () => {
  const here = new Map([
    ["p-ann", "ann"],
    ["p-bob", "bob"],
  ]);
  const aliasOf = (id) => here.get(id) ?? null;
  const TABLE = [
    [["p-bob"], "bob"],
    [["p-ann", "p-bob"], "you, bob"],
    [["p-bob", "p-gone"], "bob, someone who left"],
    [["p-gone", "p-bob", "p-left", "p-ann"], "bob, you, 2 people who left"],
  ];
  for (const [ids, names] of TABLE) {
    test(`${ids.join(" ")}: ${names}`, () => {
      assert.equal(reactedBy(ids, "p-ann", aliasOf), names);
    });
  }
});

describe("edit", () => {
  test("the new text replaces the old, marked edited, in its place", () => {
    assert.equal(applyEdit(model, "m1", { html: "<p>the new plan</p>" }), true);
    assert.equal(model.get("m1").html, "<p>the new plan</p>");
    assert.equal(model.get("m1").edited, true);
    assert.deepEqual(
      model.all().map(({ id }) => id),
      ["m1", "m2"],
    );
  });

  test("a server-blind room's opened edit replaces the opened text", () => {
    model.add({ id: "s1", from: "p-ann", alias: "ann", unsafeHtml: "<p>sealed</p>", ts: 3 });
    assert.equal(applyEdit(model, "s1", { unsafeHtml: "<p>resealed</p>" }), true);
    assert.equal(model.get("s1").unsafeHtml, "<p>resealed</p>");
  });

  for (const [name, id, body] of [
    ["a message this page lacks", "nope", { html: "x" }],
    ["a body without text", "m1", { html: 7 }],
    ["no body", "m1", undefined],
  ]) {
    test(`changes nothing for ${name}`, () => {
      assert.equal(applyEdit(model, id, body), false);
      assert.equal(model.get("m1").html, ann.html);
      assert.deepEqual(changes, []);
    });
  }

  test("an edit that comes after the unsend does not bring the text back", () => {
    applyUnsent(model, { id: "m1" });
    assert.equal(applyEdit(model, "m1", { html: "<p>back</p>" }), false);
    assert.equal(model.get("m1").html, undefined);
  });
});

describe("unsend", () => {
  test("the message keeps its place and its author and loses everything it said", () => {
    applyReactions(model, "m2", { "👍": ["p-ann"] });
    model.keepSource("m2", "agreed");
    applyEdit(model, "m2", { html: "<p>agreed!</p>" });
    assert.equal(applyUnsent(model, { id: "m2" }), true);
    assert.deepEqual({ ...model.get("m2") }, { id: "m2", from: "p-bob", alias: "bob", ts: 2, removed: true });
    assert.equal(model.sourceOf("m2"), undefined);
    assert.deepEqual(
      model.all().map(({ id }) => id),
      ["m1", "m2"],
    );
    assert.equal(changes.at(-1).type, "update");
    assert.ok(!JSON.stringify(model.all()).includes("agreed"), "no text of it is left in the model");
  });

  test("a second unsend, a note, or a message this page lacks change nothing", () => {
    applyUnsent(model, { id: "m1" });
    const note = model.note("bob left");
    changes.length = 0;
    for (const payload of [{ id: "m1" }, { id: note }, { id: "nope" }, {}, undefined, { id: ["m2"] }]) {
      assert.equal(applyUnsent(model, payload), false);
    }
    assert.deepEqual(changes, []);
  });
});

describe("a reply's quote", () => {
  test("shows the original while this page has it", () => {
    assert.deepEqual(replyTarget(model, "m1"), { state: "shown", alias: "ann", id: "m1" });
  });

  test("says the original was removed once it is unsent", () => {
    applyUnsent(model, { id: "m1" });
    assert.deepEqual(replyTarget(model, "m1"), { state: "removed", alias: "ann" });
  });

  for (const [name, replyTo] of [
    ["a message this page never had", "m0"],
    ["no id", undefined],
    ["an id that is not text", 1],
  ]) {
    test(`says the original is no longer shown for ${name}`, () => {
      assert.deepEqual(replyTarget(model, replyTo), { state: "gone" });
    });
  }

  test("says the original is no longer shown once the model let it go, and for a note's id", () => {
    const small = createMessageModel({ maxEntries: 2 });
    small.add(ann);
    small.add(bob);
    const note = small.note("cat joined"); // the cap drops m1
    assert.deepEqual(replyTarget(small, "m1"), { state: "gone" });
    assert.deepEqual(replyTarget(small, note), { state: "gone" });
  });

  const QUOTES = [
    ["short", "the plan", "the plan"],
    ["white space folded", "  the\n\n plan\t now ", "the plan now"],
    ["long, cut with an ellipsis", "a".repeat(100), `${"a".repeat(79)}…`],
    ["emoji never split", "🔥".repeat(100), `${"🔥".repeat(79)}…`],
  ];
  for (const [name, text, expected] of QUOTES) {
    test(`quotes ${name}`, () => {
      assert.equal(shortQuote(text), expected);
      assert.ok([...shortQuote(text)].length <= 80);
    });
  }

  test("a server-blind room's reply_to, outside the envelope, joins the message as it is opened", () => {
    const carried = carryReplies(model);
    carried.expect({ id: "s1", reply_to: "m1", e2e: {} });
    carried.expect({ id: "s2", reply_to: 7 });
    assert.equal(carried.model.add({ id: "s1", from: "p-bob", alias: "bob", unsafeHtml: "x", ts: 3 }), true);
    assert.equal(carried.model.add({ id: "s2", from: "p-bob", alias: "bob", unsafeHtml: "y", ts: 4 }), true);
    carried.expect({ id: "s3", reply_to: "m1" });
    carried.done("s3"); // refused: never added
    carried.model.add({ id: "s3", from: "p-bob", alias: "bob", unsafeHtml: "z", ts: 5 });
    assert.equal(model.get("s1").reply_to, "m1");
    assert.equal(model.get("s2").reply_to, undefined);
    assert.equal(model.get("s3").reply_to, undefined);
    assert.equal(carried.model.get("s1"), model.get("s1"));
  });
});

describe("what the menu offers", () => {
  const TABLE = [
    ["another's message", ann, { youId: "p-bob", canWrite: true }, { react: true, reply: true, edit: false, unsend: false }],
    ["one's own, source kept", bob, { youId: "p-bob", canWrite: true, source: "agreed" }, { react: true, reply: true, edit: true, unsend: true }],
    ["one's own, no source (another tab sent it)", bob, { youId: "p-bob", canWrite: true }, { react: true, reply: true, edit: false, unsend: true }],
    ["a reader's view of a broadcast", ann, { youId: "p-bob", canWrite: false }, { react: true, reply: false, edit: false, unsend: false }],
    ["before welcome", ann, { youId: null, canWrite: true }, { react: true, reply: true, edit: false, unsend: false }],
    ["an unsent message", { ...bob, removed: true }, { youId: "p-bob", canWrite: true, source: "x" }, { react: false, reply: false, edit: false, unsend: false }],
    ["a note", { id: "note:1", note: "ann joined" }, { youId: "p-bob", canWrite: true }, { react: false, reply: false, edit: false, unsend: false }],
    ["nothing", undefined, { youId: "p-bob", canWrite: true }, { react: false, reply: false, edit: false, unsend: false }],
  ];
  for (const [name, message, page, expected] of TABLE) {
    test(`on ${name}`, () => {
      assert.deepEqual({ ...offered(message, page) }, expected);
    });
  }
});

describe("the source text of one's own messages", () => {
  test("kept for a message, also when the ack comes before the message", () => {
    model.keepSource("m1", "the **plan**");
    model.keepSource("m9", "not here yet");
    model.add({ id: "m9", from: "p-ann", alias: "ann", html: "x", ts: 9 });
    assert.equal(model.sourceOf("m1"), "the **plan**");
    assert.equal(model.sourceOf("m9"), "not here yet");
  });

  test("dropped with the message: removed past the cap, replaced, cleared", () => {
    const small = createMessageModel({ maxEntries: 2 });
    small.add(ann);
    small.keepSource("m1", "the plan");
    small.add(bob);
    small.keepSource("m2", "agreed");
    small.add({ id: "m3", from: "p-ann", alias: "ann", html: "x", ts: 3 });
    assert.equal(small.sourceOf("m1"), undefined);
    small.replace("m2", { from: "p-bob", alias: "bob", ts: 2, removed: true });
    assert.equal(small.sourceOf("m2"), undefined);
    small.keepSource("m3", "x");
    small.clear();
    assert.equal(small.sourceOf("m3"), undefined);
  });

  test("at most as many as the entries, however many acks never see their message", () => {
    const small = createMessageModel({ maxEntries: 3 });
    for (let i = 0; i < 10; i += 1) small.keepSource(`x${i}`, `text ${i}`);
    assert.equal(small.sourceOf("x6"), undefined);
    assert.equal(small.sourceOf("x9"), "text 9");
    assert.equal(small.sourceOf("x7"), "text 7");
  });

  test("ignores what is not an id and text", () => {
    model.keepSource("", "x");
    model.keepSource("m1", 7);
    assert.equal(model.sourceOf(""), undefined);
    assert.equal(model.sourceOf("m1"), undefined);
  });
});

describe("replace", () => {
  test("puts a new entry in place of a message, told as an update; false for one this page lacks", () => {
    assert.equal(model.replace("m1", { from: "p-ann", alias: "ann", ts: 1, removed: true }), true);
    assert.equal(model.replace("nope", { removed: true }), false);
    assert.deepEqual(
      changes.map(({ type, id }) => [type, id]),
      [["update", "m1"]],
    );
    assert.equal(model.get("m1").id, "m1");
    assert.equal(model.get("m1").html, undefined);
  });
});
