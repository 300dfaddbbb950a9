// "ann is typing…": when this page tells the room it is typing, and whom the room says is typing. Pure: the
// clock and the timers are passed in, so Node tests drive them with a fake clock; chat/typing_line.js wires
// them to the composer, the socket and the line under the conversation.

/** While typing, an "on" goes out at most this often: the server drops what comes faster. */
export const SEND_EVERY_MS = 3000;
/** This long without a keystroke counts as having stopped: an "off" goes out. */
export const IDLE_MS = 5000;
/** A reader forgets someone whose "on" was not refreshed for this long (their "off" may never come). */
export const FORGET_MS = 6000;
/** People a reader keeps at most: a room has fewer, so a flood of made-up ids cannot grow the page. */
export const MAX_TYPING = 100;

/**
 * This page's side. `emit(on)` tells the room; `input(hasText)` is called on every keystroke with whether the
 * box holds anything; `stop()` on send, on clear and on blur. An "on" goes out at the first keystroke and then
 * at most every SEND_EVERY_MS while typing goes on; an "off" goes out once, after IDLE_MS without a keystroke
 * or at `stop()`, and only after an "on". `setEnabled(false)` stops at once and keeps quiet until enabled.
 */
export function createTypingSender({ emit, now, setTimer, clearTimer }) {
  let enabled = true;
  let on = false;
  let lastOn = 0;
  let idle = null;

  function stop() {
    if (idle !== null) clearTimer(idle);
    idle = null;
    if (!on) return;
    on = false;
    emit(false);
  }

  return {
    input(hasText) {
      if (!enabled) return;
      if (!hasText) {
        stop();
        return;
      }
      if (!on || now() - lastOn >= SEND_EVERY_MS) {
        on = true;
        lastOn = now();
        emit(true);
      }
      if (idle !== null) clearTimer(idle);
      idle = setTimer(stop, IDLE_MS);
    },
    stop,
    setEnabled(value) {
      enabled = Boolean(value);
      if (!enabled) stop();
    },
    get enabled() {
      return enabled;
    },
  };
}

/**
 * The others' side: `heard(from, on)` takes a relayed `typing` event, `drop(id)` forgets someone (their message
 * arrived, they left), `clear()` forgets everyone. `onChange(ids)` hears who is typing now, in the order they
 * started, whenever that changes, including when someone is forgotten after FORGET_MS without a refresh.
 */
export function createTypingReceiver({ now, setTimer, clearTimer, onChange }) {
  const typing = new Map(); // participant id -> when their last "on" came
  let timer = null;
  const ids = () => [...typing.keys()];

  function schedule() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (!typing.size) return;
    const due = Math.min(...typing.values()) + FORGET_MS;
    timer = setTimer(expire, Math.max(0, due - now()));
  }

  function expire() {
    timer = null;
    const before = typing.size;
    for (const [id, at] of typing) if (now() - at >= FORGET_MS) typing.delete(id);
    schedule();
    if (typing.size !== before) onChange(ids());
  }

  function drop(id) {
    if (!typing.delete(id)) return;
    schedule();
    onChange(ids());
  }

  return {
    heard(from, on) {
      if (typeof from !== "string" || !from || typeof on !== "boolean") return;
      if (!on) {
        drop(from);
        return;
      }
      const fresh = !typing.has(from);
      if (fresh && typing.size >= MAX_TYPING) return;
      typing.set(from, now()); // an existing key keeps its place: the line's order does not shuffle
      schedule();
      if (fresh) onChange(ids());
    },
    drop,
    clear() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      if (!typing.size) return;
      typing.clear();
      onChange([]);
    },
    ids,
  };
}

/** The catalog key and params for the line under the conversation, from the aliases typing; null for none. */
export function typingWords(aliases) {
  if (aliases.length === 0) return null;
  if (aliases.length === 1) return ["typing.one", { alias: aliases[0] }];
  if (aliases.length === 2) return ["typing.two", { first: aliases[0], second: aliases[1] }];
  return ["typing.many", {}];
}
