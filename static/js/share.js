// Share card: copy button and the expiry in the reader's local time. A server-blind room's card shows the
// whole link, secret and all, with its QR code drawn here; its name and its keys come from this page's
// memory when the room was just created here, and entering the room keeps them (e2e/navigate.js).
import { t } from "./catalog.js";
import { setUpCopyButtons } from "./clipboard.js";
import { showRoomLink } from "./e2e/link.js";
import { openInPlace } from "./e2e/navigate.js";
import { roomName, unlocked } from "./e2e/session.js";
import { localTime } from "./time.js";

setUpCopyButtons();
const card = document.getElementById("share");
const expiresAt = Number(card.dataset.expiresAt);
const expires = document.getElementById("expires");
const minutes = Math.max(0, Math.round((expiresAt - Date.now()) / 60000));
expires.dateTime = new Date(expiresAt).toISOString();
expires.textContent = t("share.expires", { time: localTime(expiresAt), count: minutes });

if (card.dataset.mode === "e2e") {
  showRoomLink(location.hash);
  const enter = document.getElementById("enter-room");
  enter.href = new URL(enter.getAttribute("href") + location.hash, location.href).href;
  if (unlocked()) {
    document.getElementById("room-title").textContent = roomName();
    enter.addEventListener("click", async (event) => {
      event.preventDefault();
      if (!(await openInPlace(new URL(enter.href).pathname, location.hash))) location.assign(enter.href);
    });
  }
}
