// Joining a server-blind room: the link's fragment holds its secret, the page the key parameters. The keys
// are derived here and the server gets only the verifier, which it checks like a password (bcrypt, rate
// limits, proofs of work). A link without a whole secret sends nothing. Once in, the room's name must open
// with the message key; only then does the chat come, in place, keys and all.
import { errorText, t } from "../catalog.js";
import { focusRefused, showFieldError } from "../forms.js";
import { showFormError } from "../send.js";
import { postJoin } from "./api.js";
import { deriveKeys, openName } from "./crypto.js";
import { openInPlace } from "./navigate.js";
import { hold, kdfFrom, linkSecretFrom } from "./session.js";
import { deriving, statusLine } from "./status.js";

// The server's answers that mean the verifier was not the room's: a wrong password, or a wrong link.
const WRONG = new Set(["wrong_password"]);

function refuseAsWrong(form) {
  showFormError(form, "");
  form.elements.password.value = "";
  showFieldError(form.elements.password, t("e2e.wrong"));
  focusRefused(form);
}

async function join(form, line) {
  const { alias, password } = form.elements;
  const kdf = kdfFrom(form.dataset.kdf);
  const linkSecret = linkSecretFrom(location.hash);
  if (!kdf || !linkSecret) {
    refuseAsWrong(form);
    return;
  }
  const keys = await deriveKeys(password.value, kdf.salt, kdf.iter, linkSecret, deriving(line));
  const challenge = form.dataset.challenge ? { text: form.dataset.challenge, difficulty: Number(form.dataset.difficulty) } : null;
  const path = `/api${new URL(form.action).pathname.replace(/^\/r\//u, "/rooms/")}/join`;
  const answer = await postJoin(path, { alias: alias.value, verifier: keys.verifier }, {
    challenge,
    onChecking: (checking) => (checking ? line.show("proof.checking") : line.clear()),
  });
  delete form.dataset.challenge; // spent, or no longer asked for
  if (answer?.status === 404) {
    location.assign(location.pathname); // the room is gone; its own address says so
    return;
  }
  if (answer?.status !== 200) {
    const code = answer?.body?.error;
    if (WRONG.has(code)) refuseAsWrong(form);
    else if (code === "alias_taken") {
      showFieldError(alias, errorText(code));
      focusRefused(form);
    } else showFormError(form, answer ? errorText(code) : errorText("timeout"));
    return;
  }
  let name;
  try {
    name = await openName(keys.messageKey, kdf.salt, answer.body?.name_ct);
  } catch {
    // The server let in a verifier that does not open the room's name: not this room's key.
    refuseAsWrong(form);
    return;
  }
  hold(keys.messageKey, name);
  password.value = "";
  if (!(await openInPlace(location.pathname, location.hash))) location.reload();
}

/** Send the join form of a server-blind room through the API; call after the checks. */
export function joinServerBlind(form) {
  const line = statusLine(document.getElementById("key-status"));
  let busy = false;
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    try {
      await join(form, line);
    } catch {
      showFormError(form, errorText("internal"));
    } finally {
      line.clear();
      busy = false;
    }
  });
}
