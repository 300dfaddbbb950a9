// What a room's rules take off this screen: with disappearing messages each message leaves it that many seconds
// after it arrived here (a message handed over by a peer, when its time on their screen is up, if sooner); with
// vanish on leave, a leaver's messages leave it as soon as presence says they left.
// Both are decided by each screen, from the room's rules in `welcome`: the server keeps no message to forget.

const isMessage = (entry) => Boolean(entry) && typeof entry.note !== "string";

/**
 * Follow `model`: `rules()` is the room's state (null until welcome), `timers` has setTimeout/clearTimeout
 * (the page's, or a test's), `now()` the clock. Returns `left(participantId)`, for presence to call,
 * `leftOf(id)` (ms until a message leaves this screen; undefined if it stays) and `clear()`.
 */
export function setUpForgetting(model, rules, timers = globalThis, now = () => performance.now()) {
  const due = new Map(); // message id -> {timer, at}

  function cancel(id) {
    timers.clearTimeout(due.get(id)?.timer);
    due.delete(id);
  }

  function clear() {
    for (const id of [...due.keys()]) cancel(id);
  }

  model.onChange(({ type, id, message }) => {
    const seconds = rules()?.disappear;
    if (type === "add" && isMessage(message) && seconds > 0) {
      const ms = Math.min(seconds * 1000, Number.isFinite(message.left) ? message.left : Infinity);
      const timer = timers.setTimeout(() => {
        due.delete(id);
        model.remove(id);
      }, ms);
      due.set(id, { timer, at: now() + ms });
    } else if (type === "remove") cancel(id);
    else if (type === "clear") clear();
  });

  return {
    /** Someone left the room: in a room that vanishes leavers' messages, theirs leave this screen. */
    left(participantId) {
      if (!rules()?.vanish) return;
      for (const message of model.all()) if (isMessage(message) && message.from === participantId) model.remove(message.id);
    },
    leftOf(id) {
      const at = due.get(id)?.at;
      return at === undefined ? undefined : Math.max(0, at - now());
    },
    clear,
  };
}
