// Creating a server-blind room from the landing form: the page makes the link secret and the salt, derives
// the keys from the password, seals the room's name, and sends the server only the verifier, the key
// parameters and the sealed name, with the room options chosen (docs/protocol.md). Then the share card, in place, with the secret in the
// address's fragment, which the browser never sends.
import { errorText } from "../catalog.js";
import { chosenRules } from "../room_options.js";
import { showFormError } from "../send.js";
import { V1, b64urlEncode, deriveKeys, newLinkSecret, newSalt, sealName } from "./crypto.js";
import { postJson } from "./api.js";
import { openInPlace } from "./navigate.js";
import { hold } from "./session.js";
import { deriving, statusLine } from "./status.js";

/** The name as the server would keep it in a standard room (ephemeral/fields.py): NFKC, spaces folded. */
const displayName = (value) => value.normalize("NFKC").replace(/\s+/gu, " ").trim();

async function create(form, line) {
  const { alias, name, password } = form.elements;
  const linkSecret = newLinkSecret();
  const salt = newSalt();
  const kdf = { alg: "pbkdf2-sha256", iter: V1.iterMin, salt: b64urlEncode(salt) };
  const roomName = displayName(name.value);
  const keys = await deriveKeys(password.value, salt, kdf.iter, linkSecret, deriving(line));
  const answer = await postJson("/api/rooms", {
    alias: alias.value,
    mode: "e2e",
    kdf,
    verifier: keys.verifier,
    name_ct: await sealName(keys.messageKey, salt, roomName),
    ...chosenRules(form),
  });
  if (answer?.status !== 201 || typeof answer.body?.room_id !== "string") {
    showFormError(form, answer ? errorText(answer.body?.error) : errorText("timeout"));
    return;
  }
  showFormError(form, "");
  hold(keys.messageKey, roomName);
  password.value = "";
  const share = `/r/${encodeURIComponent(answer.body.room_id)}/share`;
  const hash = `#k=${b64urlEncode(linkSecret)}`;
  // Should the share card not come in place, it loads as a page: the chat then asks for the password again.
  if (!(await openInPlace(share, hash))) location.assign(share + hash);
}

/**
 * Show the server-blind switch (a script-only choice: without a script the form makes a standard room) and
 * take over the form's sending while it is on. Call after the checks and before sendThroughFetch.
 */
export function offerServerBlind(form) {
  const toggle = document.getElementById("e2e");
  document.getElementById("e2e-field").hidden = false;
  const line = statusLine(document.getElementById("key-status"));
  let busy = false;
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented || !toggle.checked) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    try {
      await create(form, line);
    } catch {
      showFormError(form, errorText("internal"));
    } finally {
      line.clear();
      busy = false;
    }
  });
}
