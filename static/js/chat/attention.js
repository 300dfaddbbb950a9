// The tab title counts unseen messages while the tab is hidden; it never shows
// message text. Leaving the page asks first, since leaving wipes the view.
import { t } from "../catalog.js";

const BASE_TITLE = t("app.name");
let unread = 0;
let leavingOnPurpose = false;

export function noteIncoming() {
  if (!document.hidden) return;
  unread += 1;
  document.title = t("title.unread", { count: unread, app: BASE_TITLE });
}

export function leaveWithoutAsking() {
  leavingOnPurpose = true;
}

export function setUpAttention() {
  document.title = BASE_TITLE;
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      unread = 0;
      document.title = BASE_TITLE;
    }
  });
  addEventListener("beforeunload", (event) => {
    if (leavingOnPurpose) return;
    // Browsers show their own wording; the page's job is only to ask.
    event.preventDefault();
    event.returnValue = "";
  });
}
