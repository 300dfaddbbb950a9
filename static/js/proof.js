// Proof of work for joins under a guessing storm (ephemeral/proof_of_work.py is the judge).
// Find a counter such that SHA-256("<challenge>:<counter>") starts with `difficulty`
// zero bits; the proof is "<challenge>:<counter>". WebCrypto only: no library, no captcha.
import { t } from "./catalog.js";

const encoder = new TextEncoder();
// Digests asked for at once: WebCrypto answers each with a promise, and a batch
// of them costs one turn of the event loop instead of one each.
const BATCH = 256;
// Digests may resolve as microtasks, which never let the page paint or take a
// click: hand the event loop back this often (milliseconds).
const SLICE_MS = 40;
// Challenges in a row the server may refuse before the page shows its words instead (a clock far off, say).
const RESENDS = 3;

const breathe = () => new Promise((resume) => setTimeout(resume, 0));

/** How many zero bits a digest starts with. */
export function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

function message(prefix, counter) {
  const digits = encoder.encode(String(counter));
  const bytes = new Uint8Array(prefix.length + digits.length);
  bytes.set(prefix);
  bytes.set(digits, prefix.length);
  return bytes;
}

/**
 * The proof for `challenge`: resolves to "<challenge>:<counter>", or to null once `signal` aborts.
 * `subtle` is WebCrypto's (Node's too, for tests).
 */
export async function solve(challenge, difficulty, { subtle = globalThis.crypto.subtle, signal } = {}) {
  const prefix = encoder.encode(`${challenge}:`);
  let slice = performance.now();
  for (let start = 0; ; start += BATCH) {
    if (performance.now() - slice > SLICE_MS) {
      await breathe();
      slice = performance.now();
    }
    if (signal?.aborted) return null;
    const batch = [];
    for (let counter = start; counter < start + BATCH; counter += 1) {
      batch.push(subtle.digest("SHA-256", message(prefix, counter)));
    }
    const digests = await Promise.all(batch);
    for (let index = 0; index < BATCH; index += 1) {
      if (leadingZeroBits(new Uint8Array(digests[index])) >= difficulty) return `${challenge}:${start + index}`;
    }
  }
}

function proofField(form) {
  let field = form.elements.proof;
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "proof";
    form.prepend(field);
  }
  return field;
}

/**
 * In a guessing storm the join page carries a challenge (`data-challenge`, `data-difficulty`): solve it
 * as soon as the page is there, and hold the form back until the proof is in it. A refusal that brings a
 * new challenge (a storm that began after the page loaded, a proof that expired) is solved and the form
 * sent again, password and all, without a word. Call after the checks and before the sending.
 */
export function solveChallenges(form) {
  const status = document.getElementById("proof-status");
  let solving = null; // { challenge, proof: Promise, stop: AbortController }
  let resends = 0;

  function start() {
    const { challenge, difficulty } = form.dataset;
    if (!challenge || solving?.challenge === challenge) return;
    solving?.stop.abort();
    const stop = new AbortController();
    const proof = solve(challenge, Number(difficulty), { signal: stop.signal });
    solving = { challenge, proof, stop };
    proof.then((found) => {
      if (found && form.dataset.challenge === challenge) proofField(form).value = found;
    });
  }

  function showChecking(checking) {
    if (!status) return;
    status.textContent = checking ? t("proof.checking") : "";
    status.hidden = !checking;
  }

  // Once the proof is in the form, submit it again: the checks run again and then the sending.
  let waitingFor = null;
  function sendWhenSolved() {
    start();
    const { proof } = solving;
    if (waitingFor === proof) return;
    waitingFor = proof;
    showChecking(true);
    proof.then((found) => {
      if (waitingFor !== proof) return; // a newer challenge took over
      waitingFor = null;
      showChecking(false);
      if (found && proofField(form).value === found) form.requestSubmit();
    });
  }

  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented || !form.dataset.challenge || proofField(form).value) return;
    event.preventDefault();
    sendWhenSolved();
  });

  // send.js tells of a refusal before it shows one; the server's page says whether a storm still lasts.
  form.addEventListener("refused", (event) => {
    const { status: code, page } = event.detail;
    const theirs = page.getElementById(form.id);
    if (theirs.dataset.challenge) {
      form.dataset.challenge = theirs.dataset.challenge;
      form.dataset.difficulty = theirs.dataset.difficulty;
    } else {
      delete form.dataset.challenge;
    }
    proofField(form).value = "";
    if (code !== 428 || !form.dataset.challenge || resends >= RESENDS) {
      resends = 0;
      start();
      return;
    }
    // The proof was missing or no longer good: take the server's new tokens, solve, send again.
    event.preventDefault();
    resends += 1;
    for (const fresh of theirs.querySelectorAll('input[type="hidden"]')) {
      if (fresh.name !== "proof" && form.elements[fresh.name]) form.elements[fresh.name].value = fresh.value;
    }
    sendWhenSolved();
  });

  start();
}
