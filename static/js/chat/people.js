// The people list: who is here, the host badge, "(you)", and for a host a small menu beside everyone else
// (make host, remove from the room). Names go in with textContent; the menu's words come from the catalog.
import { t } from "../catalog.js";
import { dots } from "./decor.js";
import { colourOf } from "./grouping.js";
import { HOST } from "./roles.js";

const $ = (id) => document.getElementById(id);
const list = $("presence");
const counts = [$("presence-count"), $("people-count")];

function mark(className, key) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = t(key);
  return span;
}

function action(key) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = t(key);
  return button;
}

/**
 * Wire the list. `actions.promote(participant)` and `actions.kick(participant)` are called from a host's
 * menu. Returns `show(participants, you, manage)`, which draws the list (with the menus when `manage`),
 * and `clear()`. A menu left open stays open across a new presence while its person is still here.
 */
export function setUpPeople(actions) {
  let openFor = null; // the participant id whose menu is open
  let shown = new Map(); // participant id -> {toggle, menu, choices}

  // The menu holds its buttons only while open, so a row's text is the person's name and marks.
  function setOpen(id, open, { focus = false } = {}) {
    const row = shown.get(id);
    if (!row) return;
    row.toggle.setAttribute("aria-expanded", String(open));
    row.menu.replaceChildren(...(open ? row.choices() : []));
    row.menu.hidden = !open;
    openFor = open ? id : null;
    if (open && focus) row.menu.querySelector("button")?.focus();
  }

  function closeOpen({ focus = false } = {}) {
    const row = shown.get(openFor);
    if (!row) return;
    setOpen(openFor, false);
    if (focus) row.toggle.focus();
  }

  function menuFor(participant, index) {
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "person-toggle";
    toggle.setAttribute("aria-label", t("people.actions", { alias: participant.alias }));
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", `person-menu-${index}`);
    toggle.append(dots());
    const menu = document.createElement("div");
    menu.className = "person-menu";
    menu.id = `person-menu-${index}`;
    menu.hidden = true;
    const choices = () => {
      const offered = participant.role === HOST ? [] : [[action("people.promote"), actions.promote]];
      offered.push([action("people.kick"), actions.kick]);
      offered.at(-1)[0].className = "danger";
      for (const [button, act] of offered) {
        button.addEventListener("click", () => {
          closeOpen({ focus: true });
          act(participant);
        });
      }
      return offered.map(([button]) => button);
    };
    toggle.addEventListener("click", () => {
      const open = openFor !== participant.id;
      closeOpen();
      setOpen(participant.id, open, { focus: open });
    });
    return { toggle, menu, choices };
  }

  function row(participant, index, you, manage) {
    const item = document.createElement("li");
    item.dataset.who = String(colourOf(participant.id));
    const name = document.createElement("span");
    name.className = "alias";
    name.dir = "auto";
    name.textContent = participant.alias;
    item.append(name);
    if (participant.role === HOST) item.append(" ", mark("host", "mark.host"));
    const mine = you && participant.id === you.id;
    if (mine) item.append(" ", mark("you", "mark.you"));
    if (manage && !mine) {
      const controls = menuFor(participant, index);
      item.classList.add("managed");
      item.append(controls.toggle, controls.menu);
      shown.set(participant.id, controls);
    }
    return item;
  }

  // Escape or a tap elsewhere closes an open menu, as the room's menu does.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openFor) closeOpen({ focus: true });
  });
  document.addEventListener("click", (event) => {
    if (openFor && !event.target.closest(".person-toggle, .person-menu")) closeOpen();
  });

  return {
    show(participants, you, manage) {
      // A new presence redraws the list: an open menu stays open, and focus stays with its person.
      const wasOpen = openFor;
      const holds = ({ toggle, menu }) => toggle === document.activeElement || menu.contains(document.activeElement);
      const focused = [...shown].find(([, row]) => holds(row));
      openFor = null;
      shown = new Map();
      list.replaceChildren(...participants.map((participant, index) => row(participant, index, you, manage)));
      if (shown.has(wasOpen)) setOpen(wasOpen, true);
      if (focused && shown.has(focused[0])) shown.get(focused[0]).toggle.focus();
      for (const count of counts) count.textContent = String(participants.length);
    },
    clear() {
      openFor = null;
      shown = new Map();
      list.replaceChildren();
      for (const count of counts) count.textContent = "0";
    },
  };
}
