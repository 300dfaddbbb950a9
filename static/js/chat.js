// Chat page: wires the connection to the view.
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

const root = document.getElementById("chat");
const roomId = root.dataset.room;
const me = root.dataset.alias;
let deadline = Number(root.dataset.expiresAt) - Date.now() + performance.now();
let present = null;
let leaving = false;

function leave(reason) {
  if (leaving) return;
  leaving = true;
  wipe();
  connection.close();
  location.replace(`/gone?reason=${encodeURIComponent(reason)}`);
}

const connection = connect(roomId, {
  connected(again) {
    showStatus("Connected. Nothing here is stored; leaving or refreshing wipes this view.");
    if (again) showSystem("Reconnected. Messages sent while you were away were not received.");
  },
  reconnecting() {
    if (!leaving) showStatus("Reconnecting…");
  },
  welcome(info) {
    deadline = performance.now() + info.expires_in * 1000;
    showPresence(info.participants);
    present = new Set(info.participants);
  },
  presence({ participants }) {
    const now = new Set(participants);
    if (present) {
      for (const alias of now) if (!present.has(alias)) showSystem(`${alias} joined`);
      for (const alias of present) if (!now.has(alias)) showSystem(`${alias} left`);
    }
    present = now;
    showPresence(participants);
  },
  message(message) {
    showMessage(message, message.alias === me);
  },
  purged({ reason }) {
    leave(reason);
  },
  refused() {
    // The binding is gone (logged out elsewhere, purged, expired): show what the server says.
    wipe();
    location.replace(`/r/${encodeURIComponent(roomId)}`);
  },
  closed() {
    leave("gone");
  },
});

// The text stays in the composer until the server acks it, so a second Enter
// before then would send it again.
let sending = false;

async function send() {
  const text = view.text.value;
  if (sending || !text.trim()) return;
  sending = true;
  try {
    const ack = await connection.send(text);
    if (ack && ack.ok) {
      view.text.value = "";
      showComposerError("");
    } else {
      showComposerError(ack ? ack.message : "The message was not sent.");
    }
  } finally {
    sending = false;
  }
}

view.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
view.text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});

document.getElementById("logout").addEventListener("click", async () => {
  const ack = await connection.leave();
  if (ack && ack.ok) leave("logout");
  else showComposerError(ack ? ack.message : "Could not leave.");
});

document.getElementById("purge").addEventListener("click", async () => {
  if (!confirm("Purge this room for everyone? Every message disappears from every screen and the room is destroyed.")) {
    return;
  }
  const ack = await connection.purge();
  if (!ack || !ack.ok) showComposerError(ack ? ack.message : "Could not purge.");
});

// Leaving the page (refresh, close, navigate) wipes it before the browser keeps a copy.
addEventListener("pagehide", wipe);
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

function tick() {
  const left = (deadline - performance.now()) / 1000;
  showCountdown(left);
  if (left <= -2) leave("expired"); // the server's notice is late or lost
}
tick();
setInterval(tick, 1000);
