// A reader's checks in a server-blind room, after the envelope opened: the inner alias is the sender's, the
// counter rises per (sender, page load) and gaps are counted, the time is within the window around the
// reader's join, the text within the length limit. And the sender's side: a fresh sid, a counter from 0.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { b64urlDecode, b64urlEncode, deriveKeys, openMessage } from "../../static/js/e2e/crypto.js";
import {
  FUTURE_SKEW_MS,
  HTML_CHARS_PER_CHAR,
  MAX_SENDERS,
  PAST_SKEW_MS,
  createReceiver,
} from "../../static/js/e2e/receive.js";
import { createSender, hold, linkSecretFrom } from "../../static/js/e2e/session.js";

const JOINED = 1_700_000_000_000;
const MAX_CHARS = 4000;

function reader({ now = JOINED } = {}) {
  return createReceiver({ joinedAt: JOINED, maxChars: MAX_CHARS, now: () => now });
}

const outer = (n, { from = "p-ann", sid = "AAAAAAAAAAA", alias = "ann" } = {}) => ({ from, alias, e2e: { sid, n } });
const inner = ({ a = "ann", t = "<p>hi</p>", ts = JOINED } = {}) => ({ a, t, ts });

describe("the counter", () => {
  test("a sender's first message is taken at whatever n it has: the reader may have come late", () => {
    assert.deepEqual(reader().check(outer(41), inner()), { ok: true, missing: 0 });
  });

  test("rising by one is taken with nothing missing", () => {
    const r = reader();
    for (const n of [0, 1, 2, 3]) assert.deepEqual(r.check(outer(n), inner()), { ok: true, missing: 0 });
  });

  test("a gap is counted: the messages the server did not pass on", () => {
    const r = reader();
    r.check(outer(0), inner());
    assert.deepEqual(r.check(outer(4), inner()), { ok: true, missing: 3 });
    assert.deepEqual(r.check(outer(5), inner()), { ok: true, missing: 0 });
  });

  test("the same n again is a replay, and an older one a reordering: both refused", () => {
    const r = reader();
    r.check(outer(0), inner());
    r.check(outer(2), inner());
    assert.deepEqual(r.check(outer(2), inner()), { ok: false, reason: "order" });
    assert.deepEqual(r.check(outer(1), inner()), { ok: false, reason: "order" });
    assert.deepEqual(r.check(outer(0), inner()), { ok: false, reason: "order" });
    assert.deepEqual(r.check(outer(3), inner()), { ok: true, missing: 0 });
  });

  test("each sender and each of their page loads counts on its own", () => {
    const r = reader();
    r.check(outer(5), inner());
    assert.equal(r.check(outer(0, { sid: "BBBBBBBBBBB" }), inner()).ok, true);
    assert.equal(r.check(outer(0, { from: "p-bob", alias: "bob" }), inner({ a: "bob" })).ok, true);
    assert.deepEqual(r.check(outer(5), inner()), { ok: false, reason: "order" });
  });

  test("past MAX_SENDERS page loads the longest unheard is forgotten, not the rest", () => {
    const r = reader();
    for (let i = 0; i <= MAX_SENDERS; i += 1) r.check(outer(7, { sid: `s${i}` }), inner());
    assert.deepEqual(r.check(outer(7, { sid: `s${MAX_SENDERS}` }), inner()), { ok: false, reason: "order" });
    assert.equal(r.check(outer(7, { sid: "s0" }), inner()).ok, true); // forgotten: taken as new
  });
});

describe("the inner alias", () => {
  test("a message whose inner alias is not the sender's is refused, and its n is not used up", () => {
    const r = reader();
    assert.deepEqual(r.check(outer(0), inner({ a: "bob" })), { ok: false, reason: "alias" });
    assert.deepEqual(r.check(outer(0), inner()), { ok: true, missing: 0 });
  });

  test("the comparison is exact: case and look-alikes differ", () => {
    assert.equal(reader().check(outer(0), inner({ a: "Ann" })).reason, "alias");
    assert.equal(reader().check(outer(0), inner({ a: "аnn" })).reason, "alias"); // Cyrillic а
  });
});

describe("the time window", () => {
  test(`written up to ${PAST_SKEW_MS} ms before the reader joined is taken; earlier is a replay`, () => {
    assert.equal(reader().check(outer(0), inner({ ts: JOINED - PAST_SKEW_MS })).ok, true);
    assert.deepEqual(reader().check(outer(0), inner({ ts: JOINED - PAST_SKEW_MS - 1 })), { ok: false, reason: "old" });
  });

  test(`dated up to ${FUTURE_SKEW_MS} ms ahead of the reader's clock is taken; further is refused`, () => {
    const now = JOINED + 3_600_000;
    assert.equal(reader({ now }).check(outer(0), inner({ ts: now + FUTURE_SKEW_MS })).ok, true);
    assert.deepEqual(reader({ now }).check(outer(0), inner({ ts: now + FUTURE_SKEW_MS + 1 })), {
      ok: false,
      reason: "ahead",
    });
  });

  test("a message refused for its time does not move the counter", () => {
    const r = reader();
    r.check(outer(0), inner());
    assert.equal(r.check(outer(1), inner({ ts: 0 })).reason, "old");
    assert.deepEqual(r.check(outer(1), inner()), { ok: true, missing: 0 });
  });
});

describe("the length limit", () => {
  test(`the text may have ${HTML_CHARS_PER_CHAR} characters per character the room allows, not one more`, () => {
    const limit = HTML_CHARS_PER_CHAR * MAX_CHARS;
    assert.equal(reader().check(outer(0), inner({ t: "x".repeat(limit) })).ok, true);
    assert.deepEqual(reader().check(outer(0), inner({ t: "x".repeat(limit + 1) })), {
      ok: false,
      reason: "long",
      missing: 0,
    });
  });

  test("a message refused as too long still counts, so the next shows no gap", () => {
    const r = reader();
    r.check(outer(0), inner({ t: "x".repeat(HTML_CHARS_PER_CHAR * MAX_CHARS + 1) }));
    assert.deepEqual(r.check(outer(1), inner()), { ok: true, missing: 0 });
  });

  test("the checks come in the protocol's order: alias, counter, time, length", () => {
    const r = reader();
    r.check(outer(3), inner());
    const everythingWrong = inner({ a: "mallory", ts: 0, t: "x".repeat(HTML_CHARS_PER_CHAR * MAX_CHARS + 1) });
    assert.equal(r.check(outer(3), everythingWrong).reason, "alias");
    assert.equal(r.check(outer(3), { ...everythingWrong, a: "ann" }).reason, "order");
    assert.equal(r.check(outer(4), { ...everythingWrong, a: "ann" }).reason, "old");
    assert.equal(r.check(outer(4), { ...everythingWrong, a: "ann", ts: JOINED }).reason, "long");
  });
});

describe("the link secret", () => {
  const secret = b64urlEncode(new Uint8Array(32).fill(7));

  test("is read from #k= when it is exactly 32 bytes of base64url", () => {
    assert.deepEqual(linkSecretFrom(`#k=${secret}`), b64urlDecode(secret));
  });

  for (const hash of ["", "#", "#k=", `#k=${secret.slice(1)}`, `#k=${secret}A`, `#k=${secret}=`, `#x=${secret}`,
    `#k=${secret.slice(0, 42)}+`, `#k=${secret.slice(0, 42)}/`, `#k=${secret.slice(0, 42)}B`, `#k= ${secret}`]) {
    test(`is refused in ${JSON.stringify(hash)}`, () => assert.equal(linkSecretFrom(hash), null));
  }
});

describe("the sender", () => {
  test("counts from 0 with a fresh 8-byte sid per page load, and the envelopes open for their sender", async () => {
    const { messageKey } = await deriveKeys("pw", new Uint8Array(16), 600000, new Uint8Array(32));
    hold(messageKey, "room");
    const ids = { roomId: "r".repeat(22), from: "p-ann" };
    const one = createSender();
    const first = await one.seal(ids, inner());
    const second = await one.seal(ids, inner());
    assert.deepEqual([first.n, second.n], [0, 1]);
    assert.equal(first.sid, second.sid);
    assert.equal(b64urlDecode(first.sid).length, 8);
    const other = await createSender().seal(ids, inner());
    assert.equal(other.n, 0);
    assert.notEqual(other.sid, first.sid);
    assert.deepEqual(await openMessage(messageKey, ids, second), inner());
  });

  test("a refused message gives its n back only while it is the latest", async () => {
    const { messageKey } = await deriveKeys("pw", new Uint8Array(16), 600000, new Uint8Array(32));
    hold(messageKey, "room");
    const ids = { roomId: "r".repeat(22), from: "p-ann" };
    const sender = createSender();
    const zero = await sender.seal(ids, inner());
    sender.refused(zero);
    assert.equal((await sender.seal(ids, inner())).n, 0);
    const one = await sender.seal(ids, inner());
    await sender.seal(ids, inner());
    sender.refused(one); // a later one is out: giving 1 back would send it twice
    assert.equal((await sender.seal(ids, inner())).n, 3);
  });
});
