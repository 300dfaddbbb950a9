// The room's state in the header (its kind, a lock badge) and the controls that follow this page's role:
// a host's lock toggle and "Step down" in the room menu, Purge when the room lets this person purge, and
// the composer, which a reader of a broadcast room does not get (a short note says why instead).
import { t } from "../catalog.js";

const $ = (id) => document.getElementById(id);

const KIND_WORDS = { group: "room.kind.group", pair: "room.kind.pair", broadcast: "room.kind.broadcast" };

/**
 * Wire the lock toggle and "Step down": `onLock(locked)` with the state asked for, `onStepDown()`.
 * Returns `show(state, can)`, drawing the room's state (from roles.roomState, or null before `welcome`)
 * and what `can` (roles.allowed) says this page may do.
 */
export function setUpControl({ onLock, onStepDown }) {
  const kind = $("room-kind");
  const locked = $("room-locked");
  const lock = $("lock-toggle");
  const stepDown = $("step-down");
  const purge = $("purge");
  const composer = $("composer");
  const readerNote = $("reader-note");
  const typingToggle = $("typing-toggle");
  let current = null;

  lock.addEventListener("click", () => onLock(!current?.locked));
  stepDown.addEventListener("click", () => onStepDown());

  return {
    show(state, can) {
      current = state;
      if (state?.kind) {
        kind.textContent = t(KIND_WORDS[state.kind]);
        kind.dataset.kind = state.kind;
      }
      kind.hidden = !state?.kind;
      locked.hidden = !state?.locked;
      lock.hidden = !can.lock || !state;
      lock.textContent = t(state?.locked ? "control.unlock" : "control.lock");
      stepDown.hidden = !can.stepDown;
      purge.hidden = !can.purge;
      // Hidden, not emptied: a host who steps down in a broadcast room finds what they typed if made host again.
      composer.hidden = !can.write;
      readerNote.hidden = can.write;
      typingToggle.hidden = !can.write; // who cannot write here never types
    },
  };
}
