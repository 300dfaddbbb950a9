// A chat page of a server-blind room that opens without the keys (a reload, another tab) asks for the
// password again before it shows or sends anything: the keys were in the old page's memory only. The
// browser is still in the room (its cookie), so the sealed name is on the page to check the password on.
import { t } from "../catalog.js";
import { focusRefused, showFieldError, validateForm } from "../forms.js";
import { addPasswordToggles, maskPasswordFields } from "../reveal.js";
import { forgetOnLeave } from "../forget.js";
import { showRoomLink } from "./link.js";
import { kdfFrom, linkSecretFrom, roomName, unlock, unlocked } from "./session.js";
import { deriving, statusLine } from "./status.js";

/** Show the unlock form of `root` (the chat section) until the password and link open the room's name. */
export function askForPassword(root) {
  const section = document.getElementById("unlock");
  const form = document.getElementById("unlock-form");
  maskPasswordFields(form);
  validateForm(form);
  addPasswordToggles(form);
  forgetOnLeave(form);
  const line = statusLine(document.getElementById("unlock-status"));
  section.hidden = false;
  form.elements.password.focus();
  return new Promise((resolve) => {
    let busy = false;
    form.addEventListener("submit", async (event) => {
      if (event.defaultPrevented) return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      const { password } = form.elements;
      const kdf = kdfFrom(root.dataset.kdf);
      const linkSecret = linkSecretFrom(location.hash);
      try {
        if (!kdf || !linkSecret) throw new Error("e2e: no key parameters or link secret");
        await unlock({
          password: password.value,
          kdf,
          linkSecret,
          nameCt: root.dataset.nameCt,
          onProgress: deriving(line),
        });
      } catch {
        password.value = "";
        showFieldError(password, t("e2e.wrong"));
        focusRefused(form);
        return;
      } finally {
        line.clear();
        busy = false;
      }
      password.value = "";
      section.remove();
      resolve();
    });
  });
}

/**
 * Open a server-blind room's page: nothing is shown or sent before the keys are here, so a page that came
 * without them asks for the password first. Then the room's name and link show, and `sealed` (e2e/room.js)
 * starts reading.
 */
export async function openSealedPage(root, sealed) {
  if (!unlocked()) await askForPassword(root);
  document.getElementById("room-name").textContent = roomName();
  showRoomLink(location.hash);
  root.hidden = false;
  sealed.start();
}
