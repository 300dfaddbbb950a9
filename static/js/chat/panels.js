// What folds away around the conversation: the room menu and the people list
// (folded on a phone, always open on a wide screen; app.css decides), and the
// invite, purge, remove, unsend and file dialogs, which open over the room without leaving it.
import { sentenceNodes } from "./bidi.js";

/** A button with aria-expanded that opens and closes the element it controls (its `open` class). */
function disclosure(button, onOpen = () => {}) {
  const panel = document.getElementById(button.getAttribute("aria-controls"));
  const set = (open) => {
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
    if (open) onOpen(panel);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  return { close: () => set(false) };
}

/** Open `dialog` and resolve true only when it closes with the button of value `yes`. */
function ask(dialog, yes) {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === yes), { once: true });
  });
}

/**
 * Wire the menu, the people list and the invite dialog. Returns
 * `confirmPurge()`, which asks in the purge dialog and resolves true only
 * when "Purge for everyone" was chosen; `confirmKick(alias)`, the same for
 * removing someone; `confirmUnsend()`, the same for taking back one's own message; and `closeMenu()`.
 */
export function setUpPanels() {
  const menu = disclosure(document.getElementById("menu-toggle"), (panel) => panel.querySelector("button")?.focus());
  disclosure(document.getElementById("people-toggle"));
  const invite = document.getElementById("invite-dialog");
  const purge = document.getElementById("purge-dialog");
  const kick = document.getElementById("kick-dialog");
  const unsend = document.getElementById("unsend-dialog");
  const file = document.getElementById("file-dialog");

  document.getElementById("invite").addEventListener("click", () => {
    menu.close();
    invite.showModal();
  });
  // A tap outside an open menu closes it, as a phone's menus do.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#room-menu, #menu-toggle")) menu.close();
  });

  return {
    confirmPurge() {
      menu.close();
      return ask(purge, "purge");
    },
    confirmKick(alias) {
      document.getElementById("kick-title").replaceChildren(...sentenceNodes("kick.title", { alias }));
      return ask(kick, "kick");
    },
    confirmUnsend: () => ask(unsend, "unsend"),
    /** Ask before a file whose hidden data could not be removed goes out, naming it. */
    confirmFile(name) {
      const named = document.getElementById("file-dialog-name");
      named.dir = "auto";
      named.textContent = name;
      return ask(file, "send");
    },
    closeMenu: () => menu.close(),
    /** Close whatever is open, as the page goes away. */
    closeAll() {
      for (const dialog of [invite, purge, kick, unsend, file]) if (dialog.open) dialog.close();
      menu.close();
    },
  };
}
