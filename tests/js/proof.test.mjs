// The proof-of-work solver: what it finds is what ephemeral/proof_of_work.py checks,
// SHA-256("<challenge>:<counter>") starting with the asked-for zero bits.
import assert from "node:assert/strict";
import { createHash, webcrypto } from "node:crypto";
import { describe, test } from "node:test";

import { leadingZeroBits, solve } from "../../static/js/proof.js";

const CHALLENGE = "1.AAAAAAAAAAAAAAAAAAAAAA.1700000000.1700000120.10.BBBBBBBBBBBBBBBBBBBBBB.mac";

function zeroBitsOf(proof) {
  return leadingZeroBits(createHash("sha256").update(proof, "ascii").digest());
}

describe("leadingZeroBits", () => {
  for (const [bytes, bits] of [
    [[0x80, 0], 0],
    [[0x7f], 1],
    [[0x01, 0xff], 7],
    [[0x00, 0x80], 8],
    [[0x00, 0x00, 0x10], 19],
    [[0x00, 0x00], 16],
  ]) {
    test(`${JSON.stringify(bytes)} starts with ${bits}`, () => {
      assert.equal(leadingZeroBits(new Uint8Array(bytes)), bits);
    });
  }
});

describe("solve", () => {
  for (const difficulty of [0, 1, 8, 12]) {
    test(`finds a counter for ${difficulty} bits`, async () => {
      const proof = await solve(CHALLENGE, difficulty, { subtle: webcrypto.subtle });
      assert.match(proof, /^1\..*:[0-9]+$/);
      assert.ok(proof.startsWith(`${CHALLENGE}:`));
      assert.ok(zeroBitsOf(proof) >= difficulty, `${proof} has only ${zeroBitsOf(proof)} zero bits`);
    });
  }

  test("the first counter that holds, so a client never works more than it must", async () => {
    const proof = await solve(CHALLENGE, 8, { subtle: webcrypto.subtle });
    const counter = Number(proof.slice(CHALLENGE.length + 1));
    for (let earlier = 0; earlier < counter; earlier += 1) {
      assert.ok(zeroBitsOf(`${CHALLENGE}:${earlier}`) < 8, `${earlier} already held`);
    }
  });

  test("stops with null once told to", async () => {
    const stop = new AbortController();
    const proof = solve(CHALLENGE, 64, { subtle: webcrypto.subtle, signal: stop.signal });
    stop.abort();
    assert.equal(await proof, null);
  });
});
