// The conversation as data: messages and the page's own notes, by id, in
// arrival order, at most MAX_ENTRIES of them. No DOM here, so Node tests drive
// it; the renderer subscribes and the screen follows, so an edit, an unsend or
// a reaction changes one message and its one entry, and an entry the cap
// drops leaves the model and the screen together.

/**
 * Entries kept at most: past it the oldest goes. Memory and the list on screen
 * stay bounded however long a page stays open and however much arrives.
 */
export const MAX_ENTRIES = 500;

// A note's id: the server's message ids are URL-safe base64, which has no ":".
const NOTE_ID_PREFIX = "note:";

/**
 * A message store. Every change is told to each `onChange` listener as
 * `{type: "add" | "update" | "remove" | "clear", id, message}`
 * (`message` is the stored one: new for add and update, the last for remove;
 * `id` and `message` are null for clear). A note (`{id, note}`: words of the
 * page's own, such as "ann joined") is an entry like a message, and counts
 * against the same cap.
 */
export function createMessageModel({ maxEntries = MAX_ENTRIES } = {}) {
  // A Map keeps insertion order, and setting an existing key keeps its place.
  const messages = new Map();
  const listeners = new Set();
  // The source text of this page's own messages, by id, so that Edit can give it back; dropped with the message.
  const sources = new Map();
  const cap = Math.max(1, Math.floor(maxEntries) || 1);
  let notes = 0;
  const notify = (change) => {
    for (const listener of listeners) listener(change);
  };

  /** Make room for one more entry: the oldest go first, and everyone is told. */
  function makeRoom() {
    while (messages.size >= cap) {
      const [oldest, message] = messages.entries().next().value;
      messages.delete(oldest);
      sources.delete(oldest);
      notify({ type: "remove", id: oldest, message });
    }
  }

  function store(id, entry) {
    makeRoom();
    const stored = Object.freeze({ ...entry, id });
    messages.set(id, stored);
    notify({ type: "add", id, message: stored });
  }

  return {
    /** Store a message from the server; false (and no notice) if its id is missing or already here. */
    add(message) {
      const id = message?.id;
      // A repeated delivery must not show twice; changes to a message come through update().
      if (typeof id !== "string" || !id || messages.has(id)) return false;
      store(id, message);
      return true;
    },

    /**
     * Store a note of the page's own (`text`, from the catalog, or a bidi.js sentence, whose `parts` the renderer
     * draws with each alias isolated) as the newest entry; returns its id.
     */
    note(text) {
      notes += 1;
      const id = `${NOTE_ID_PREFIX}${notes}`;
      const said = typeof text === "object" && text !== null && Array.isArray(text.parts);
      store(id, said ? { note: String(text.text), parts: Object.freeze([...text.parts]) } : { note: String(text) });
      return id;
    },

    /** Merge `changes` into a message (its id stays); false if this page never saw it. */
    update(id, changes) {
      const current = messages.get(id);
      if (!current) return false;
      const next = Object.freeze({ ...current, ...changes, id });
      messages.set(id, next);
      notify({ type: "update", id, message: next });
      return true;
    },

    /** Put `entry` in place of a message: its id and place stay, nothing else of the old one; false if absent. */
    replace(id, entry) {
      if (!messages.has(id)) return false;
      const next = Object.freeze({ ...entry, id });
      messages.set(id, next);
      sources.delete(id);
      notify({ type: "update", id, message: next });
      return true;
    },

    /**
     * Keep `text` as the source of this page's own message `id` (the ack may come before the message: the
     * source waits for it). At most as many as the entries; the oldest go first.
     */
    keepSource(id, text) {
      if (typeof id !== "string" || !id || typeof text !== "string") return;
      sources.delete(id);
      sources.set(id, text);
      while (sources.size > cap) sources.delete(sources.keys().next().value);
    },

    /** The source text kept for `id`, or undefined. */
    sourceOf: (id) => sources.get(id),

    /** Forget a message; false if it was not here. */
    remove(id) {
      const current = messages.get(id);
      if (!current) return false;
      messages.delete(id);
      sources.delete(id);
      notify({ type: "remove", id, message: current });
      return true;
    },

    /** Forget every message. Told even when already empty: a wipe must reach the screen regardless. */
    clear() {
      messages.clear();
      sources.clear();
      notify({ type: "clear", id: null, message: null });
    },

    get: (id) => messages.get(id),
    all: () => [...messages.values()],
    get size() {
      return messages.size;
    },

    /** Call `listener` on every change from now on; returns a function that stops it. */
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
