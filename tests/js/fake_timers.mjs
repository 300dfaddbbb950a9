// Timers a test moves by hand, for the modules that take `timers` (setTimeout, clearTimeout) from their caller.

/** Timers that run only when `advance(ms)` passes them. */
export function fakeTimers() {
  let now = 0;
  let next = 1;
  const due = new Map();
  return {
    setTimeout(run, ms) {
      due.set(next, { at: now + ms, run });
      return next++;
    },
    clearTimeout: (id) => due.delete(id),
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue;
        due.delete(id);
        timer.run();
      }
    },
    get pending() {
      return due.size;
    },
  };
}
