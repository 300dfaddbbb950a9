// The JSON API calls of server-blind rooms: creating and joining send no password, so they cannot go
// through the server's forms. A fetch keeps no trace in the browser's session files (send.js says why that
// matters); a join the server asks for a proof of work (a guessing storm) is solved and sent again.
import { solve } from "../proof.js";

// Proofs asked for in a row before the page gives up and shows the refusal (a clock far off, say).
const RESENDS = 3;

/** POST `body` as JSON to `path`: `{status, body}` (body null when it is not JSON), or null with no answer. */
export async function postJson(path, body) {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    return { status: response.status, body: answer };
  } catch {
    return null;
  }
}

/**
 * POST a join, solving each proof of work the server asks for (`onChecking(true)` while solving), and
 * starting from `challenge` when the page already carried one.
 */
export async function postJoin(path, body, { challenge, onChecking }) {
  let proof = null;
  if (challenge?.text) {
    onChecking(true);
    proof = await solve(challenge.text, challenge.difficulty);
    onChecking(false);
  }
  for (let resends = 0; ; resends += 1) {
    const answer = await postJson(path, proof ? { ...body, proof } : body);
    const asked = answer?.status === 428 && typeof answer.body?.challenge === "string";
    if (!asked || resends >= RESENDS) return answer;
    onChecking(true);
    proof = await solve(answer.body.challenge, Number(answer.body.difficulty));
    onChecking(false);
  }
}
