// "ann is typing…" under the conversation, and this page's own typing told to the room (chat/typing.js decides
// when). The room menu's switch "Show others that I am typing" is on by default and lives in this page's
// memory only: turned off, an "off" goes at once and nothing more.
import { sentenceNodes } from "./bidi.js";
import { createTypingReceiver, createTypingSender, typingWords } from "./typing.js";

const timers = { now: () => performance.now(), setTimer: setTimeout, clearTimer: clearTimeout };

/**
 * Wire the composer's box `text`, the line `line` and the switch `toggle`. `emit(on)` tells the room;
 * `youId()` is this page's participant id (its own typing, from another tab, is not shown);
 * `aliasOf(id)` an alias from presence, null for someone not here. Returns `heard(payload)` for the relayed
 * `typing`, `drop(id)` (their message came), `redraw()` (presence changed), `stop()` (sent) and `clear()`.
 */
export function setUpTyping({ text, line, toggle, emit, youId, aliasOf }) {
  const sender = createTypingSender({ emit, ...timers });

  function draw(ids) {
    const aliases = ids.map(aliasOf).filter((alias) => alias != null);
    const words = typingWords(aliases);
    line.replaceChildren(...(words ? sentenceNodes(...words) : []));
  }

  const receiver = createTypingReceiver({ ...timers, onChange: draw });

  text.addEventListener("input", () => sender.input(text.value.trim() !== ""));
  text.addEventListener("blur", () => sender.stop());
  toggle.addEventListener("click", () => {
    sender.setEnabled(!sender.enabled);
    toggle.setAttribute("aria-checked", String(sender.enabled));
  });

  return {
    heard(payload) {
      if (payload?.from === youId()) return;
      receiver.heard(payload?.from, payload?.on);
    },
    drop: (id) => receiver.drop(id),
    redraw() {
      // Someone who left is typing no longer; a new alias shows at once.
      for (const id of receiver.ids()) if (aliasOf(id) == null) receiver.drop(id);
      draw(receiver.ids());
    },
    stop: () => sender.stop(),
    clear() {
      sender.stop();
      receiver.clear();
    },
  };
}
