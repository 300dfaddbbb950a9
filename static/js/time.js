// Times as the reader's own clock shows them, in the page's language.
import { language } from "./catalog.js";

// The browser's own variant of the page's language where it has one (en-GB's 24-hour clock on an English
// page), else the page's language.
const own = globalThis.navigator?.language ?? "";
const timeLanguage = own.split("-")[0].toLowerCase() === language.split("-")[0].toLowerCase() ? own : language;

export function localTime(ms) {
  return new Date(ms).toLocaleTimeString(timeLanguage, { hour: "2-digit", minute: "2-digit" });
}

const twoDigits = new Intl.NumberFormat(language, { minimumIntegerDigits: 2, useGrouping: false });
const oneOrMore = new Intl.NumberFormat(language, { useGrouping: false });

/** A countdown as a clock reads, "12:05" or "1:02:05", in the language's digits. */
export function clock(totalSeconds) {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = twoDigits.format(s % 60);
  if (!hours) return `${oneOrMore.format(minutes)}:${seconds}`;
  return `${oneOrMore.format(hours)}:${twoDigits.format(minutes)}:${seconds}`;
}
