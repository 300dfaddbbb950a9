// The tab title counts unseen messages while the tab is hidden, and says when one of them mentions you; it never
// shows message text. Leaving the page asks first, since leaving wipes the view.
import { t } from "../catalog.js";

const BASE_TITLE = t("app.name");
let unread = 0;
let mentioned = false;
let leavingOnPurpose = false;

/** A message came (`mention`: it names you); a hidden tab counts it in its title. */
export function noteIncoming({ mention = false } = {}) {
  if (!document.hidden) return;
  unread += 1;
  mentioned ||= mention;
  document.title = t(mentioned ? "title.mention" : "title.unread", { count: unread, app: BASE_TITLE });
}

export function leaveWithoutAsking() {
  leavingOnPurpose = true;
}

export function setUpAttention() {
  document.title = BASE_TITLE;
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      unread = 0;
      mentioned = false;
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
