// Opt-in notifications. Off until the person turns them on in the room menu, which is the only moment the
// browser is asked for permission; the switch lives in this page's memory only, like the typing switch.
// A notification says that a room has a new message (or that someone mentioned you), and nothing else: never
// its text, who wrote it or the room's name, which the system's notification centre would keep and show.
import { t } from "../catalog.js";

const TAG = "ephemeral"; // one notification at a time: each new one takes the last one's place

/** Wire the switch `toggle`; `refused()` is told when the browser will not show notifications. */
export function setUpNotifications(toggle, refused) {
  const supported = "Notification" in globalThis;
  let on = false;
  let shown = null;
  toggle.hidden = !supported;

  toggle.addEventListener("click", async () => {
    if (on) on = false;
    else {
      const answer = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
      on = answer === "granted";
      if (!on) refused();
    }
    toggle.setAttribute("aria-checked", String(on));
  });

  return {
    /** A message came; while the page is hidden and notifications are on, say so without a word of it. */
    incoming({ mention }) {
      if (!on || !document.hidden) return;
      shown = new Notification(t("notify.title"), { body: t(mention ? "notify.mention" : "notify.message"), tag: TAG });
      shown.addEventListener("click", () => {
        globalThis.focus();
        shown?.close();
      });
    },
    /** The conversation was wiped: the last notification goes with it. */
    clear() {
      shown?.close();
      shown = null;
    },
  };
}
