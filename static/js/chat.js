// Chat page: wires the connection to the view.
import { leaveWithoutAsking, noteIncoming, setUpAttention } from "./chat/attention.js";
import { setUpComposer } from "./chat/composer.js";
import { connect } from "./chat/connection.js";
import {
  showComposerError,
  showCountdown,
  showMessage,
  showPresence,
  showStatus,
  showSystem,
  view,
  wipe,
} from "./chat/render.js";
import { setUpCopyButtons } from "./clipboard.js";

const root = document.getElementById("chat");
const roomId = root.dataset.room;
const me = root.dataset.alias;
const maxChars = Number(root.dataset.maxChars);
let deadline = performance.now() + (Number(root.dataset.expiresAt) - Date.now());
let present = null;
let leaving = false;

/** Wipe this page, then go where nothing of the conversation can come back. */
function leave(destination) {
  if (leaving) return;
  leaving = true;
  wipe();
  leaveWithoutAsking();
  connection.close();
  location.replace(destination);
}
const leaveBecause = (reason) => leave(`/gone?reason=${encodeURIComponent(reason)}`);

const connection = connect(roomId, {
  connected(again) {
    showStatus("Connected. Nothing here is stored.", "connected");
    if (again) showSystem("Reconnected. Messages sent while you were away were not received.");
  },
  reconnecting() {
    if (!leaving) showStatus("Reconnecting…", "reconnecting");
  },
  welcome(info) {
    deadline = performance.now() + info.expires_in * 1000;
    showPresence(info.participants, me);
    present = new Set(info.participants);
  },
  presence({ participants }) {
    const now = new Set(participants);
    if (present) {
      for (const alias of now) if (!present.has(alias)) showSystem(`${alias} joined`);
      for (const alias of present) if (!now.has(alias)) showSystem(`${alias} left`);
    }
    present = now;
    showPresence(participants, me);
  },
  message(message) {
    showMessage(message, message.alias === me);
    noteIncoming();
  },
  purged({ reason }) {
    // The clock may be a tick behind the server's; at the end it shows the end.
    if (reason === "expired") showCountdown(0);
    leaveBecause(reason);
  },
  refused() {
    // The binding is gone (logged out elsewhere, purged, expired): ask the server what to show.
    leave(`/r/${encodeURIComponent(roomId)}`);
  },
  closed() {
    leaveBecause("gone");
  },
});

setUpComposer({
  view,
  maxChars,
  async send(text) {
    const ack = await connection.send(text);
    showComposerError(ack && ack.ok ? "" : (ack && ack.message) || "The message was not sent.");
    return Boolean(ack && ack.ok);
  },
});
setUpCopyButtons();
setUpAttention();

document.getElementById("logout").addEventListener("click", async () => {
  const ack = await connection.leave();
  if (ack && ack.ok) leaveBecause("logout");
  else showComposerError((ack && ack.message) || "Could not leave.");
});

document.getElementById("purge").addEventListener("click", async () => {
  const sure = confirm(
    "Purge this room for everyone?\n\nEvery message disappears from every participant's screen, everyone is signed out, and the room is destroyed. This cannot be undone.",
  );
  if (!sure) return;
  const ack = await connection.purge();
  if (!ack || !ack.ok) showComposerError((ack && ack.message) || "Could not purge.");
});

// Leaving the page (refresh, close, navigate) wipes it before the browser keeps a copy.
addEventListener("pagehide", wipe);
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

const navigation = performance.getEntriesByType("navigation")[0];
showSystem(
  navigation && navigation.type === "reload"
    ? "You refreshed the page: it starts empty, because no message is stored anywhere."
    : "Messages appear only while you are here. Nothing is stored: not on the server, not in this browser.",
);

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
