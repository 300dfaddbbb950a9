// How a busy room reads: one person's consecutive messages form a run under one
// name and time, and each person has a colour. Pure, so Node tests check it.

export const RUN_WITHIN_MS = 5 * 60 * 1000;
export const COLOURS = 8; // app.css has a --who-N colour per theme for each

/** Whether `next` continues the run `previous` belongs to: same participant, at most five minutes later. */
export function continuesRun(previous, next) {
  if (!previous || previous.from !== next.from) return false;
  const gap = next.ts - previous.ts;
  return gap >= 0 && gap < RUN_WITHIN_MS;
}

/** A participant's colour, 0 to COLOURS - 1: from the id, so it is the same on every screen and never follows an alias. */
export function colourOf(participantId) {
  let hash = 0;
  for (const char of String(participantId)) hash = (Math.imul(hash, 31) + char.codePointAt(0)) >>> 0;
  return hash % COLOURS;
}
