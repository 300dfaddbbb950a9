// History from peers without a browser: who hands a newcomer history, what a page hands on, what a newcomer
// takes (from whom, how often, how late), and how a shared message's time left carries over.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { setUpForgetting } from "../../static/js/chat/forgetting.js";
import { ACCEPT_MS, HISTORY_MAX, historyOf, setUpHistory, sharerFor } from "../../static/js/chat/history.js";
import { createMessageModel } from "../../static/js/chat/model.js";
import { roomState } from "../../static/js/chat/roles.js";

const person = (id, role = "member") => ({ id, alias: id, role });
const message = (id, from, extra = {}) => ({ id, from, alias: from, ts: 1, html: `<p>${id}</p>`, ...extra });

describe("sharerFor", () => {
  test("a present host first, then the lowest participant id, never the newcomer", () => {
    assert.equal(sharerFor([person("b"), person("z", "host"), person("a")], "a"), "z");
    assert.equal(sharerFor([person("c"), person("b"), person("new")], "new"), "b");
    assert.equal(sharerFor([person("a", "host"), person("b", "host")], "a"), "b");
  });

  test("nobody else here: nobody", () => {
    assert.equal(sharerFor([person("new")], "new"), null);
    assert.equal(sharerFor(undefined, "new"), null);
  });
});

describe("historyOf", () => {
  test("the messages this page got itself, oldest first, with what a reader needs of each", () => {
    const model = createMessageModel();
    model.add(message("m1", "ann", { reply_to: "m0", edited: true }));
    model.note("bob joined");
    model.add(message("m2", "bob"));
    model.add({ id: "m3", from: "bob", alias: "bob", ts: 1, removed: true });
    model.add(message("m4", "cat", { shared: "bob" }));
    model.add({ id: "m5", from: "ann", alias: "ann", ts: 2, unsafeHtml: "<p>x</p>", sealed: { v: 1 } });
    const items = historyOf(model.all(), { leftOf: (id) => (id === "m2" ? 1234.7 : undefined) });
    assert.deepEqual(items, [
      { id: "m1", from: "ann", alias: "ann", ts: 1, html: "<p>m1</p>", edited: true, reply_to: "m0" },
      { id: "m2", from: "bob", alias: "bob", ts: 1, html: "<p>m2</p>", left: 1234 },
      { id: "m5", from: "ann", alias: "ann", ts: 2, e2e: { v: 1 } },
    ]);
  });

  test("at most HISTORY_MAX, and what fits the frame: the newest go", () => {
    const many = Array.from({ length: HISTORY_MAX + 10 }, (_, n) => message(`m${n}`, "ann"));
    const all = historyOf(many);
    assert.equal(all.length, HISTORY_MAX);
    assert.equal(all.at(-1).id, `m${HISTORY_MAX + 9}`);
    const some = historyOf(many, { maxBytes: 64 + 3 * (JSON.stringify(all[0]).length + 2) });
    assert.deepEqual(
      some.map((item) => item.id),
      [`m${HISTORY_MAX + 7}`, `m${HISTORY_MAX + 8}`, `m${HISTORY_MAX + 9}`],
    );
  });
});

/** A page in a room with `rules`, as participant `you`; `sent` holds what it handed on. */
function page(you, rules = { history: true }) {
  const model = createMessageModel();
  const sent = [];
  let clock = 0;
  const connection = { shareHistory: async (to, messages) => (sent.push({ to, messages }), { ok: true }) };
  const history = setUpHistory({
    model,
    sealed: null,
    rules: () => roomState(rules),
    youId: () => you,
    connection: () => connection,
    forgetting: { leftOf: () => undefined },
    maxBytes: 50_000,
    now: () => clock,
  });
  return { model, sent, history, wait: (ms) => (clock += ms) };
}

describe("handing history on", () => {
  const here = [person("ann", "host"), person("bob"), person("new")];

  test("only the page chosen for the newcomer hands it on", async () => {
    const [ann, bob] = [page("ann"), page("bob")];
    for (const { model } of [ann, bob]) model.add(message("m1", "ann"));
    assert.equal(await ann.history.arrived(here, "new"), true);
    assert.equal(await bob.history.arrived(here, "new"), false);
    assert.deepEqual(ann.sent, [{ to: "new", messages: [historyOf([message("m1", "ann")])[0]] }]);
    assert.deepEqual(bob.sent, []);
  });

  test("nothing in a room that did not choose it, nothing to oneself, nothing when there is nothing", async () => {
    const off = page("ann", { history: false });
    off.model.add(message("m1", "ann"));
    assert.equal(await off.history.arrived(here, "new"), false);
    const ann = page("ann");
    assert.equal(await ann.history.arrived(here, "new"), false); // an empty screen
    ann.model.add(message("m1", "ann"));
    assert.equal(await ann.history.arrived([person("ann", "host")], "ann"), false);
    assert.deepEqual([off.sent, ann.sent], [[], []]);
  });
});

describe("taking history", () => {
  const here = [person("ann", "host"), person("bob"), person("new")];
  const from = (who, ids) => ({ from: who, alias: who, messages: ids.map((id) => message(id, "ann")) });

  test("once, from the member expected, marked shared, after a note", async () => {
    const newcomer = page("new");
    newcomer.history.welcomed(here);
    assert.equal(await newcomer.history.received(from("bob", ["x1"])), false); // not who was expected
    assert.equal(await newcomer.history.received(from("ann", ["m1", "m2"])), true);
    assert.equal(await newcomer.history.received(from("ann", ["m3"])), false); // once
    const entries = newcomer.model.all();
    assert.match(entries[0].note, /ann shared 2 earlier messages/);
    assert.deepEqual(
      entries.slice(1).map(({ id, shared }) => [id, shared]),
      [
        ["m1", "ann"],
        ["m2", "ann"],
      ],
    );
  });

  test("not after the wait, not in a room that did not choose it, not without a welcome", async () => {
    const late = page("new");
    late.history.welcomed(here);
    late.wait(ACCEPT_MS + 1);
    assert.equal(await late.history.received(from("ann", ["m1"])), false);
    const off = page("new", { history: false });
    off.history.welcomed(here);
    assert.equal(await off.history.received(from("ann", ["m1"])), false);
    const unwelcomed = page("new");
    assert.equal(await unwelcomed.history.received(from("ann", ["m1"])), false);
    for (const { model } of [late, off, unwelcomed]) assert.equal(model.size, 0);
  });

  test("a message this page already shows stays as it is", async () => {
    const newcomer = page("new");
    newcomer.model.add(message("m1", "ann"));
    newcomer.history.welcomed(here);
    await newcomer.history.received({ from: "ann", alias: "ann", messages: [message("m1", "ann", { html: "<p>no</p>" })] });
    assert.equal(newcomer.model.get("m1").html, "<p>m1</p>");
  });
});

describe("a shared message's time left", () => {
  test("it leaves when its time on the sharer's screen is up, if that is sooner, and says what is left", () => {
    let now = 0;
    const timers = {
      due: new Map(),
      setTimeout(run, ms) {
        this.due.set(run, now + ms);
        return run;
      },
      clearTimeout(run) {
        this.due.delete(run);
      },
      advance(ms) {
        now += ms;
        for (const [run, at] of [...this.due]) if (at <= now) (this.due.delete(run), run());
      },
    };
    const model = createMessageModel();
    const forgetting = setUpForgetting(model, () => roomState({ disappear: 30 }), timers, () => now);
    model.add(message("live", "ann"));
    model.add(message("handed", "ann", { shared: "bob", left: 5_000 }));
    assert.equal(forgetting.leftOf("handed"), 5_000);
    timers.advance(5_000);
    assert.deepEqual(
      model.all().map((entry) => entry.id),
      ["live"],
    );
    assert.equal(forgetting.leftOf("live"), 25_000);
    assert.equal(forgetting.leftOf("handed"), undefined);
  });
});
