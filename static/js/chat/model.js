// The conversation as data: messages by id, in arrival order. No DOM here, so
// Node tests drive it; the renderer subscribes and the screen follows, so an
// edit, an unsend or a reaction changes one message and its one entry.

/**
 * A message store. Every change is told to each `onChange` listener as
 * `{type: "add" | "update" | "remove" | "clear", id, message}`
 * (`message` is the stored one: new for add and update, the last for remove;
 * `id` and `message` are null for clear).
 */
export function createMessageModel() {
  // A Map keeps insertion order, and setting an existing key keeps its place.
  const messages = new Map();
  const listeners = new Set();
  const notify = (change) => {
    for (const listener of listeners) listener(change);
  };

  return {
    /** Store a message from the server; false (and no notice) if its id is missing or already here. */
    add(message) {
      const id = message?.id;
      // A repeated delivery must not show twice; changes to a message come through update().
      if (typeof id !== "string" || !id || messages.has(id)) return false;
      const stored = Object.freeze({ ...message });
      messages.set(id, stored);
      notify({ type: "add", id, message: stored });
      return true;
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

    /** Forget a message; false if it was not here. */
    remove(id) {
      const current = messages.get(id);
      if (!current) return false;
      messages.delete(id);
      notify({ type: "remove", id, message: current });
      return true;
    },

    /** Forget every message. Told even when already empty: a wipe must reach the screen regardless. */
    clear() {
      messages.clear();
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
