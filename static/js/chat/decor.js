// The parts of a message entry around its body: a reply's quote, the "Message removed" marker, the "edited"
// mark, the reactions under it and the button that opens its actions. Words from the catalog, names and
// quotes with textContent: nothing here is markup.
import { t } from "../catalog.js";
import { nodesOf, typedSpan } from "./bidi.js";
import { reactionChips } from "./changes.js";

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

/** A span of what someone typed (an alias, a quote): its direction is its own. */
function typed(className, text) {
  const element = span(className, text);
  element.dir = "auto";
  return element;
}

// Three dots; the button's name is its aria-label, so the row or entry around it keeps its own text.
const SVG = "http://www.w3.org/2000/svg";
export function dots() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("icon");
  for (const x of [5, 12, 19]) {
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", String(x));
    dot.setAttribute("cy", "12");
    dot.setAttribute("r", "2");
    svg.append(dot);
  }
  return svg;
}

/**
 * A reply's quote of `target` (changes.replyTarget): a button that jumps to the original, with its author and
 * `text`; the author and "Message removed" when it was unsent; "original no longer shown" when the page lacks it.
 */
export function quote(target, text) {
  if (target.state === "shown") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "quote";
    button.dataset.to = target.id;
    button.append(span("visually-hidden", t("reply.in_reply_to")), typed("quote-alias", target.alias), " ");
    button.append(typed("quote-text", text));
    return button;
  }
  const gone = document.createElement("p");
  gone.className = "quote gone";
  if (target.state === "removed") gone.append(typed("quote-alias", target.alias), " ", t("message.removed"));
  else gone.textContent = t("reply.gone");
  return gone;
}

/** What an unsent message is on every screen: a marker that holds none of its text. */
export function removedMarker() {
  const marker = document.createElement("p");
  marker.className = "removed";
  marker.textContent = t("message.removed");
  return marker;
}

/**
 * The names behind a reaction, for its title and label: "you" for this page, the alias presence gives for
 * the others, and those no longer here counted as people who left.
 */
export const reactedBy = (ids, youId, aliasOf) => reactedByParts(ids, youId, aliasOf).map(nameOf).join(", ");

const nameOf = (part) => (typeof part === "string" ? part : part.isolate);

/** The same names as parts (bidi.js): the page's words as strings, each alias as {isolate: alias}. */
function reactedByParts(ids, youId, aliasOf) {
  const names = [];
  let left = 0;
  for (const id of ids) {
    if (id === youId) names.push(t("reactions.you"));
    else if (aliasOf(id) != null) names.push({ isolate: aliasOf(id) });
    else left += 1;
  }
  if (left) names.push(t("reactions.left", { count: left }));
  return names;
}

// The names behind each chip drawn, for the line that shows them (message_menu.js): each alias isolated there.
const chipNames = new WeakMap();

/** Nodes for the names behind `chip`: "ann, you", each alias isolated (in the message list: a span.typed). */
export const namesOf = (chip) =>
  nodesOf((chipNames.get(chip) ?? []).flatMap((part, n) => (n ? [", ", part] : [part])), typedSpan);

/** Under the body: "edited" and the reactions, one toggle per emoji (pressed when it is this page's). */
export function foot(message, youId, aliasOf) {
  const chips = reactionChips(message.reactions, youId);
  if (!message.edited && !chips.length) return null;
  const row = document.createElement("div");
  row.className = "foot";
  if (message.edited) row.append(span("edited", t("message.edited")));
  if (chips.length) {
    const reactions = document.createElement("div");
    reactions.className = "reactions";
    for (const { emoji, ids, count, mine } of chips) {
      const parts = reactedByParts(ids, youId, aliasOf);
      const names = parts.map(nameOf).join(", ");
      const chip = document.createElement("button");
      chipNames.set(chip, parts);
      chip.type = "button";
      chip.className = "chip";
      chip.dataset.emoji = emoji;
      chip.setAttribute("aria-pressed", String(mine));
      chip.setAttribute("aria-label", t("reactions.chip", { emoji, count, names }));
      chip.title = names;
      chip.append(span("chip-emoji", emoji), span("chip-count", String(count)));
      reactions.append(chip);
    }
    row.append(reactions);
  }
  return row;
}

/** The button that opens a message's actions (chat/actions.js opens the menu under it). */
export function actionsToggle(mine, alias) {
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "message-toggle";
  toggle.setAttribute("aria-label", mine ? t("message.actions_mine") : t("message.actions", { alias }));
  toggle.setAttribute("aria-expanded", "false");
  toggle.append(dots());
  return toggle;
}
