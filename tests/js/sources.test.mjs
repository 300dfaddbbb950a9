// The scripts and the catalog agree: every key a script names is in the English
// table, every entry there is used, and no script writes words on screen itself.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import en from "../../static/js/strings/en.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPTS = join(ROOT, "static", "js");
const TABLES = join(SCRIPTS, "strings");

function scripts(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === TABLES ? [] : scripts(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

const sources = scripts(SCRIPTS).map((path) => ({ name: relative(ROOT, path), text: readFileSync(path, "utf8") }));
// A key is "namespace.rest", where the namespace is one the table uses.
const namespaces = [...new Set(Object.keys(en).map((key) => key.split(".")[0]))];
const KEY = new RegExp(`["'\`]((?:${namespaces.join("|")})\\.[a-z0-9_.]+)["'\`]`, "g");
const named = sources.flatMap(({ name, text }) => [...text.matchAll(KEY)].map((match) => ({ name, key: match[1] })));

test("the scripts are found, and they name keys", () => {
  assert.ok(sources.some(({ name }) => name.endsWith("chat.js")));
  assert.ok(named.length > 20, `only ${named.length} keys found`);
});

test("every key a script names is in the English table", () => {
  const missing = named.filter(({ key }) => !Object.hasOwn(en, key));
  assert.deepEqual(missing, []);
});

test("every entry of the English table is used (error codes come from acks, by code)", () => {
  const used = new Set(named.map(({ key }) => key));
  const unused = Object.keys(en).filter((key) => !key.startsWith("error.") && !used.has(key));
  assert.deepEqual(unused, []);
});

// Words (a literal with a letter in it) written straight into the page, a
// dialog or an ack, instead of through the catalog. Digits are not words.
const INLINE = [
  /\.(textContent|title|placeholder|ariaLabel)\s*=\s*["'`][^"'`]*\p{L}/u,
  /\b(confirm|alert|prompt)\(\s*["'`]/,
  /\b(showSystem|note|showStatus|showComposerError)\(\s*["'`][^"'`]*\p{L}/u,
  /\bmessage:\s*["'`]/,
];

test("no script writes words on screen without the catalog", () => {
  const found = sources.flatMap(({ name, text }) =>
    text
      .split("\n")
      .map((line, n) => ({ line: line.trim(), where: `${name}:${n + 1}` }))
      .filter(({ line }) => !line.startsWith("//") && INLINE.some((pattern) => pattern.test(line))),
  );
  assert.deepEqual(found, []);
});
