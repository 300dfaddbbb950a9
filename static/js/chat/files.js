// Files on the chat page: picked, dropped or pasted, checked against the server's limit before a byte goes,
// stripped (or sent as they are once confirmed), and shown as entries of the conversation. Each finished file
// is one `blob:` URL, revoked the moment its entry leaves the model: a wipe (purge, logout, kick, expiry,
// reload), a disappearing message's time, a leaver's vanishing, the list's cap. Nothing is written anywhere.
import { errorText, t } from "../catalog.js";
import { messageKey } from "../e2e/session.js";
import { createIncoming } from "../files/incoming.js";
import { DOWNLOAD_TYPE, imageTypeOf, mediaType, safeName, sizeText } from "../files/kinds.js";
import { prepared, sendFile } from "../files/outgoing.js";

const entryOf = (from, id) => `file:${from}:${id}`;
// A file's entry is drawn again at most this often while it travels (and always when its state changes).
const REDRAW_PIECES = 8;
const internal = new Set(["pieces", "arrived", "upTo", "told", "queue", "blob"]);
const shown = (file) => Object.fromEntries(Object.entries(file).filter(([key]) => !internal.has(key)));

/** Words for a refused file: its own for its size, a host's right in a broadcast room, else the catalog's. */
function refusal(code, maxBytes) {
  if (code === "too_large") return t("files.too_large", { max: sizeText(maxBytes) });
  return code === "forbidden" ? t("room.forbidden") : errorText(code);
}

/**
 * Wire files for one chat page. `model` the conversation; `connection()` the socket's; `you()` who this page is;
 * `others()` the ids of everyone else here; `sealed` whether the room is server-blind; `roomId`; `maxBytes` the
 * server's limit (0: no files); `confirmFile()` asks before a file that cannot be stripped; `showError(text)`.
 * Returns `heard(event, payload)` for the server's file events and `left(participantId)` for presence.
 */
export function setUpFiles({ model, connection, you, others, sealed, roomId, maxBytes, confirmFile, showError }) {
  const picker = document.getElementById("file-input");
  const urls = new Map(); // entry id -> blob: URL
  const sending = new Map(); // file id -> sendFile's handle
  const incoming = createIncoming({
    // The key is read when a file comes: a server-blind page unlocks after this runs.
    sealed: sealed ? { get key() { return messageKey(); }, roomId } : null,
    maxBytes,
    say: (from, id, index) => connection().fileProgress(from, id, index),
    changed: receivedChange,
  });

  function show(entryId, file, force = false) {
    const current = model.get(entryId)?.file;
    if (!current) return;
    if (!force && file.state === current.state && file.got - current.got < REDRAW_PIECES) return;
    model.update(entryId, { file: { ...current, ...file } });
  }

  function receivedChange(file) {
    const entryId = entryOf(file.from, file.id);
    const view = shown(file);
    if (file.blob) {
      if (urls.has(entryId)) URL.revokeObjectURL(urls.get(entryId)); // never two URLs for one entry
      const url = URL.createObjectURL(file.blob);
      urls.set(entryId, url);
      view.url = url;
    }
    if (!model.get(entryId)) {
      model.add({ id: entryId, from: file.from, alias: file.alias, ts: file.ts ?? Date.now(), file: view });
    } else show(entryId, view, file.state !== "receiving");
  }

  async function send(picked) {
    const self = you();
    if (!self) return; // not in the room yet: nothing to send to
    if (!maxBytes) return showError(t("files.off"));
    if (picked.size > maxBytes) return showError(t("files.too_large", { max: sizeText(maxBytes) }));
    if (picked.size === 0) return showError(t("files.empty"));
    const ready = prepared(new Uint8Array(await picked.arrayBuffer()));
    if (!ready.stripped && !(await confirmFile(safeName(picked.name)))) return;
    showError("");
    const [name, type] = [safeName(picked.name), mediaType(picked.type)];
    const handle = sendFile({
      connection: connection(),
      sealed: sealed ? { key: messageKey(), roomId, from: self.id } : null,
      bytes: ready.bytes,
      name,
      type,
      readers: others(),
      onProgress: (got) => show(entryOf(self.id, handle.id), { state: "sending", got }),
    });
    const entryId = entryOf(self.id, handle.id);
    const file = { id: handle.id, name, type, size: ready.bytes.length, chunks: handle.chunks, got: 0, state: "sending" };
    Object.assign(file, { stripped: ready.stripped, removed: ready.removed });
    sending.set(handle.id, handle);
    model.add({ id: entryId, from: self.id, alias: self.alias, ts: Date.now(), file });
    const ack = await handle.done.catch(() => ({ ok: false, error: "unsealable" }));
    sending.delete(handle.id);
    if (!model.get(entryId)) return; // wiped, or gone from the list, meanwhile
    if (!ack?.ok) {
      const cancelled = ack?.error === "cancelled";
      if (!cancelled) showError(refusal(ack?.error, maxBytes));
      return show(entryId, { state: "failed", reason: cancelled ? "cancelled" : "broken" }, true);
    }
    const image = imageTypeOf(ready.bytes);
    const url = URL.createObjectURL(new Blob([ready.bytes], { type: image ?? DOWNLOAD_TYPE }));
    urls.set(entryId, url);
    show(entryId, { state: "done", url, image: Boolean(image) }, true);
  }

  /** An entry left the model: its URL is revoked, and a file still on its way stops. */
  function forget(entryId, message) {
    const url = urls.get(entryId);
    if (url) URL.revokeObjectURL(url);
    urls.delete(entryId);
    const file = message?.file;
    if (!file) return;
    // This page's own file stops for everyone; one it receives (its person's other tab's too) stops here.
    if (sending.has(file.id) && message.from === you()?.id) sending.get(file.id).cancel();
    else incoming.drop(message.from, file.id);
  }

  model.onChange(({ type, id, message }) => {
    if (type === "remove") forget(id, message);
    if (type === "clear") {
      for (const url of urls.values()) URL.revokeObjectURL(url);
      urls.clear();
      for (const handle of sending.values()) handle.cancel();
      sending.clear();
      incoming.clear();
    }
  });

  const sendAll = (list) => {
    for (const picked of list ?? []) send(picked);
  };
  document.getElementById("attach")?.addEventListener("click", () => picker.click());
  picker?.addEventListener("change", () => {
    sendAll([...picker.files]);
    picker.value = "";
  });
  const chat = document.getElementById("chat");
  chat.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
  });
  chat.addEventListener("drop", (event) => {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    sendAll([...event.dataTransfer.files]);
  });
  document.getElementById("text")?.addEventListener("paste", (event) => {
    const pasted = [...(event.clipboardData?.files ?? [])];
    if (!pasted.length) return;
    event.preventDefault();
    sendAll(pasted);
  });
  // Cancel, on either side: the sender stops the file for everyone, a reader only for this page.
  document.getElementById("messages").addEventListener("click", (event) => {
    const card = event.target.closest?.(".file-cancel") && event.target.closest(".file-card");
    const entry = card && model.get(card.dataset.entry);
    if (!entry?.file) return;
    if (entry.from === you()?.id && sending.has(entry.file.id)) sending.get(entry.file.id).cancel();
    else {
      incoming.drop(entry.from, entry.file.id);
      show(card.dataset.entry, { state: "failed", reason: "cancelled" }, true);
    }
  });

  return {
    heard(event, payload) {
      if (event === "file") incoming.offered(payload);
      else if (event === "file_chunk") incoming.piece(payload);
      else if (event === "file_cancel") incoming.stopped(payload);
      else if (event === "file_progress") sending.get(payload?.id)?.heard(payload);
    },
    left(participantId) {
      for (const handle of sending.values()) handle.left(participantId);
    },
  };
}
