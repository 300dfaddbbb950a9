// Runs of one person's messages and each person's colour.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { COLOURS, RUN_WITHIN_MS, colourOf, continuesRun } from "../../static/js/chat/grouping.js";

const at = (from, ts) => ({ from, ts });

describe("continuesRun", () => {
  test("the same person soon after continues the run", () => {
    assert.equal(continuesRun(at("p-ann", 1000), at("p-ann", 1000 + RUN_WITHIN_MS - 1)), true);
  });

  test("another person, a long pause, or nothing before starts a new one", () => {
    assert.equal(continuesRun(at("p-ann", 1000), at("p-bob", 1001)), false);
    assert.equal(continuesRun(at("p-ann", 1000), at("p-ann", 1000 + RUN_WITHIN_MS)), false);
    assert.equal(continuesRun(null, at("p-ann", 1000)), false);
  });

  test("a message stamped earlier than the one above it starts a new run", () => {
    assert.equal(continuesRun(at("p-ann", 5000), at("p-ann", 4000)), false);
  });
});

describe("colourOf", () => {
  test("is one of the palette's colours and the same every time", () => {
    for (const id of ["a", "p-ann", "Zx9_-Q", "é", "🙂"]) {
      const colour = colourOf(id);
      assert.ok(Number.isInteger(colour) && colour >= 0 && colour < COLOURS, `${id}: ${colour}`);
      assert.equal(colourOf(id), colour);
    }
  });

  test("spreads participant ids over the whole palette", () => {
    const seen = new Set();
    for (let n = 0; n < 200; n++) seen.add(colourOf(`participant-${n}`));
    assert.equal(seen.size, COLOURS);
  });

  test("matches the written-out hash the browser tests use", () => {
    // 31-based string hash over code points, unsigned 32-bit, modulo the palette (tests/browser/test_messenger.py).
    let value = 0;
    for (const char of "AbC-123_xyz") value = (value * 31 + char.codePointAt(0)) % 2 ** 32;
    assert.equal(colourOf("AbC-123_xyz"), value % COLOURS);
  });
});
