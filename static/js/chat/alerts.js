// What tells a person of a new message while they look elsewhere: the tab's title (chat/attention.js) and, once
// turned on, a notification (chat/notify.js). A message that mentions them counts as important in both.
import { noteIncoming, setUpAttention } from "./attention.js";
import { setUpNotifications } from "./notify.js";

/**
 * Follow `model`'s new messages, shown or still sealed (notes are the page's own). `mentionsYou(message)` says
 * whether one names this page's person; `toggle` is the notifications switch, `refused()` told when the browser
 * will not show them. Returns `clear()`, for the wipe.
 */
export function setUpAlerts({ model, mentionsYou, toggle, refused }) {
  setUpAttention();
  const notifications = setUpNotifications(toggle, refused);
  model.onChange(({ type, message }) => {
    if (type !== "add" || typeof message.note === "string") return;
    const mention = mentionsYou(message);
    noteIncoming({ mention });
    notifications.incoming({ mention });
  });
  return { clear: () => notifications.clear() };
}
