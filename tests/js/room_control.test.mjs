// Room control in the client, without a browser: what the page offers for a role in a room, whose role
// changed between two presence lists, the room state it accepts, and the options a server-blind create sends.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { allowed, roleChanges, roleOf, roomState } from "../../static/js/chat/roles.js";
import { apiRules } from "../../static/js/room_options.js";

const state = (fields) => roomState({ kind: "group", purge: "anyone", locked: false, ttl: 3600, seats: 50, ...fields });
const ann = { id: "p-ann", alias: "ann", role: "host" };
const bob = { id: "p-bob", alias: "bob", role: "member" };

describe("allowed", () => {
  // [kind, purge policy, role] -> what the page offers.
  const TABLE = [
    ["group", "anyone", "member", { write: true, purge: true, lock: false, stepDown: false, manage: false }],
    ["group", "anyone", "host", { write: true, purge: true, lock: true, stepDown: true, manage: true }],
    ["group", "hosts", "member", { write: true, purge: false, lock: false, stepDown: false, manage: false }],
    ["group", "hosts", "host", { write: true, purge: true, lock: true, stepDown: true, manage: true }],
    ["pair", "anyone", "member", { write: true, purge: true, lock: false, stepDown: false, manage: false }],
    ["broadcast", "anyone", "member", { write: false, purge: true, lock: false, stepDown: false, manage: false }],
    ["broadcast", "hosts", "member", { write: false, purge: false, lock: false, stepDown: false, manage: false }],
    ["broadcast", "hosts", "host", { write: true, purge: true, lock: true, stepDown: true, manage: true }],
  ];
  for (const [kind, purge, role, expected] of TABLE) {
    test(`a ${role} of a ${kind} room that ${purge} may purge`, () => {
      assert.deepEqual({ ...allowed(state({ kind, purge }), role) }, expected);
    });
  }

  test("before the room's state is known, a member writes and purges as in every room before hosts had powers", () => {
    const before = { write: true, purge: true, lock: false, stepDown: false, manage: false };
    assert.deepEqual({ ...allowed(null, "member") }, before);
  });

  test("an unknown role is no host", () => {
    for (const role of [null, undefined, "", "admin", "HOST"]) assert.equal(allowed(state({}), role).manage, false);
  });
});

describe("roleOf", () => {
  test("the latest presence decides, by participant id", () => {
    assert.equal(roleOf([ann, bob], { id: "p-bob", role: "member" }), "member");
    assert.equal(roleOf([ann, { ...bob, role: "host" }], { id: "p-bob", role: "member" }), "host");
    assert.equal(roleOf([{ ...ann, role: "member" }, bob], { id: "p-ann", role: "host" }), "member");
  });

  test("an alias is not an identity: someone else under this page's alias lends it no role", () => {
    assert.equal(roleOf([{ id: "other", alias: "bob", role: "host" }], { id: "p-bob", role: "member" }), "member");
  });

  test("without presence it is welcome's role; without welcome, none", () => {
    assert.equal(roleOf([], { id: "p-ann", role: "host" }), "host");
    assert.equal(roleOf(undefined, { id: "p-ann", role: "host" }), "host");
    assert.equal(roleOf([ann], null), null);
  });
});

describe("roleChanges", () => {
  const map = (...people) => new Map(people.map(({ id, alias, role }) => [id, { alias, role }]));

  test("says who became a host and who stopped being one", () => {
    const before = map(ann, bob);
    const after = map({ ...ann, role: "member" }, { ...bob, role: "host" });
    assert.deepEqual(roleChanges(before, after), [
      { id: "p-ann", alias: "ann", role: "member" },
      { id: "p-bob", alias: "bob", role: "host" },
    ]);
  });

  test("arrivals, departures and no change are no role change", () => {
    const cat = { id: "p-cat", alias: "cat", role: "member" };
    assert.deepEqual(roleChanges(map(ann, bob), map(ann, cat)), []);
    assert.deepEqual(roleChanges(map(ann, bob), map(ann, bob)), []);
    assert.deepEqual(roleChanges(null, map(ann)), []);
  });

  test("goes by id: a newcomer under a host's alias is no change of role", () => {
    const newcomer = { id: "another-ann", alias: "ann", role: "member" };
    assert.deepEqual(roleChanges(map(ann), map(newcomer)), []);
  });
});

describe("roomState", () => {
  test("keeps what the server said", () => {
    const rules = { disappear: 30, vanish: true, history: true };
    const payload = { kind: "broadcast", purge: "hosts", locked: true, ttl: 900, seats: 12, ...rules };
    assert.deepEqual({ ...roomState(payload) }, payload);
  });

  test("is null for what is not a state", () => {
    for (const payload of [null, undefined, "room", 3, [], true]) assert.equal(roomState(payload), null);
  });

  test("keeps unknown kinds and policies as unknown, and only true locks", () => {
    const odd = roomState({ kind: "townhall", purge: "nobody", locked: "yes", ttl: -5, seats: 2.5, history: 1 });
    const off = { disappear: 0, vanish: false, history: false };
    const unknown = { kind: null, purge: null, locked: false, ttl: null, seats: null, ...off };
    assert.deepEqual({ ...odd }, unknown);
    assert.equal(roomState({}).locked, false);
  });
});

describe("apiRules", () => {
  test("nothing chosen sends nothing: the server's defaults", () => {
    assert.deepEqual(apiRules({ kind: "", purge: "", lifetime: "", seats: "" }), {});
    assert.deepEqual(apiRules(), {});
  });

  test("sends what was chosen, the lifetime in seconds and whole numbers as numbers", () => {
    assert.deepEqual(apiRules({ kind: "broadcast", purge: "hosts", lifetime: "15", seats: "8" }), {
      kind: "broadcast",
      purge: "hosts",
      ttl: 900,
      seats: 8,
    });
  });

  test("a pair room sends no seats: it has two", () => {
    assert.deepEqual(apiRules({ kind: "pair", seats: "9" }), { kind: "pair" });
  });

  test("a number that is not one goes as typed, for the server to refuse", () => {
    assert.deepEqual(apiRules({ lifetime: "5.5", seats: "1e3" }), { ttl: "5.5", seats: "1e3" });
  });
});
