// What folds away around the conversation: the room menu and the people list
// (folded on a phone, always open on a wide screen; app.css decides), and the
// invite and purge dialogs, which open over the room without leaving it.

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

/**
 * Wire the menu, the people list and the invite dialog. Returns
 * `confirmPurge()`, which asks in the purge dialog and resolves true only
 * when "Purge for everyone" was chosen.
 */
export function setUpPanels() {
  const menu = disclosure(document.getElementById("menu-toggle"), (panel) => panel.querySelector("button")?.focus());
  disclosure(document.getElementById("people-toggle"));
  const invite = document.getElementById("invite-dialog");
  const purge = document.getElementById("purge-dialog");

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
      purge.returnValue = "";
      purge.showModal();
      return new Promise((resolve) => {
        purge.addEventListener("close", () => resolve(purge.returnValue === "purge"), { once: true });
      });
    },
    /** Close whatever is open, as the page goes away. */
    closeAll() {
      for (const dialog of [invite, purge]) if (dialog.open) dialog.close();
      menu.close();
    },
  };
}
