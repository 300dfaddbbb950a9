// What a form says while it works on a server-blind room: making the keys from the password (one WebCrypto
// call that cannot tell how far it is, so the bar runs without a value), or solving a proof of work.
import { t } from "../catalog.js";

/** A status line in `element` (a `role="status"` paragraph): `show(key)` with the catalog's words, `clear()`. */
export function statusLine(element) {
  const bar = document.createElement("progress");
  const words = document.createElement("span");
  element.replaceChildren(bar, " ", words);
  return {
    show(key) {
      words.textContent = t(key);
      element.hidden = false;
    },
    clear() {
      words.textContent = "";
      element.hidden = true;
    },
  };
}

/** The onProgress of deriveKeys, shown on `line`: the derivation's words until it is done. */
export const deriving = (line) => (phase) => {
  if (phase === "deriving") line.show("e2e.deriving");
  else line.clear();
};
