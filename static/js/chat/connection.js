// The one place that talks Socket.IO. Rendering lives in render.js; the words
// for an ack's error code live in the catalog, so acks made here carry only codes.
import { io } from "../../vendor/socket.io.esm.min.js";

/**
 * Connects to the room and forwards server events to `on` callbacks.
 * Returns `send`, `leave` and `purge`, each resolving with the server's ack.
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

  socket.on("connect", () => {
    on.connected(everConnected);
    everConnected = true;
  });
  socket.on("welcome", on.welcome);
  socket.on("presence", on.presence);
  socket.on("message", on.message);
  socket.on("purged", on.purged);
  socket.on("connect_error", (error) => {
    if (error && error.message === "unauthorized") {
      socket.close();
      on.refused();
    } else {
      on.reconnecting();
      // A refusal for another reason (the server's room store is briefly out
      // of reach) stops the client's own retries: try again shortly.
      if (!socket.active) setTimeout(() => socket.connect(), 2000);
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
    send: (text) => request("message", { text }),
    leave: () => request("logout", {}),
    purge: () => request("purge", {}),
    close: () => socket.close(),
  };
}
