// The Node peer: a bare socket.io 4 relay, the engine darkwire runs.
//
// One event, `message`, emitted to the sender's room (the sender included) with
// an ack; the room is named in the connect `auth`, one room per connection. No
// sessions, auth, sanitizing or limits: the same contract as bench/floor_app.py,
// with its Engine.IO settings (ping every 10 s, 10 s timeout, 49 KB packets).
//
// Run: node bench/node_peer/relay.js PORT

"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node relay.js PORT");
  process.exit(2);
}

const server = http.createServer((request, response) => {
  // socket.io answers its own path before this handler runs.
  if (request.url === "/healthz") {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end('{"status": "ok"}\n');
    return;
  }
  response.writeHead(404);
  response.end();
});

const io = new Server(server, {
  cors: { origin: false },
  maxHttpBufferSize: 4000 * 12 + 1024,
  pingInterval: 10000,
  pingTimeout: 10000,
  serveClient: false,
});

io.on("connection", (socket) => {
  const room = String((socket.handshake.auth || {}).room);
  socket.join(room);
  socket.on("message", (payload, ack) => {
    io.to(room).emit("message", payload);
    if (typeof ack === "function") {
      ack({ ok: true });
    }
  });
});

// SIGTERM from the orchestrator: close the listener and every socket, then leave.
process.on("SIGTERM", () => {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});

server.listen(port, "127.0.0.1");
