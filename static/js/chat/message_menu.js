// Each message's actions, phone first: its button opens a menu under it with a row of the reactions, then
// Reply, and Edit and Unsend on one's own. A tap, a click or the keyboard (Enter or Space on the button, Tab
// through the menu; Escape, or a tap elsewhere, closes it and focus goes back to the button). In the list
// too: a reply's quote jumps to its original, a reaction's chip toggles one's own, and a long press on a chip
// (or a right click) says who reacted.
import { t } from "../catalog.js";
import { REACTIONS } from "./changes.js";
import { namesOf } from "./decor.js";

/** A selector that finds `element` again in its entry drawn anew, or null. */
function partOf(element) {
  const emoji = element.dataset?.emoji;
  if (emoji) return `${element.closest(".message-menu") ? ".message-menu" : ".foot"} [data-emoji="${CSS.escape(emoji)}"]`;
  if (element.dataset?.action) return `.message-menu [data-action="${element.dataset.action}"]`;
  if (element.classList?.contains("message-toggle")) return ".message-toggle";
  return element.classList?.contains("quote") ? ".quote" : null;
}

function button(text, action, className = "") {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.dataset.action = action;
  if (className) element.className = className;
  return element;
}

/**
 * Wire the menu over the message list `list`. `offeredFor(id)` says what the message offers
 * (changes.offered) and `reactedWith(id)` which emoji this page holds on it; `act(action, id, emoji)` does
 * one (`react`, `reply`, `edit`, `unsend`); `jumpTo(id)` shows a quoted original. Returns `drawn(entry, id,
 * focused)` for the renderer (an entry drawn again keeps its open menu, and focus), and `close()`.
 */
export function setUpMessageMenu({ list, offeredFor, reactedWith, act, jumpTo }) {
  let openId = null;
  let focusedPart = null; // a selector for what had focus in an entry, to give it back after a redraw

  const entryOf = (id) => list.querySelector(`li.message[data-id="${CSS.escape(id)}"]`);

  function menuFor(id) {
    const can = offeredFor(id);
    const menu = document.createElement("div");
    menu.className = "message-menu";
    menu.id = "message-menu";
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", t("message.menu"));
    if (can.react) {
      const row = document.createElement("div");
      row.className = "react-row";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", t("message.react"));
      const mine = reactedWith(id);
      for (const emoji of REACTIONS) {
        const choice = button(emoji, "react");
        choice.dataset.emoji = emoji;
        choice.setAttribute("aria-label", t("message.react_with", { emoji }));
        choice.setAttribute("aria-pressed", String(mine.includes(emoji)));
        row.append(choice);
      }
      menu.append(row);
    }
    const items = [];
    if (can.reply) items.push(button(t("message.reply"), "reply"));
    if (can.edit) items.push(button(t("message.edit"), "edit"));
    if (can.unsend) items.push(button(t("message.unsend"), "unsend", "danger"));
    if (items.length) {
      const column = document.createElement("div");
      column.className = "menu-items";
      column.append(...items);
      menu.append(column);
    }
    return menu;
  }

  function open(id, { focus = null } = {}) {
    const entry = entryOf(id);
    const toggle = entry?.querySelector(".message-toggle");
    if (!toggle) {
      openId = null;
      return;
    }
    const menu = menuFor(id);
    toggle.setAttribute("aria-expanded", "true");
    toggle.setAttribute("aria-controls", menu.id);
    entry.classList.add("menu-open");
    entry.append(menu);
    openId = id;
    // Scroll the list, not the window (on a phone that would push the composer away), to show the whole menu.
    const below = menu.getBoundingClientRect().bottom - list.getBoundingClientRect().bottom;
    if (below > 0) list.scrollTop += below + 8;
    if (focus) (menu.querySelector(focus) ?? menu.querySelector("button"))?.focus();
  }

  function close({ focus = false } = {}) {
    if (openId === null) return;
    const entry = entryOf(openId);
    openId = null;
    if (!entry) return;
    entry.querySelector(".message-menu")?.remove();
    entry.classList.remove("menu-open");
    const toggle = entry.querySelector(".message-toggle");
    toggle?.setAttribute("aria-expanded", "false");
    toggle?.removeAttribute("aria-controls");
    if (focus) toggle?.focus();
  }

  /** Say who reacted with `chip`'s emoji under its message, until the next tap. */
  function showWho(chip) {
    const entry = chip.closest("li.message");
    entry.querySelector(".reacted-by")?.remove();
    const who = document.createElement("p");
    who.className = "reacted-by";
    who.setAttribute("role", "status");
    who.replaceChildren(chip.dataset.emoji, " ", ...namesOf(chip));
    chip.closest(".foot").after(who);
  }

  list.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    const id = target?.closest("li.message")?.dataset.id;
    for (const who of list.querySelectorAll(".reacted-by")) who.remove();
    if (!target || !id) return;
    if (target.classList.contains("message-toggle")) {
      const wasOpen = openId === id;
      close();
      if (!wasOpen) open(id, { focus: "button" });
    } else if (target.classList.contains("quote") && target.dataset.to) {
      jumpTo(target.dataset.to);
    } else if (target.classList.contains("chip")) {
      act("react", id, target.dataset.emoji);
    } else if (target.dataset.action) {
      const action = target.dataset.action;
      // Reply and Edit take focus to the composer; the menu closes without taking it back.
      close({ focus: action === "react" || action === "unsend" });
      act(action, id, target.dataset.emoji);
    }
  });
  list.addEventListener("contextmenu", (event) => {
    const chip = event.target.closest(".chip");
    if (!chip) return;
    event.preventDefault(); // a long press on a phone: the names, not the browser's menu
    showWho(chip);
  });
  list.addEventListener("focusin", (event) => {
    focusedPart = partOf(event.target);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openId !== null) close({ focus: true });
  });
  document.addEventListener("click", (event) => {
    if (openId !== null && !event.target.closest(".message-menu, .message-toggle")) close();
  });

  return {
    drawn(entry, id, focused) {
      // The message changed under an open menu (a reaction came): the menu stays open, as it was.
      if (openId === id) {
        openId = null;
        open(id);
      }
      if (!focused) return;
      const part = focusedPart && entry.querySelector(focusedPart);
      (part ?? entry.querySelector(".message-toggle") ?? list).focus();
    },
    close,
  };
}
