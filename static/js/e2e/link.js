// A server-blind room's link, as the share card and the invite dialog show it: the server's address of
// the room plus the fragment with the room's secret, which only this page knows (it is in its own address),
// and the QR code of that whole link, drawn here.
import { qrSvg } from "./qr.js";
import { linkSecretFrom } from "./session.js";

/**
 * Complete the link in `#room-link` with `hash` and draw its code into `#qr-slot`; false (and nothing
 * shown) when `hash` holds no link secret, since a link without it opens nothing.
 */
export function showRoomLink(hash) {
  const input = document.getElementById("room-link");
  const slot = document.getElementById("qr-slot");
  if (!input || !slot) return false;
  if (!linkSecretFrom(hash)) {
    input.value = "";
    slot.replaceChildren();
    return false;
  }
  const link = new URL(input.value, location.href);
  link.hash = hash;
  input.value = link.href;
  slot.replaceChildren(qrSvg(link.href));
  return true;
}
