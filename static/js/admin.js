// The operator's page (templates/admin.html): reported rooms by their numbers, and a Close button for each.
// The token is kept in `token` below and nowhere else: not in storage, a cookie, the address or the field,
// which is emptied once read. Every word shown is the page's own (#admin-words).
const form = document.getElementById("token-form");
const input = document.getElementById("admin-token");
const status = document.getElementById("admin-status");
const reported = document.getElementById("reported");
const table = document.getElementById("reported-table");
const rows = document.getElementById("reported-rows");
const none = document.getElementById("no-reports");
const rowTemplate = document.getElementById("reported-row");
const dialog = document.getElementById("close-dialog");

let token = "";

function word(key) {
  return document.querySelector(`#admin-words [data-word="${key}"]`)?.textContent ?? key;
}

function say(key) {
  status.textContent = word(key);
  status.hidden = false;
}

/** An admin API call with the token; null when the server could not be reached. */
async function call(method, path) {
  try {
    return await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    return null;
  }
}

function reasons(counts) {
  return Object.entries(counts)
    .map(([reason, n]) => `${word(reason)} ${n}`)
    .join(", ");
}

function row(room) {
  const tr = rowTemplate.content.firstElementChild.cloneNode(true);
  tr.querySelector(".room-id").textContent = room.room_id;
  tr.querySelector(".reasons").textContent = reasons(room.reasons);
  tr.querySelector(".count").textContent = String(room.count);
  tr.querySelector(".age").textContent = String(Math.floor(room.age / 60));
  tr.querySelector(".participants").textContent = String(room.participants);
  tr.querySelector(".close-room").addEventListener("click", () => confirmClose(room.room_id));
  return tr;
}

function showRooms(rooms) {
  rows.replaceChildren(...rooms.map(row));
  table.hidden = rooms.length === 0;
  none.hidden = rooms.length !== 0;
  reported.hidden = false;
}

async function load() {
  say("loading");
  const answer = await call("GET", "/api/admin/reports");
  if (answer === null || (!answer.ok && answer.status !== 401)) {
    say("failed");
    return;
  }
  if (answer.status === 401) {
    token = "";
    reported.hidden = true;
    rows.replaceChildren();
    form.hidden = false;
    say("unauthorized");
    input.focus();
    return;
  }
  showRooms((await answer.json()).rooms);
  form.hidden = true;
  say("shown");
}

function confirmClose(roomId) {
  document.getElementById("close-room").textContent = roomId;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener(
    "close",
    async () => {
      if (dialog.returnValue !== "close") return;
      const answer = await call("POST", `/api/admin/rooms/${encodeURIComponent(roomId)}/close`);
      if (answer === null || (!answer.ok && answer.status !== 404)) {
        say(answer?.status === 401 ? "unauthorized" : "failed");
        return;
      }
      await load();
      say(answer.ok ? "closed" : "gone");
    },
    { once: true },
  );
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  token = input.value.trim();
  input.value = "";
  if (token) load();
});
document.getElementById("refresh").addEventListener("click", load);
window.addEventListener("pagehide", () => {
  token = "";
});
