// The one place that talks Socket.IO. Rendering lives in render.js; the words
// for an ack's error code live in the catalog, so acks made here carry only codes.
import { io } from "../../vendor/socket.io.esm.min.js";

// After `too_many_sockets` (this binding's tabs, or this network, hold every socket
// the server allows) try again this much later, plus up to half again so that
// several refused tabs spread out: a quick retry would only be refused again.
const CROWDED_RETRY_MS = 30000;
// After `too_many_connects` (this binding connected too often just now) the refusal
// says in how many seconds a try is allowed: wait that long, plus up to half again.
// Files (chat/files.js): an offer, its pieces, a stop, and readers' progress to the sender.
const FILE_EVENTS = ["file", "file_chunk", "file_cancel", "file_progress"];
const retryAfterMs = (error) => Math.min(Math.max(Number(error?.data?.retry_after) || 1, 1), 60) * 1000;

/**
 * Connects to the room and forwards server events to `on` callbacks.
 * Returns `send`, `sendSealed`, the message actions `edit`, `editSealed`, `unsend` and `react`, `shareHistory`, `leave`,
 * `purge`, a host's `kick`, `lock`, `promote` and `stepDown`, and the files' `offerFile`, `sendChunk` and
 * `cancelFile`, each resolving with the server's ack; and `typing(on)` and `fileProgress`, which are never acked.
 */
export function connect(roomId, on) {
  const socket = io({
    auth: { room: roomId },
    // WebSocket only: socket.io-client 4.8 would not fall back to polling
    // anyway, and one transport means one path to secure and proxy.
    transports: ["websocket"],
    reconnectionDelayMax: 5000,
  });
  let everConnected = false;
  let retry = 0;
  // A server's refusal stops the client's own retries; this one is ours, and close() cancels it.
  const retryIn = (ms) => {
    clearTimeout(retry);
    retry = setTimeout(() => {
      if (!socket.active) socket.connect();
    }, ms);
  };

  socket.on("connect", () => {
    on.connected(everConnected);
    everConnected = true;
  });
  socket.on("welcome", on.welcome);
  socket.on("presence", on.presence);
  socket.on("message", on.message);
  socket.on("purged", on.purged);
  socket.on("room", on.room);
  socket.on("edited", on.edited);
  socket.on("unsent", on.unsent);
  socket.on("reactions", on.reactions);
  socket.on("typing", on.typing);
  socket.on("history", on.history);
  for (const event of FILE_EVENTS) socket.on(event, (payload) => on.files(event, payload));
  socket.on("connect_error", (error) => {
    const reason = error?.message;
    if (reason === "unauthorized") {
      socket.close();
      on.refused();
    } else if (reason === "too_many_sockets") {
      on.crowded(reason);
      retryIn(CROWDED_RETRY_MS * (1 + Math.random() / 2));
    } else if (reason === "too_many_connects") {
      on.crowded(reason);
      retryIn(retryAfterMs(error) * (1 + Math.random() / 2));
    } else {
      on.reconnecting();
      // A refusal for another reason (the server's room store is briefly out
      // of reach): try again shortly. Lost connections the client retries itself.
      if (!socket.active) retryIn(2000);
    }
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect" || reason === "io client disconnect") {
      on.closed(reason);
    } else {
      on.reconnecting();
    }
  });

  const request = (event, payload) =>
    new Promise((resolve) => {
      if (!socket.connected) {
        resolve({ ok: false, error: "offline" });
        return;
      }
      socket.timeout(10000).emit(event, payload, (error, ack) => {
        resolve(error ? { ok: false, error: "timeout" } : ack);
      });
    });

  return {
    /** A message; `replyTo`, the id of the message it answers, or null. */
    send: (text, replyTo) => request("message", replyTo ? { text, reply_to: replyTo } : { text }),
    /** A server-blind room's message: the sealed envelope (e2e/room.js), and `reply_to` in the clear. */
    sendSealed: (e2e, replyTo) => request("message", replyTo ? { e2e, reply_to: replyTo } : { e2e }),
    edit: (id, text) => request("edit", { id, text }),
    /** A server-blind room's edit: the new envelope, bound to the message's id. */
    editSealed: (id, e2e) => request("edit", { id, e2e }),
    unsend: (id) => request("unsend", { id }),
    react: (id, emoji) => request("react", { id, emoji }),
    /** History from peers: the messages this page shows, handed to the newcomer `to` (chat/history.js). */
    shareHistory: (to, messages) => request("share_history", { to, messages }),
    /** Files (files/outgoing.js): an offer, one piece, and the sender's stop. */
    offerFile: (offer) => request("file_offer", offer),
    sendChunk: (id, index, data) => request("file_chunk", { id, index, data }),
    cancelFile: (id) => request("file_cancel", { id }),
    /** How far this page has read a file of `from`'s: no ack, as typing. */
    fileProgress(from, id, index) {
      if (socket.connected) socket.emit("file_progress", { from, id, index });
    },
    /** Tell the room this page is typing, or stopped: no ack, since it would cost a round trip per keystroke. */
    typing(on) {
      if (socket.connected) socket.emit("typing", { on });
    },
    leave: () => request("logout", {}),
    purge: () => request("purge", {}),
    kick: (id) => request("kick", { id }),
    lock: (locked) => request("lock", { locked }),
    promote: (id) => request("promote", { id }),
    stepDown: () => request("step_down", {}),
    close: () => {
      clearTimeout(retry);
      socket.close();
    },
  };
}
