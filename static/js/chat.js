// Chat page: wires the connection to the message model and the view.
import { errorText, t } from "./catalog.js";
import { setUpActions } from "./chat/actions.js";
import { applyEdit, carryReplies } from "./chat/changes.js";
import { setUpAlerts } from "./chat/alerts.js";
import { leaveWithoutAsking } from "./chat/attention.js";
import { setUpComposeMode } from "./chat/compose_mode.js";
import { connect } from "./chat/connection.js";
import { setUpControl } from "./chat/control.js";
import { setUpFiles } from "./chat/files.js";
import { setUpForgetting } from "./chat/forgetting.js";
import { setUpHistory } from "./chat/history.js";
import { mentionCheck } from "./chat/mentions.js";
import { createMessageModel } from "./chat/model.js";
import { setUpPanels } from "./chat/panels.js";
import { setUpPeople } from "./chat/people.js";
import { quoteOf, renderMessages, sentence, textOf } from "./chat/render.js";
import { allowed, presenceChanges, roleOf, roomState } from "./chat/roles.js";
import { setUpSending } from "./chat/sending.js";
import {
  clearView,
  runCountdown,
  showAnswer,
  showCountdown,
  showPurgedCard,
  showRoomError,
  showStatus,
} from "./chat/status.js";
import { setUpTyping } from "./chat/typing_line.js";
import { view } from "./chat/view.js";
import { setUpCopyButtons } from "./clipboard.js";
import { createSealedRoom } from "./e2e/room.js";
import { forget } from "./e2e/session.js";
import { openSealedPage } from "./e2e/unlock.js";
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
const youId = () => you?.id ?? null;
/** An alias from the last presence; null for someone who is not here (left, or never was). */
const aliasOf = (id) => present?.get(id)?.alias ?? null;
const isMine = (message) => you !== null && message.from === you.id;
const mentionsYou = mentionCheck({ isMine, alias: () => you?.alias, textOf });
const shown = renderMessages(model, {
  isMine,
  mentionsYou,
  youId,
  aliasOf,
  drawn: (...args) => actions.drawn(...args),
});
const forgetting = setUpForgetting(model, () => room);
const alerts = setUpAlerts({
  model,
  mentionsYou,
  toggle: document.getElementById("notify-toggle"),
  refused: () => showRoomError(t("notify.refused")),
});
// A server-blind room: its messages are sealed here and opened, checked and sanitized by each reader. The
// server's `reply_to`, outside the envelope, joins each message as it is opened.
const replies = carryReplies(model);
const sealed =
  root.dataset.mode === "e2e"
    ? createSealedRoom({
        roomId,
        maxChars,
        model: replies.model,
        onEdited: (id, body) => applyEdit(model, id, body),
      })
    : null;

const [rules, connected, maxBytes] = [() => room, () => connection, Number(root.dataset.frameBytes)];
const peerHistory = setUpHistory({ model, sealed, rules, youId, connection: connected, forgetting, maxBytes });

/** Remove every trace of the conversation: the model, its entries on screen, and the rest of the view. */
function wipe() {
  composeMode.clear();
  typing.clear();
  alerts.clear();
  model.clear(); // the renderer empties the message list with it, and the timers of disappearing messages go
  people.clear();
  clearView();
  forget();
}

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

// The room was purged: wipe, then show the gone card in place of the room, saying who purged. The address becomes
// the gone page's, so a reload or Back and Forward shows the server's card; who purged never enters a URL or history.
function showPurged(by) {
  if (!endConversation()) return;
  panels.closeAll();
  history.replaceState(null, "", "/gone?reason=purged");
  showPurgedCard(by, youId());
}

const byId = (participants) => new Map(participants.map(({ id, alias, role }) => [id, { alias, role }]));

const canWrite = () => allowed(room, roleOf(here, you)).write;

/** Draw who is here and the room's state, with what this page's role may do. */
function refresh() {
  const can = allowed(room, roleOf(here, you));
  people.show(here, you, can.manage);
  control.show(room, can);
  typing.redraw();
  // Who reacted is named from presence: a reaction's names follow who is here.
  for (const message of model.all()) if (message.reactions) shown.redraw(message.id);
}

/** Take the room's new state; a lock or an unlock is said in the conversation. */
function takeRoom(payload) {
  const next = roomState(payload);
  if (!next) return;
  if (room && room.locked !== next.locked) model.note(t(next.locked ? "note.locked" : "note.unlocked"));
  room = next;
  refresh();
}

const answered = (ack, invalidKey) => showAnswer(ack, invalidKey, maxChars);

const panels = setUpPanels();
const composeMode = setUpComposeMode({ text: view.text, send: view.send });
const typing = setUpTyping({
  text: view.text,
  line: view.typing,
  toggle: document.getElementById("typing-toggle"),
  emit: (on) => connection.typing(on),
  youId,
  aliasOf,
});
const actions = setUpActions({
  model,
  list: view.messages,
  connection: () => connection,
  youId,
  canWrite,
  sealed,
  composeMode,
  quoteOf,
  jumpTo: (id) => shown.jumpTo(id),
  confirmUnsend: () => panels.confirmUnsend(),
  showError: showRoomError,
});
const files = setUpFiles({
  model,
  connection: connected,
  you: () => you,
  others: () => here.map(({ id }) => id).filter((id) => id !== youId()),
  sealed: Boolean(sealed),
  roomId,
  showError: showRoomError,
  maxBytes: Number(root.dataset.maxFileBytes),
  confirmFile: (name) => panels.confirmFile(name),
});
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

if (sealed) await openSealedPage(root, sealed);

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
    peerHistory.welcomed(here);
    refresh();
  },
  presence({ participants }) {
    const now = byId(participants);
    if (present) {
      const { notes, arrived, left } = presenceChanges(present, now, youId());
      for (const id of left) {
        forgetting.left(id); // in a room that vanishes a leaver's messages
        files.left(id); // a file on its way waits for them no longer
      }
      for (const [key, alias] of notes) model.note(sentence(key, { alias }));
      for (const id of arrived) peerHistory.arrived(participants, id); // in a room that shares history
    }
    here = participants;
    present = now;
    refresh();
  },
  room: takeRoom,
  message(message) {
    typing.drop(message?.from); // their message came: they stopped typing it
    if (sealed) {
      replies.expect(message);
      actions.opening(sealed.receive(message).finally(() => replies.done(message?.id)));
    }
    else model.add(message);
  },
  edited: (payload) => actions.edited(payload),
  unsent: (payload) => actions.unsent(payload),
  reactions: (payload) => actions.reactions(payload),
  typing: (payload) => typing.heard(payload),
  history: (payload) => peerHistory.received(payload),
  files: (event, payload) => files.heard(event, payload),
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

setUpSending({
  view,
  maxChars,
  model,
  sealed,
  connection: () => connection,
  you: () => you,
  composeMode,
  typing,
});
setUpCopyButtons();
setUpReport();

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

runCountdown(() => deadline - performance.now(), () => leaveBecause("expired"));
