// Mentions: a message that says "@" and your alias is marked for you, and counts as important in the tab's title.
// Pure (no DOM), so Node tests check it. Matching folds case and compatibility forms, as aliases compare.

const WORD = /[\p{L}\p{N}\p{M}_]/u;
const fold = (text) => String(text).normalize("NFKC").toLowerCase();

/**
 * True when `text` names `alias` as "@alias": the "@" not inside a word (an address like a@b does not count),
 * and the alias not running on into more letters ("@ann" does not mention "an").
 */
export function mentions(text, alias) {
  if (typeof alias !== "string" || !alias.trim()) return false;
  const haystack = fold(text);
  const needle = `@${fold(alias)}`;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at > 0 ? haystack[at - 1] : "";
    const after = haystack.slice(at + needle.length, at + needle.length + 2);
    if (!WORD.test(before) && !WORD.test([...after][0] ?? "")) return true;
  }
  return false;
}

/**
 * `mentionsYou(message, text)` for one page: someone else's message (`isMine` says whose) that names `alias()`,
 * decided once per version of a message (each is a new object), from `text` when the renderer has already
 * opened its body, else from `textOf(message)`. An unsent message mentions nobody.
 */
export function mentionCheck({ isMine, alias, textOf }) {
  const decided = new WeakMap(); // message -> whether it mentions you
  return (message, text) => {
    if (isMine(message) || message.removed) return false;
    if (!decided.has(message)) decided.set(message, mentions(text ?? textOf(message), alias()));
    return decided.get(message);
  };
}
