// Typing, without a browser: when a page tells the room it types (throttled, stopped on idle, on send, when
// switched off), and whom a reader shows as typing (forgotten without a refresh), on a fake clock.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import {
  FORGET_MS,
  IDLE_MS,
  MAX_TYPING,
  SEND_EVERY_MS,
  createTypingReceiver,
  createTypingSender,
  typingWords,
} from "../../static/js/chat/typing.js";

/** A clock and timers that move only when the test says: `advance(ms)` runs what falls due, in order. */
function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map(); // id -> {due, run}
  return {
    now: () => now,
    setTimer(run, ms) {
      const id = nextId++;
      timers.set(id, { due: now + ms, run });
      return id;
    },
    clearTimer: (id) => timers.delete(id),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.due <= until).sort((a, b) => a[1].due - b[1].due)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].due;
        due[1].run();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}

describe("the sender", () => {
  let clock;
  let sent;
  let sender;
  beforeEach(() => {
    clock = fakeClock();
    sent = [];
    sender = createTypingSender({ emit: (on) => sent.push([clock.now(), on]), ...clock });
  });

  test("the first keystroke says on; more within SEND_EVERY_MS say nothing; typing on says on again", () => {
    sender.input(true);
    for (let ms = 500; ms < SEND_EVERY_MS; ms += 500) {
      clock.advance(500);
      sender.input(true);
    }
    assert.deepEqual(sent, [[0, true]]);
    clock.advance(500);
    sender.input(true);
    assert.deepEqual(sent, [
      [0, true],
      [SEND_EVERY_MS, true],
    ]);
  });

  test("IDLE_MS without a keystroke says off, once", () => {
    sender.input(true);
    clock.advance(IDLE_MS - 1);
    assert.deepEqual(sent, [[0, true]]);
    clock.advance(1);
    assert.deepEqual(sent, [
      [0, true],
      [IDLE_MS, false],
    ]);
    clock.advance(IDLE_MS * 3);
    assert.equal(sent.length, 2);
    assert.equal(clock.pending(), 0);
  });

  test("each keystroke puts the idle stop off again", () => {
    sender.input(true);
    clock.advance(IDLE_MS - 1000);
    sender.input(true);
    clock.advance(IDLE_MS - 1000);
    assert.ok(sent.every(([, on]) => on));
  });

  test("stop (a send, a blur) says off at once, only after an on, and only once", () => {
    sender.stop();
    assert.deepEqual(sent, []);
    sender.input(true);
    sender.stop();
    sender.stop();
    assert.deepEqual(sent, [
      [0, true],
      [0, false],
    ]);
    assert.equal(clock.pending(), 0, "no idle timer left to say off again");
  });

  test("a box emptied by hand says off; after a stop the next keystroke says on at once", () => {
    sender.input(true);
    clock.advance(100);
    sender.input(false);
    clock.advance(100);
    sender.input(true);
    assert.deepEqual(sent, [
      [0, true],
      [100, false],
      [200, true],
    ]);
  });

  test("switched off: an off goes at once, then nothing while typing, until switched on", () => {
    sender.input(true);
    sender.setEnabled(false);
    assert.equal(sender.enabled, false);
    for (let i = 0; i < 5; i += 1) {
      clock.advance(SEND_EVERY_MS);
      sender.input(true);
    }
    clock.advance(IDLE_MS);
    assert.deepEqual(sent, [
      [0, true],
      [0, false],
    ]);
    sender.setEnabled(true);
    sender.input(true);
    assert.deepEqual(sent.at(-1), [clock.now(), true]);
  });

  test("starts switched on", () => {
    assert.equal(sender.enabled, true);
  });
});

describe("the receiver", () => {
  let clock;
  let seen;
  let receiver;
  beforeEach(() => {
    clock = fakeClock();
    seen = [];
    receiver = createTypingReceiver({ ...clock, onChange: (ids) => seen.push(ids) });
  });

  test("an on shows someone; a refresh keeps them where they were; an off takes them away", () => {
    receiver.heard("p-ann", true);
    receiver.heard("p-bob", true);
    receiver.heard("p-ann", true);
    assert.deepEqual(seen, [["p-ann"], ["p-ann", "p-bob"]]);
    receiver.heard("p-ann", false);
    assert.deepEqual(seen.at(-1), ["p-bob"]);
    assert.deepEqual(receiver.ids(), ["p-bob"]);
  });

  test("someone not refreshed for FORGET_MS is forgotten; a refresh in time keeps them", () => {
    receiver.heard("p-ann", true);
    receiver.heard("p-bob", true);
    clock.advance(FORGET_MS - 1000);
    receiver.heard("p-bob", true);
    clock.advance(999);
    assert.deepEqual(receiver.ids(), ["p-ann", "p-bob"]);
    clock.advance(1);
    assert.deepEqual(seen.at(-1), ["p-bob"]);
    clock.advance(FORGET_MS);
    assert.deepEqual(seen.at(-1), []);
    assert.equal(clock.pending(), 0);
  });

  test("drop (their message came, they left) and clear forget at once", () => {
    receiver.heard("p-ann", true);
    receiver.heard("p-bob", true);
    receiver.drop("p-ann");
    assert.deepEqual(seen.at(-1), ["p-bob"]);
    receiver.drop("p-nobody");
    assert.equal(seen.length, 3);
    receiver.clear();
    assert.deepEqual(seen.at(-1), []);
    assert.equal(clock.pending(), 0);
  });

  for (const [name, from, on] of [
    ["no sender", undefined, true],
    ["an empty sender", "", true],
    ["a number for a sender", 7, true],
    ["no on", "p-ann", undefined],
    ["a string for on", "p-ann", "true"],
    ["a number for on", "p-ann", 1],
  ]) {
    test(`ignores ${name}`, () => {
      receiver.heard(from, on);
      assert.deepEqual(seen, []);
      assert.deepEqual(receiver.ids(), []);
    });
  }

  test(`keeps at most ${MAX_TYPING} people`, () => {
    for (let i = 0; i < MAX_TYPING + 20; i += 1) receiver.heard(`p-${i}`, true);
    assert.equal(receiver.ids().length, MAX_TYPING);
  });
});

describe("the line's words", () => {
  const TABLE = [
    [[], null],
    [["ann"], ["typing.one", { alias: "ann" }]],
    [["ann", "bob"], ["typing.two", { first: "ann", second: "bob" }]],
    [["ann", "bob", "cat"], ["typing.many", {}]],
    [["ann", "bob", "cat", "dan"], ["typing.many", {}]],
  ];
  for (const [aliases, words] of TABLE) {
    test(`for ${aliases.length} typing`, () => {
      assert.deepEqual(typingWords(aliases), words);
    });
  }
});
