// What a file is, read from its bytes (never from its name or the type a sender claims), and a name that is
// safe to show and to save. No DOM: Node tests drive it.

// Shown inline, from a `blob:` URL; everything else (SVG and HTML included) is only ever downloaded.
const IMAGES = [
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];
/** Saved as this, so that no browser renders or runs a download, whatever it holds. */
export const DOWNLOAD_TYPE = "application/octet-stream";
export const NAME_MAX = 200;

const startsWith = (bytes, signature, at = 0) => signature.every((byte, i) => bytes[at + i] === byte);

/** The image type of `bytes` when a browser may show it inline, else null. */
export function imageTypeOf(bytes) {
  if (!(bytes instanceof Uint8Array)) return null;
  for (const [type, signature] of IMAGES) if (startsWith(bytes, signature)) return type;
  return startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8) ? "image/webp" : null;
}

// Control, format (direction overrides, zero-width) and line-breaking characters read or save as something else.
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const RESERVED = /[/\\:*?"<>|]/g;

/**
 * A file name safe to show and to save, by the server's rule (ephemeral/file_fields.py): only what follows the
 * last `/` or `\`, hidden characters as spaces, spaces collapsed, reserved characters as `_`, no leading or
 * trailing dot or space, at most NAME_MAX characters; "file" when nothing is left. A server-blind room's names
 * never reach the server, so every reader applies it.
 */
export function safeName(name) {
  const text = typeof name === "string" ? name.normalize("NFC") : "";
  const last = text.replaceAll("\\", "/").split("/").pop();
  const spaced = last.replace(HIDDEN, " ").split(/\s+/u).filter(Boolean).join(" ");
  const trim = (value) => value.replace(/^[ .]+|[ .]+$/g, "");
  // Cut by characters (code points), as the server does, never inside a surrogate pair.
  const kept = trim([...trim(spaced.replace(RESERVED, "_"))].slice(0, NAME_MAX).join(""));
  return kept || "file";
}

/** A type as `type/subtype`, lower case, or DOWNLOAD_TYPE: what a sender says of its file, never trusted. */
export function mediaType(type) {
  const text = typeof type === "string" ? type.trim().toLowerCase() : "";
  return text.length <= 100 && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(text) ? text : DOWNLOAD_TYPE;
}

/** A size for people: "820 B", "14 KB", "3.2 MB". */
export function sizeText(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (Math.round(bytes / 1000) < 1000) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / (1000 * 1000)).toFixed(1)} MB`;
}
