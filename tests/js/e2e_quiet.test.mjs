// What a reader renames before its browser parses a server-blind message (static/js/e2e/quiet.js): every
// attribute the tokenizer would read as on… or style, and <style> and <base>, wherever a tag may start, so
// that parsing reports no CSP violation. Text, and attributes that merely contain those words, stay.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MAX_TAG_OPENINGS, quiet } from "../../static/js/e2e/quiet.js";

describe("renamed", () => {
  const cases = [
    ["<img src=x onerror=alert(1)>", "<img src=x x-onerror=alert(1)>"],
    ["<IMG SRC=x ONERROR=alert(1)>", "<IMG SRC=x x-ONERROR=alert(1)>"],
    ["<img/onerror=alert(1)>", "<img/x-onerror=alert(1)>"],
    ['<img src="x"onerror=alert(1)>', '<img src="x"x-onerror=alert(1)>'],
    ["<img src='x'onerror=alert(1)>", "<img src='x'x-onerror=alert(1)>"],
    ['<img alt=">" onerror=alert(1)>', '<img alt=">" x-onerror=alert(1)>'],
    ["<img onerror\n=\nalert(1)>", "<img x-onerror\n=\nalert(1)>"],
    ["<b onclick>x</b>", "<b x-onclick>x</b>"],
    ['<p style="color:red">x</p>', '<p x-style="color:red">x</p>'],
    ["<style>b{}</style>", "<x-style>b{}</x-style>"],
    ["<STYLE>b{}</Style >", "<x-STYLE>b{}</x-Style >"],
    ['<base href="https://evil.example/">', '<x-base href="https://evil.example/">'],
    ["<svg><style><img src=x onerror=alert(1)></style></svg>", "<svg><x-style><img src=x x-onerror=alert(1)></x-style></svg>"],
    // Inside a comment the browser sees no tag, and the page renames anyway: each "<" is read on its own.
    ['<!-- <a title="--><img src onerror=alert(1)>"> -->', '<!-- <a title="--><img src x-onerror=alert(1)>"> -->'],
    ['<textarea><a title="</textarea><img onerror=x>">', '<textarea><a title="</textarea><img x-onerror=x>">'],
    ["<a onmouseover=x onfocus=y style=z href=https://e.org>", "<a x-onmouseover=x x-onfocus=y x-style=z href=https://e.org>"],
  ];
  for (const [dirty, quieted] of cases) {
    test(JSON.stringify(dirty), () => assert.equal(quiet(dirty), quieted));
  }
});

describe("left as it is", () => {
  for (const text of [
    "<p>on the way, onerror=1 as text</p>",
    "a &lt;img onerror=x&gt; b",
    '<img alt="x onerror=y style=z" src="https://e.org/a.png">',
    "<a href=https://e.org/?onerror=x>x</a>",
    "< img onerror=x>",
    "<!doctype html><?xml onerror?>",
    '<a href="https://e.org" title=style>x</a>',
    "<stylesheet>x</stylesheet><based>y</based>",
  ]) {
    test(JSON.stringify(text), () => assert.equal(quiet(text), text));
  }
});

describe("bounded", () => {
  test(`past ${MAX_TAG_OPENINGS} "<" the rest are text, as on the server`, () => {
    const dirty = "<b>".repeat(MAX_TAG_OPENINGS) + "<img onerror=x><i>";
    assert.equal(quiet(dirty), "<b>".repeat(MAX_TAG_OPENINGS) + "&lt;img onerror=x>&lt;i>");
  });

  test("exactly the bound is kept", () => {
    const dirty = "<b>".repeat(MAX_TAG_OPENINGS - 1) + "<img onerror=x>";
    assert.equal(quiet(dirty), "<b>".repeat(MAX_TAG_OPENINGS - 1) + "<img x-onerror=x>");
  });

  test("an unclosed quote ends the tag unseen: nothing to rename, nothing lost", () => {
    assert.equal(quiet('<img alt="x onerror=y'), '<img alt="x onerror=y');
  });
});
