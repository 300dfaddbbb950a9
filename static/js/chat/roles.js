// Who may do what in a room, from the room's state (`welcome.room`, the `room` event) and the roles that
// presence carries. The page offers only what the server would allow; the server still decides every
// request. Pure (no DOM), so Node tests check it.

export const HOST = "host";
export const KINDS = Object.freeze(["group", "pair", "broadcast"]);
const POLICIES = Object.freeze(["anyone", "hosts"]);

const wholeSeconds = (value) => (Number.isInteger(value) && value > 0 ? value : null);

/**
 * The room's state as the server sent it, kept to the fields and values this page knows; null when it is
 * not a state at all. A kind or policy this page does not know (a newer server) is kept as null: shown
 * as nothing rather than guessed.
 */
export function roomState(payload) {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return null;
  return Object.freeze({
    kind: KINDS.includes(payload.kind) ? payload.kind : null,
    purge: POLICIES.includes(payload.purge) ? payload.purge : null,
    locked: payload.locked === true,
    ttl: wholeSeconds(payload.ttl),
    seats: wholeSeconds(payload.seats),
    disappear: wholeSeconds(payload.disappear) ?? 0, // seconds after arriving here that a message leaves
    vanish: payload.vanish === true, // a leaver's messages leave every screen
    history: payload.history === true, // a member's screen hands each newcomer what it shows
  });
}

/** This page's role: its participant's in the latest presence (roles change), else the one `welcome` said. */
export function roleOf(participants, you) {
  if (!you) return null;
  const here = participants?.find((participant) => participant.id === you.id);
  return here?.role ?? you.role ?? null;
}

/**
 * What the page offers for `role` in a room in `state`: writing (not a member of a broadcast room),
 * purging (not a member of a room whose policy is `hosts`), and the host's controls. Before the room's
 * state is known the page offers what every room allowed before hosts had powers.
 */
export function allowed(state, role) {
  const host = role === HOST;
  return Object.freeze({
    write: host || state?.kind !== "broadcast",
    purge: host || state?.purge !== "hosts",
    lock: host,
    stepDown: host,
    manage: host, // remove someone, make someone a host
  });
}

/**
 * Whose role changed between two presence lists (participant id -> {alias, role}), by id: people in both
 * whose role differs, as `{id, alias, role}` with the new role. Arrivals and departures are not changes.
 */
export function roleChanges(before, after) {
  const changed = [];
  if (!before) return changed;
  for (const [id, now] of after) {
    const then = before.get(id);
    if (then && then.role !== now.role) changed.push({ id, alias: now.alias, role: now.role });
  }
  return changed;
}

/**
 * What a new presence list says in the conversation against the last one (participant id -> {alias, role}):
 * `notes` as [catalog key, alias], arrivals then departures then role changes (`youId`'s own in the second
 * person), `arrived`, the ids of those who came, and `left`, the ids of those who went.
 */
export function presenceChanges(before, after, youId) {
  const notes = [];
  const arrived = [];
  const left = [];
  for (const [id, { alias }] of after) {
    if (before.has(id)) continue;
    arrived.push(id);
    notes.push(["note.joined", alias]);
  }
  for (const [id, { alias }] of before) {
    if (after.has(id)) continue;
    left.push(id);
    notes.push(["note.left", alias]);
  }
  for (const { id, alias, role } of roleChanges(before, after)) {
    const mine = id === youId;
    notes.push([role === HOST ? (mine ? "note.you_host" : "note.host") : mine ? "note.you_member" : "note.member", alias]);
  }
  return { notes, arrived, left };
}
