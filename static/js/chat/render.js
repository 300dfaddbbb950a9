// Everything that touches the chat DOM. User strings go in with textContent;
// the server-sanitized `html` field is the only innerHTML, in renderMessageBody.

const $ = (id) => document.getElementById(id);

export const view = {
  messages: $("messages"),
  presence: $("presence"),
  presenceCount: $("presence-count"),
  status: $("status"),
  countdown: $("countdown"),
  composer: $("composer"),
  text: $("text"),
  composerError: $("composer-error"),
};

function isNearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function append(item) {
  const stick = isNearBottom(view.messages);
  view.messages.append(item);
  // Scroll the list only: scrollIntoView would also scroll the window and,
  // on a small screen, push the composer someone is typing in out of view.
  if (stick) view.messages.scrollTop = view.messages.scrollHeight;
}

function localTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Media from another host becomes a button: loading it would tell that host who reads. */
function holdExternalMedia(fragment) {
  for (const media of fragment.querySelectorAll("img, video, audio")) {
    let url;
    try {
      url = new URL(media.getAttribute("src") || "", location.href);
    } catch {
      media.remove();
      continue;
    }
    if (url.origin === location.origin) continue;
    const kind = media.tagName.toLowerCase() === "img" ? "image" : media.tagName.toLowerCase();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "media-placeholder";
    button.textContent = `Load ${kind} from ${url.host}`;
    const held = media.cloneNode(false);
    button.addEventListener("click", () => button.replaceWith(held), { once: true });
    media.replaceWith(button);
  }
}

function renderMessageBody(html) {
  // Parsing inside an inert <template> fetches nothing and runs nothing.
  const template = document.createElement("template");
  template.innerHTML = html;
  const fragment = template.content;
  holdExternalMedia(fragment);
  for (const link of fragment.querySelectorAll("a")) {
    link.target = "_blank";
  }
  const body = document.createElement("div");
  body.className = "body";
  body.append(fragment);
  return body;
}

export function showMessage(message, mine) {
  const item = document.createElement("li");
  item.className = mine ? "message mine" : "message";
  const head = document.createElement("div");
  head.className = "head";
  const who = document.createElement("span");
  who.className = "alias";
  who.textContent = message.alias;
  const when = document.createElement("time");
  when.dateTime = new Date(message.ts).toISOString();
  when.textContent = localTime(message.ts);
  head.append(who, " ", when);
  item.append(head, renderMessageBody(message.html));
  append(item);
}

export function showSystem(text) {
  const item = document.createElement("li");
  item.className = "system";
  item.textContent = text;
  append(item);
}

export function showPresence(aliases) {
  view.presence.replaceChildren(
    ...aliases.map((alias) => {
      const item = document.createElement("li");
      item.textContent = alias;
      return item;
    }),
  );
  view.presenceCount.textContent = String(aliases.length);
}

export function showStatus(text) {
  view.status.textContent = text;
}

export function showComposerError(text) {
  view.composerError.textContent = text;
  view.composerError.hidden = !text;
}

export function showCountdown(secondsLeft) {
  const s = Math.max(0, Math.ceil(secondsLeft));
  const minutes = Math.floor(s / 60);
  view.countdown.textContent = `${minutes}:${String(s % 60).padStart(2, "0")}`;
  view.countdown.classList.toggle("warning", s <= 300);
}

/** Remove every trace of the conversation from this page. */
export function wipe() {
  view.messages.replaceChildren();
  view.presence.replaceChildren();
  view.text.value = "";
  document.title = "Ephemeral";
}
