// A file on its way out: read here, stripped of metadata, sealed in a server-blind room, offered to the room,
// and sent piece by piece, never more than WINDOW pieces ahead of the slowest reader (each says how far it is,
// `file_progress`). A refusal with `retry_after` (the server's bounds) is waited out and the same offer or
// piece sent again. No DOM: Node tests drive it with a fake connection.
import { CHUNK_BYTES, b64urlEncodeFast, chunkCount, newFileId, sealChunk, sealFileMeta } from "../e2e/files.js";
import { stripMetadata } from "./strip.js";

export const WINDOW = 16;
// A reader that says nothing for this long is not waited for any more: the server drops one that falls too far
// behind, and everyone else goes on.
export const QUIET_READER_MS = 8000;
const MAX_RETRIES = 30;

/**
 * `bytes` of a file as it will be sent: stripped when strip.js knows its format (`stripped` true, `removed` what
 * went), else as it is (`stripped` false): such a file is sent only once its person confirms.
 */
export function prepared(bytes) {
  const result = stripMetadata(bytes);
  return result.bytes
    ? { bytes: result.bytes, stripped: true, removed: result.removed }
    : { bytes, stripped: false, removed: [] };
}

const pause = (ms, timers) => new Promise((resolve) => timers.setTimeout(resolve, ms));

const CANCELLED = Object.freeze({ ok: false, error: "cancelled" });

/**
 * `send()` again while the server says to wait (`rate_limited` with `retry_after`), at most MAX_RETRIES times;
 * never once `stopped()`: a file cancelled meanwhile is not offered or continued behind its sender's back.
 */
async function withRetries(send, timers, stopped) {
  for (let tries = 0; ; tries += 1) {
    if (stopped()) return CANCELLED;
    const ack = await send();
    if (ack?.ok || ack?.error !== "rate_limited" || tries >= MAX_RETRIES) return ack;
    await pause(Math.min(Math.max(Number(ack.retry_after) || 1, 1), 10) * 1000, timers);
    if (stopped()) return CANCELLED;
  }
}

/**
 * Send one file. `connection` has `offerFile(payload)`, `sendChunk(id, index, data)`, `cancelFile(id)` (acked);
 * `sealed` is `{key, roomId, from}` in a server-blind room, else null; `readers` the participant ids the file
 * goes to. Returns `{id, heard(progress), left(participantId), cancel(), done}`: `heard` takes a `file_progress`,
 * `left` a reader who went away, `cancel` stops it, and `done` resolves with the last ack (`{ok: true}` when every
 * piece went) after `onProgress(sent, chunks)` for each piece.
 */
export function sendFile({ connection, sealed, bytes, name, type, readers, onProgress, timers = globalThis, now = Date.now }) {
  const id = newFileId();
  const size = bytes.length;
  const chunks = chunkCount(size);
  const read = new Map(readers.map((reader) => [reader, { index: -1, at: now() }]));
  let cancelled = false;
  let wake = () => {};

  const slowest = () => {
    let low = Infinity;
    for (const [reader, { index, at }] of read) {
      if (now() - at > QUIET_READER_MS) read.delete(reader);
      else low = Math.min(low, index);
    }
    return low;
  };

  async function waitForReaders(index) {
    while (!cancelled && index - slowest() > WINDOW) {
      await new Promise((resolve) => {
        wake = resolve;
        timers.setTimeout(resolve, 1000); // look again: a quiet reader stops being waited for
      });
    }
  }

  async function offer() {
    const meta = sealed
      ? { e2e: await sealFileMeta(sealed.key, { roomId: sealed.roomId, from: sealed.from, fileId: id, size }, { name, type }) }
      : { name, type };
    return withRetries(() => connection.offerFile({ id, size, ...meta }), timers, () => cancelled);
  }

  async function run() {
    const offered = await offer();
    if (offered?.ok && cancelled) connection.cancelFile(id); // cancelled while the offer was on its way
    if (!offered?.ok || cancelled) return offered?.ok ? CANCELLED : offered;
    for (let index = 0; index < chunks; index += 1) {
      await waitForReaders(index);
      if (cancelled) return CANCELLED;
      const piece = bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
      const where = sealed && { roomId: sealed.roomId, from: sealed.from, fileId: id, index, chunks };
      const data = sealed ? await sealChunk(sealed.key, where, piece) : b64urlEncodeFast(piece);
      const ack = await withRetries(() => connection.sendChunk(id, index, data), timers, () => cancelled);
      if (!ack?.ok) return ack;
      onProgress?.(index + 1, chunks);
    }
    return { ok: true };
  }

  return {
    id,
    chunks,
    heard({ by, index }) {
      const reader = read.get(by);
      if (reader && Number.isSafeInteger(index)) read.set(by, { index: Math.max(reader.index, index), at: now() });
      wake();
    },
    left(participantId) {
      read.delete(participantId);
      wake();
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      wake();
      connection.cancelFile(id);
    },
    done: run(),
  };
}
