// The words around the conversation: the connection's status, a room action's failure, the composer's notices
// and errors, and the countdown to the room's end. Text only, all of it from the catalog.
import { errorText, t } from "../catalog.js";
import { clock } from "../time.js";
import { sentenceNodes } from "./bidi.js";
import { view } from "./view.js";

export function showStatus(text, state) {
  view.status.textContent = text;
  view.status.dataset.state = state;
  // Sending needs a live connection; say beside the button why it is off rather than fail later.
  const connected = state === "connected";
  view.send.disabled = !connected;
  showComposerNotice(connected ? "" : t("composer.offline"), "offline");
}

/** A room action's failure (leave, purge, a host's controls, a reaction), above the conversation; "" takes it away. */
export function showRoomError(text) {
  view.roomError.textContent = text;
  view.roomError.hidden = !text;
}

export function showComposerError(text) {
  view.composerError.textContent = text;
  view.composerError.hidden = !text;
}

/**
 * A standing note beside Send, of a `kind` ("offline", "wait"): set with text,
 * cleared with "". Clearing one kind leaves another kind's note alone.
 */
export function showComposerNotice(text, kind) {
  const notice = view.composerNotice;
  if (!text && notice.dataset.kind !== kind) return;
  notice.textContent = text;
  notice.dataset.kind = text ? kind : "";
  notice.hidden = !text;
}

const WARNINGS = [
  [60, "expiry.one_minute"],
  [300, "expiry.five_minutes"],
];

export function showCountdown(secondsLeft) {
  const s = Math.max(0, Math.ceil(secondsLeft));
  view.countdown.textContent = clock(s);
  const warning = WARNINGS.find(([limit]) => s <= limit);
  view.countdown.classList.toggle("warning", Boolean(warning));
  const text = warning ? t(warning[1]) : "";
  if (view.expiryWarning.textContent !== text) {
    view.expiryWarning.textContent = text;
    view.expiryWarning.hidden = !text;
  }
}

/**
 * Show `msLeft()` counting down, turning just after each whole second; `onOver()` once it is 3 s past the end
 * (the server's notice is late or lost).
 */
export function runCountdown(msLeft, onOver) {
  function tick() {
    const left = msLeft();
    showCountdown(left / 1000);
    if (left <= -3000) {
      onOver();
      return;
    }
    // Wake just after the next whole second before the deadline, so the clock turns
    // when a second really passes (a free-running interval lags up to a second).
    const toNextSecond = ((left % 1000) + 1000) % 1000 || 1000;
    setTimeout(tick, toNextSecond + 10);
  }
  tick();
}

/** The gone card in place of the room, saying who purged (`by`, or null); `youId` to say "you". */
export function showPurgedCard(by, youId) {
  const card = document.getElementById("purged-card").content.cloneNode(true);
  if (by) {
    const mine = by.id === youId;
    const words = mine ? [t("gone.purged_by_you")] : sentenceNodes("gone.purged_by", by);
    card.querySelector("#purged-by").replaceChildren(...words);
  }
  document.title = t("gone.title");
  const main = document.getElementById("main");
  main.replaceChildren(card);
  main.focus(); // a screen reader starts at the news, not wherever focus was in the room
}

/** Clear what the message model does not hold: the unsent text, who is typing, the title's count (people.js clears who is here). */
export function clearView() {
  view.text.value = "";
  view.typing.replaceChildren();
  document.title = t("app.name");
}

/**
 * Show a room action's answer: nothing when it went, else its failure in words of the catalog (the server's
 * English `message` is never shown). `invalidKey` names what `invalid` means for the action; in a room
 * `forbidden` is always about a host's rights. Returns whether it went.
 */
export function showAnswer(ack, invalidKey, maxChars) {
  if (ack?.ok) showRoomError("");
  else if (ack?.error === "invalid" && invalidKey) showRoomError(t(invalidKey));
  else showRoomError(ack?.error === "forbidden" ? t("room.forbidden") : errorText(ack?.error, { max: maxChars }));
  return Boolean(ack?.ok);
}
