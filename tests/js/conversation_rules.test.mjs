// Mentions, disappearing messages and vanish on leave, without a browser: what names whom, and what a room's
// rules take off a screen and when, on the real message model with timers that move only when the test says.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { setUpForgetting } from "../../static/js/chat/forgetting.js";
import { mentions } from "../../static/js/chat/mentions.js";
import { createMessageModel } from "../../static/js/chat/model.js";
import { presenceChanges, roomState } from "../../static/js/chat/roles.js";
import { apiRules } from "../../static/js/room_options.js";
import { fakeTimers } from "./fake_timers.mjs";

describe("mentions", () => {
  test("@alias names its person, in any case and compatibility form, anywhere in the text", () => {
    assert.ok(mentions("@ann can you look?", "ann"));
    assert.ok(mentions("thanks, @Ann!", "ANN"));
    assert.ok(mentions("(@ｂｏｂ)", "bob")); // full-width letters fold as aliases do
    assert.ok(mentions("cc @Ann Lee.", "Ann Lee"));
    assert.ok(mentions("@zoë", "Zoë"));
  });

  test("not inside a word, not a longer name, not without the @", () => {
    assert.equal(mentions("mail ann@example.org", "example"), false);
    assert.equal(mentions("@anna", "ann"), false);
    assert.equal(mentions("@ann_b", "ann"), false);
    assert.equal(mentions("ann, look", "ann"), false);
    assert.equal(mentions("@an", "ann"), false);
    assert.ok(mentions("@anna and @ann", "ann")); // a later one still counts
  });

  test("no alias, no mention", () => {
    assert.equal(mentions("@ hello", ""), false);
    assert.equal(mentions("@null", null), false);
    assert.equal(mentions("@ ", " "), false);
  });
});


const message = (id, from) => ({ id, from, alias: from, html: `<p>${id}</p>`, ts: 0 });

function room(rules) {
  const timers = fakeTimers();
  const model = createMessageModel();
  const forgetting = setUpForgetting(model, () => rules, timers);
  return { timers, model, forgetting, ids: () => model.all().map((entry) => entry.id) };
}

describe("disappearing messages", () => {
  test("each message leaves this screen its room's seconds after it arrived here, notes stay", () => {
    const { timers, model, ids } = room(roomState({ disappear: 30 }));
    model.add(message("m1", "ann"));
    timers.advance(10_000);
    model.add(message("m2", "bob"));
    const note = model.note("bob joined");
    timers.advance(19_999);
    assert.deepEqual(ids(), ["m1", "m2", note]);
    timers.advance(1);
    assert.deepEqual(ids(), ["m2", note]);
    timers.advance(10_000);
    assert.deepEqual(ids(), [note]);
  });

  test("a room without them keeps every message and sets no timer", () => {
    const { timers, model, ids } = room(roomState({}));
    model.add(message("m1", "ann"));
    timers.advance(3_600_000);
    assert.deepEqual(ids(), ["m1"]);
    assert.equal(timers.pending, 0);
  });

  test("a message that went another way (unsent, the cap, a wipe) leaves no timer behind", () => {
    const { timers, model } = room(roomState({ disappear: 300 }));
    model.add(message("m1", "ann"));
    model.add(message("m2", "ann"));
    model.remove("m1");
    assert.equal(timers.pending, 1);
    model.clear();
    assert.equal(timers.pending, 0);
  });
});

describe("vanish on leave", () => {
  test("a leaver's messages leave this screen; everyone else's stay", () => {
    const { model, forgetting, ids } = room(roomState({ vanish: true }));
    model.add(message("m1", "ann"));
    model.add(message("m2", "bob"));
    model.add(message("m3", "ann"));
    forgetting.left("ann");
    assert.deepEqual(ids(), ["m2"]);
  });

  test("in a room that did not choose it, nothing goes", () => {
    const { model, forgetting, ids } = room(roomState({ vanish: false }));
    model.add(message("m1", "ann"));
    forgetting.left("ann");
    assert.deepEqual(ids(), ["m1"]);
  });
});

describe("presenceChanges", () => {
  const byId = (list) => new Map(list.map(([id, alias, role]) => [id, { alias, role }]));

  test("arrivals and departures with their ids, then role changes, yours in the second person", () => {
    const before = byId([["a", "ann", "host"], ["b", "bob", "member"], ["c", "cat", "member"]]);
    const after = byId([["a", "ann", "member"], ["b", "bob", "host"], ["d", "dan", "member"]]);
    assert.deepEqual(presenceChanges(before, after, "a"), {
      notes: [["note.joined", "dan"], ["note.left", "cat"], ["note.you_member", "ann"], ["note.host", "bob"]],
      arrived: ["d"],
      left: ["c"],
    });
  });
});

describe("the room's rules", () => {
  test("roomState keeps disappear and vanish, and reads anything else as off", () => {
    assert.equal(roomState({ disappear: 300, vanish: true }).disappear, 300);
    assert.equal(roomState({ disappear: 300, vanish: true }).vanish, true);
    assert.deepEqual([roomState({ disappear: "30" }).disappear, roomState({ vanish: "yes" }).vanish], [0, false]);
  });

  test("apiRules sends disappear in seconds, and vanish and history only when ticked", () => {
    assert.deepEqual(apiRules({ disappear: "300", vanish: true }), { disappear: 300, vanish: true });
    assert.deepEqual(apiRules({ history: true }), { history: true });
    assert.deepEqual(apiRules({ disappear: "", vanish: false, history: false }), {});
  });
});
