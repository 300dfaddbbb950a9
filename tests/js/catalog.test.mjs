// The client's string catalog: every error code has words, unknown codes get
// the internal text, placeholders are filled, other languages fall back to English.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ERROR_CODES, TABLES, createCatalog, errorText, t } from "../../static/js/catalog.js";
import en from "../../static/js/strings/en.js";

// Written out here, not read from ERROR_CODES, so dropping a code there cannot hide a gap.
const SERVER_CODES = [
  "invalid",
  "wrong_password",
  "forbidden",
  "locked",
  "unauthorized",
  "not_found",
  "alias_taken",
  "method_not_allowed",
  "room_full",
  "too_many_rooms",
  "too_large",
  "unsupported_media_type",
  "rate_limited",
  "too_many_sockets",
  "too_many_connects",
  "proof_required",
  "proof_invalid",
  "capacity",
  "unavailable",
  "internal",
];
const CLIENT_CODES = ["offline", "timeout"];

describe("errorText", () => {
  for (const code of [...SERVER_CODES, ...CLIENT_CODES]) {
    test(`has its own words for ${code}`, () => {
      assert.equal(typeof en[`error.${code}`], "string");
      assert.ok(en[`error.${code}`].trim().length > 0);
      assert.ok(ERROR_CODES.includes(code), `${code} is missing from ERROR_CODES`);
      const text = errorText(code, { max: 4000 });
      assert.equal(text, en[`error.${code}`].replace("{max}", "4000"));
      if (code !== "internal") assert.notEqual(text, en["error.internal"], `${code} shows the fallback`);
    });
  }

  test("every code has different words", () => {
    const texts = ERROR_CODES.map((code) => errorText(code));
    assert.equal(new Set(texts).size, texts.length);
  });

  test("ERROR_CODES lists exactly the server's codes and the client's own", () => {
    assert.deepEqual([...ERROR_CODES].sort(), [...SERVER_CODES, ...CLIENT_CODES].sort());
  });

  for (const code of ["no_such_code", "", undefined, null, "__proto__", "constructor", "toString", "error.internal"]) {
    test(`falls back to the internal text for ${JSON.stringify(code) ?? "undefined"}`, () => {
      assert.equal(errorText(code), en["error.internal"]);
    });
  }

  test("too_large says the page's limit", () => {
    const text = errorText("too_large", { max: 4000 });
    assert.match(text, /\b4000\b/);
    assert.doesNotMatch(text, /[{}]/);
  });
});

describe("t", () => {
  test("returns the English text for a key", () => {
    assert.equal(t("status.connected"), "Connected. Nothing here is stored.");
    assert.equal(t("mark.host"), "Host");
  });

  test("fills {name} placeholders from params", () => {
    assert.equal(t("note.joined", { alias: "ann" }), "ann joined");
    assert.equal(t("composer.count", { used: 3201, max: 4000 }), "3201 of 4000 characters");
    assert.equal(t("title.unread", { count: 2, app: "Ephemeral" }), "(2) Ephemeral");
  });

  test("puts a value in as it is: an alias that looks like a slot or a replacement pattern stays text", () => {
    assert.equal(t("note.left", { alias: "{alias}" }), "{alias} left");
    assert.equal(t("note.left", { alias: "$& $1 $$" }), "$& $1 $$ left");
    assert.equal(t("composer.count", { used: "{max}", max: 10 }), "{max} of 10 characters");
  });

  test("leaves a slot without a param visible rather than guessing", () => {
    assert.equal(t("note.joined"), "{alias} joined");
    assert.equal(t("note.joined", { other: "x" }), "{alias} joined");
  });

  test("ignores inherited properties as params", () => {
    const params = Object.create({ alias: "inherited" });
    assert.equal(t("note.joined", params), "{alias} joined");
  });

  test("picks the plural form by count", () => {
    assert.equal(t("share.expires", { time: "10:00", count: 1 }), "at 10:00 (in 1 minute)");
    assert.equal(t("share.expires", { time: "10:00", count: 60 }), "at 10:00 (in 60 minutes)");
    assert.equal(t("share.expires", { time: "10:00", count: 0 }), "at 10:00 (in 0 minutes)");
  });

  test("shows an unknown key as itself, so a gap is seen", () => {
    assert.equal(t("no.such.key"), "no.such.key");
  });
});

describe("more languages are more tables", () => {
  const xx = {
    "note.joined": "{alias} est arrivé",
    "share.expires": { one: "à {time} (dans {count} minute)", other: "à {time} (dans {count} minutes)" },
    "error.too_large": "Trop long : {max} caractères au plus.",
  };
  const fr = createCatalog({ ...TABLES, fr: xx }, "fr");

  test("a language's own text wins", () => {
    assert.equal(fr.language, "fr");
    assert.equal(fr.t("note.joined", { alias: "ann" }), "ann est arrivé");
    assert.equal(fr.t("share.expires", { time: "10:00", count: 1 }), "à 10:00 (dans 1 minute)");
    assert.equal(fr.t("share.expires", { time: "10:00", count: 2 }), "à 10:00 (dans 2 minutes)");
    assert.equal(fr.errorText("too_large", { max: 9 }), "Trop long : 9 caractères au plus.");
  });

  test("a key the language lacks shows the English text", () => {
    assert.equal(fr.t("note.left", { alias: "ann" }), "ann left");
    assert.equal(fr.errorText("room_full"), en["error.room_full"]);
    assert.equal(fr.errorText("no_such_code"), en["error.internal"]);
  });

  test("an unknown language is English", () => {
    const unknown = createCatalog(TABLES, "tlh");
    assert.equal(unknown.language, "en");
    assert.equal(unknown.t("note.joined", { alias: "ann" }), "ann joined");
    assert.equal(unknown.errorText("rate_limited"), en["error.rate_limited"]);
  });

  test("has() says which keys exist", () => {
    assert.equal(fr.has("note.joined"), true);
    assert.equal(fr.has("note.left"), true);
    assert.equal(fr.has("no.such.key"), false);
  });
});

describe("another script's plurals and digits", () => {
  // Arabic has six plural categories; the server hands the page a table keyed by them.
  const ar = createCatalog(
    {
      ...TABLES,
      ar: {
        "share.expires": {
          zero: "Z {count}",
          one: "O {count}",
          two: "T {count}",
          few: "F {count}",
          many: "M {count}",
          other: "X {count}",
        },
      },
    },
    "ar",
  );

  // Which digits Arabic uses by default moved between CLDR versions; whatever this Intl says is right.
  const arabic = (n) => new Intl.NumberFormat("ar", { useGrouping: false }).format(n);

  test("each count picks its Arabic category", () => {
    const picked = [0, 1, 2, 5, 11, 100].map((count) => ar.t("share.expires", { count }));
    assert.deepEqual(picked, ["Z", "O", "T", "F", "M", "X"].map((form, i) => `${form} ${arabic([0, 1, 2, 5, 11, 100][i])}`));
  });

  test("numbers in a slot are the language's digits, never grouped; text stays as it is", () => {
    const count = en["composer.count"].replace("{used}", arabic(3201)).replace("{max}", arabic(4000));
    assert.equal(ar.t("composer.count", { used: 3201, max: 4000 }), count);
    assert.equal(ar.t("note.joined", { alias: "42" }), en["note.joined"].replace("{alias}", "42"));
    const fa = createCatalog({ ...TABLES, fa: {} }, "fa");
    assert.match(fa.t("composer.count", { used: 12, max: 40 }), /۱۲.*۴۰/);
  });
});
