// Chat page: wires the connection to the message model and the view.
import { errorText, t } from "./catalog.js";
import { leaveWithoutAsking, noteIncoming, setUpAttention } from "./chat/attention.js";
import { setUpComposer } from "./chat/composer.js";
import { connect } from "./chat/connection.js";
import { setUpControl } from "./chat/control.js";
import { createMessageModel } from "./chat/model.js";
import { setUpPanels } from "./chat/panels.js";
import { setUpPeople } from "./chat/people.js";
import {
  clearView,
  renderMessages,
  showComposerError,
  showComposerNotice,
  showCountdown,
  showRoomError,
  showStatus,
  view,
} from "./chat/render.js";
import { HOST, allowed, roleChanges, roleOf, roomState } from "./chat/roles.js";
import { setUpCopyButtons } from "./clipboard.js";
import { showRoomLink } from "./e2e/link.js";
import { createSealedRoom } from "./e2e/room.js";
import { forget, roomName, unlocked } from "./e2e/session.js";
import { askForPassword } from "./e2e/unlock.js";
import { setUpReport } from "./report.js";

const root = document.getElementById("chat");
const roomId = root.dataset.room;
const maxChars = Number(root.dataset.maxChars);
let deadline = performance.now() + (Number(root.dataset.expiresAt) - Date.now());
// Who this page speaks as, from `welcome`: identity is the participant id, never the alias.
let you = null;
let here = []; // the participants of the last presence, with their roles
let present = null; // participant id -> {alias, role}, as the last presence said
let room = null; // the room's state (roles.roomState): from welcome, then each `room` event
let leaving = false;

const model = createMessageModel();
renderMessages(model, (message) => you !== null && message.from === you.id);
// A server-blind room: its messages are sealed here and opened, checked and sanitized by each reader.
const sealed =
  root.dataset.mode === "e2e" ? createSealedRoom({ roomId, maxChars, model, onAdded: noteIncoming }) : null;

/** Remove every trace of the conversation: the model, its entries on screen, and the rest of the view. */
function wipe() {
  model.clear(); // the renderer empties the message list with it
  people.clear();
  clearView();
  forget();
}

/**
 * Words for a failed ack, from its code; the server's English `message` is never shown. In a room
 * `forbidden` is always about a host's rights (elsewhere it is a form from another site).
 */
const failure = (ack) => (ack?.error === "forbidden" ? t("room.forbidden") : errorText(ack?.error, { max: maxChars }));

/** Wipe the conversation and close the socket, once; false if the page is already on its way out. */
function endConversation() {
  if (leaving) return false;
  leaving = true;
  wipe();
  leaveWithoutAsking();
  connection.close();
  return true;
}

/** Wipe this page, then go where nothing of the conversation can come back. */
function leave(destination) {
  if (endConversation()) location.replace(destination);
}
const leaveBecause = (reason) => leave(`/gone?reason=${encodeURIComponent(reason)}`);

/**
 * The room was purged: wipe, then show the gone card in place of the room,
 * saying who purged. The address becomes the gone page's, so a reload or Back
 * and Forward shows the server's card; who purged never enters a URL or history.
 */
function showPurged(by) {
  if (!endConversation()) return;
  panels.closeAll();
  history.replaceState(null, "", "/gone?reason=purged");
  const card = document.getElementById("purged-card").content.cloneNode(true);
  if (by) {
    const mine = by.id === you?.id;
    card.querySelector("#purged-by").textContent = mine ? t("gone.purged_by_you") : t("gone.purged_by", by);
  }
  document.title = t("gone.title");
  const main = document.getElementById("main");
  main.replaceChildren(card);
  main.focus(); // a screen reader starts at the news, not wherever focus was in the room
}

const byId = (participants) => new Map(participants.map(({ id, alias, role }) => [id, { alias, role }]));

/** Draw who is here and the room's state, with what this page's role may do. */
function refresh() {
  const can = allowed(room, roleOf(here, you));
  people.show(here, you, can.manage);
  control.show(room, can);
}

/** Say in the conversation whose role changed, by participant id. */
function noteRoleChanges(before, after) {
  for (const { id, alias, role } of roleChanges(before, after)) {
    const mine = id === you?.id;
    const key = role === HOST ? (mine ? "note.you_host" : "note.host") : mine ? "note.you_member" : "note.member";
    model.note(t(key, { alias }));
  }
}

/** Take the room's new state; a lock or an unlock is said in the conversation. */
function takeRoom(payload) {
  const next = roomState(payload);
  if (!next) return;
  if (room && room.locked !== next.locked) model.note(t(next.locked ? "note.locked" : "note.unlocked"));
  room = next;
  refresh();
}

/** Show a room action's failure in words of the catalog; `invalidKey` names what `invalid` means for it. */
function answered(ack, invalidKey) {
  if (ack?.ok) showRoomError("");
  else showRoomError(ack?.error === "invalid" && invalidKey ? t(invalidKey) : failure(ack));
  return Boolean(ack?.ok);
}

const panels = setUpPanels();
const people = setUpPeople({
  async kick(participant) {
    if (!(await panels.confirmKick(participant.alias))) return;
    answered(await connection.kick(participant.id), "control.not_here");
  },
  async promote(participant) {
    answered(await connection.promote(participant.id), "control.not_here");
  },
});
const control = setUpControl({
  async onLock(locked) {
    panels.closeMenu();
    const ack = await connection.lock(locked);
    if (answered(ack)) takeRoom(ack.room);
  },
  async onStepDown() {
    panels.closeMenu();
    answered(await connection.stepDown(), "control.alone");
  },
});

if (sealed) {
  // Nothing is shown or sent before the keys are here: a page that came without them asks for the password.
  if (!unlocked()) await askForPassword(root);
  document.getElementById("room-name").textContent = roomName();
  showRoomLink(location.hash);
  root.hidden = false;
  sealed.start();
}

const connection = connect(roomId, {
  connected(again) {
    showStatus(t("status.connected"), "connected");
    if (again) model.note(t("note.reconnected"));
  },
  reconnecting() {
    if (!leaving) showStatus(t("status.reconnecting"), "reconnecting");
  },
  crowded(code) {
    // Refused for too many sockets, or for connecting too often: say why; the connection tries again by itself.
    if (!leaving) showStatus(errorText(code), "reconnecting");
  },
  welcome(info) {
    deadline = performance.now() + info.expires_in * 1000;
    you = info.you ?? null;
    here = info.participants;
    present = byId(here);
    room = roomState(info.room) ?? room;
    refresh();
  },
  presence({ participants }) {
    const now = byId(participants);
    if (present) {
      for (const [id, { alias }] of now) if (!present.has(id)) model.note(t("note.joined", { alias }));
      for (const [id, { alias }] of present) if (!now.has(id)) model.note(t("note.left", { alias }));
      noteRoleChanges(present, now);
    }
    here = participants;
    present = now;
    refresh();
  },
  room: takeRoom,
  message(message) {
    if (sealed) sealed.receive(message);
    else if (model.add(message)) noteIncoming();
  },
  purged({ reason, by }) {
    // The clock may be a tick behind the server's; at the end it shows the end.
    if (reason === "expired") showCountdown(0);
    if (reason === "purged") showPurged(by);
    else leaveBecause(reason);
  },
  refused() {
    // The binding is gone (logged out elsewhere, purged, expired): ask the server what to show.
    leave(`/r/${encodeURIComponent(roomId)}`);
  },
  closed() {
    leaveBecause("gone");
  },
});

let waitTimer = 0;

/** After `rate_limited`, count down beside Send to when sending is allowed again, then take the note away. */
function waitBeforeSending(seconds) {
  clearTimeout(waitTimer);
  if (seconds <= 0) {
    showComposerNotice("", "wait");
    return;
  }
  showComposerNotice(t("composer.wait", { count: seconds }), "wait");
  waitTimer = setTimeout(() => waitBeforeSending(seconds - 1), 1000);
}

/** Send `text`: as typed in a standard room; sealed in a server-blind one, one at a time, so counters stay in order. */
let sending = Promise.resolve();
async function sendText(text) {
  if (!sealed) return connection.send(text);
  if ([...text].length > maxChars) return { ok: false, error: "too_large" };
  const turn = sending.then(async () => {
    const envelope = you ? await sealed.seal(text, you) : null;
    if (!envelope) return you ? { ok: false, error: "too_large" } : { ok: false, error: "offline" };
    const ack = await connection.sendSealed(envelope);
    // Refused, or never sent: the server passed nothing on, so the counter goes back (a lost ack keeps it).
    if (!ack?.ok && ack?.error !== "timeout") sealed.refused(envelope);
    return ack;
  });
  sending = turn.catch(() => {});
  return turn;
}

setUpComposer({
  view,
  maxChars,
  async send(text) {
    const ack = await sendText(text);
    const ok = Boolean(ack?.ok);
    if (ack?.error === "rate_limited") {
      showComposerError("");
      waitBeforeSending(Math.max(1, Math.ceil(Number(ack.retry_after) || 1)));
    } else {
      showComposerError(ok ? "" : failure(ack));
    }
    return ok;
  },
});
setUpCopyButtons();
setUpReport();
setUpAttention();

document.getElementById("logout").addEventListener("click", async () => {
  if (answered(await connection.leave())) leaveBecause("logout");
});

document.getElementById("purge").addEventListener("click", async () => {
  if (await panels.confirmPurge()) answered(await connection.purge());
});

// Leaving the page (refresh, close, navigate) wipes it before the browser keeps a copy.
addEventListener("pagehide", wipe);
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

// A reload of this very room; a chat that came in place of an earlier page (e2e/navigate.js) was not reloaded.
const navigation = performance.getEntriesByType("navigation")[0];
const reloaded = navigation?.type === "reload" && new URL(navigation.name).pathname === location.pathname;
model.note(t(reloaded ? "note.refreshed" : "note.fresh"));

function tick() {
  const msLeft = deadline - performance.now();
  showCountdown(msLeft / 1000);
  if (msLeft <= -3000) {
    leaveBecause("expired"); // the server's notice is late or lost
    return;
  }
  // Wake just after the next whole second before the deadline, so the clock turns
  // when a second really passes (a free-running interval lags up to a second).
  const toNextSecond = ((msLeft % 1000) + 1000) % 1000 || 1000;
  setTimeout(tick, toNextSecond + 10);
}
tick();
