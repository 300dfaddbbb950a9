// Files on their way in: each offer's pieces gathered by index (several processes may reorder them), opened in a
// server-blind room, and the reader's progress told to the sender every PROGRESS_EVERY pieces. A finished file
// becomes a Blob typed from its bytes: an image a browser shows inline, anything else DOWNLOAD_TYPE. Nothing is
// kept past `drop`. No DOM: Node tests drive it.
import { CHUNK_BYTES, SEALED_EXTRA, b64urlDecodeFast, chunkCount, openChunk, openFileMeta } from "../e2e/files.js";
import { DOWNLOAD_TYPE, imageTypeOf, mediaType, safeName } from "./kinds.js";

export const PROGRESS_EVERY = 8;
const isText = (value) => typeof value === "string" && value.length > 0;
const keyOf = (from, id) => `${from}\n${id}`;

/**
 * For one chat page: `sealed` is `{key, roomId}` in a server-blind room, else null; `maxBytes` the server's file
 * limit; `say(from, id, index)` sends `file_progress`; `changed(file)` hears every change of a file
 * (`{from, id, name, type, size, chunks, got, state: "receiving" | "done" | "failed", blob?, image?}`).
 * Returns `offered(payload)`, `piece(payload)`, `stopped(payload)` for the server's events, and `drop(from, id)`.
 */
export function createIncoming({ sealed, maxBytes, say, changed }) {
  const files = new Map();
  // Every file this page was offered, by sender and id: an id offered again (a finished file's) is not a new file.
  const seen = new Set();

  function fail(file, reason) {
    if (!files.has(keyOf(file.from, file.id))) return;
    files.delete(keyOf(file.from, file.id));
    file.pieces = null;
    changed({ ...file, state: "failed", reason });
  }

  async function finish(file) {
    files.delete(keyOf(file.from, file.id));
    const blobParts = file.pieces;
    file.pieces = null;
    const image = imageTypeOf(blobParts[0]);
    const blob = new Blob(blobParts, { type: image ?? DOWNLOAD_TYPE });
    if (blob.size !== file.size) return changed({ ...file, state: "failed", reason: "broken" });
    changed({ ...file, state: "done", blob, image: Boolean(image) });
  }

  /** Progress the sender may count on: every piece from the first up to this one is here. */
  function tellProgress(file) {
    while (file.pieces[file.upTo + 1]) file.upTo += 1;
    const due = file.upTo >= 0 && ((file.upTo + 1) % PROGRESS_EVERY === 0 || file.upTo + 1 === file.chunks);
    if (due && file.upTo > file.told) {
      file.told = file.upTo;
      say(file.from, file.id, file.upTo);
    }
  }

  async function open(file, index, data) {
    const where = { roomId: sealed?.roomId, from: file.from, fileId: file.id, index, chunks: file.chunks };
    const bytes = sealed ? await openChunk(sealed.key, where, data) : b64urlDecodeFast(data);
    const expected = Math.min(CHUNK_BYTES, file.size - index * CHUNK_BYTES);
    if (bytes.length !== expected) throw new Error("files: a piece of the wrong size");
    return bytes;
  }

  return {
    offered(payload) {
      const { from, id, size, chunks } = payload ?? {};
      if (!isText(from) || !isText(id) || !Number.isSafeInteger(size) || size < 1 || size > maxBytes) return;
      if (chunks !== chunkCount(size) || seen.has(keyOf(from, id))) return;
      seen.add(keyOf(from, id));
      const file = { from, id, size, chunks, alias: payload.alias, ts: payload.ts, got: 0, state: "receiving" };
      // Taken at once, so that no piece that comes while a sealed name is opened is lost: pieces wait for it.
      const pieces = new Array(chunks);
      const held = { ...file, pieces, arrived: new Set(), upTo: -1, told: -1 };
      files.set(keyOf(from, id), held);
      held.queue = (async () => {
        const where = { roomId: sealed?.roomId, from, fileId: id, size };
        const said = sealed ? await openFileMeta(sealed.key, where, payload.e2e) : payload;
        Object.assign(held, { name: safeName(said.name), type: mediaType(said.type) });
        if (held.pieces) changed({ ...file, name: held.name, type: held.type });
      })().catch(() => fail(held, "sealed"));
      return held.queue; // settled once the name and type are known (or the file failed)
    },

    piece(payload) {
      const file = files.get(keyOf(payload?.from, payload?.id));
      const { index, data } = payload ?? {};
      if (!file || !Number.isSafeInteger(index) || index < 0 || index >= file.chunks || typeof data !== "string") return;
      const limit = Math.ceil(((CHUNK_BYTES + SEALED_EXTRA) * 4) / 3);
      // Each index once, counted from its arrival: a copy that comes before the first is opened is no second piece.
      if (data.length > limit || file.arrived.has(index)) return;
      file.arrived.add(index);
      // Opened one after another per file: a server-blind piece takes a moment, and order of arrival is kept.
      file.queue = file.queue.then(async () => {
        if (!file.pieces) return;
        try {
          file.pieces[index] = await open(file, index, data);
        } catch {
          return fail(file, "broken");
        }
        if (!file.pieces) return;
        file.got += 1;
        tellProgress(file);
        if (file.got === file.chunks) return finish(file);
        changed({ ...file, pieces: undefined });
      });
    },

    stopped(payload) {
      const file = files.get(keyOf(payload?.from, payload?.id));
      if (file) fail(file, payload.reason === "slow" ? "slow" : "cancelled");
    },

    /** Forget a file on its way: its pieces go (a wipe, or the person cancelled). */
    drop(from, id) {
      const file = files.get(keyOf(from, id));
      if (!file) return;
      file.pieces = null;
      files.delete(keyOf(from, id));
    },

    /** Forget every file on its way, and which were offered. */
    clear() {
      for (const file of files.values()) file.pieces = null;
      files.clear();
      seen.clear();
    },
  };
}
