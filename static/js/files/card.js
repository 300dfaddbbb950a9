// A file's place in the conversation: its name, size and type, its progress and a Cancel button while it travels, then
// the image inline (from its `blob:` URL) or a Download button. Every word by textContent; nothing of a file is
// ever rendered as a page or run.
import { t } from "../catalog.js";
import { sizeText } from "./kinds.js";

const WORDS = {
  cancelled: "files.cancelled",
  slow: "files.slow",
  broken: "files.broken",
  sealed: "files.sealed",
  gone: "files.cancelled",
};

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What the sender was told of the file's hidden data, or what stopped it. */
function statusOf(file, mine) {
  if (file.state === "failed") return t(WORDS[file.reason] ?? "files.broken");
  if (!mine || file.stripped === undefined) return ""; // what was stripped is known to the sending page only
  if (file.stripped) return t(file.removed?.length ? "files.stripped" : "files.clean");
  return t("files.as_is");
}

/** The card of a file entry (a message with a file); `mine` marks one this page sends. */
export function fileCard(message, mine) {
  const file = message.file;
  const card = element("div", `file-card file-${file.state}`);
  card.dataset.entry = message.id;
  if (file.state === "done" && file.image && file.url) {
    const image = element("img", "file-image");
    image.src = file.url;
    image.alt = file.name;
    image.decoding = "async";
    card.append(image);
  }
  const about = element("p", "file-about");
  // The type is what the sender's page said (cleaned), shown as words only: what is shown comes from the bytes.
  const said = file.type ? ` · ${file.type}` : "";
  // The name reads as it was written, in any page (messages.css: the message list admits no dir attribute).
  about.append(element("span", "file-name", file.name), " ", element("span", "file-size", sizeText(file.size) + said));
  card.append(about);
  if (file.state === "receiving" || file.state === "sending") {
    const progress = element("progress", "file-progress");
    progress.max = file.chunks;
    progress.value = file.got;
    progress.setAttribute("aria-label", t(mine ? "files.sending" : "files.receiving", { name: file.name }));
    const cancel = element("button", "file-cancel", t("files.cancel"));
    cancel.type = "button";
    card.append(progress, cancel);
  }
  if (file.state === "done" && file.url) {
    const download = element("a", "button file-download", t("files.download"));
    download.href = file.url;
    download.download = file.name;
    download.rel = "noopener";
    card.append(download);
  }
  const status = statusOf(file, mine);
  if (status) card.append(element("p", "file-status", status));
  return card;
}
