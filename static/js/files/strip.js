// Metadata stripping for photos, before they leave the sender's device: the pixels go, where and with what they were
// taken does not. Each format is walked and only what decoding needs is kept; what the walk does not expect is
// refused rather than guessed at, so nothing is sent still holding what was meant to go. No DOM: Node tests drive it.

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (text) => Array.from(text, (char) => char.charCodeAt(0));
const [RIFF_MAGIC, WEBP_MAGIC] = [ascii("RIFF"), ascii("WEBP")];

/** True if `bytes` holds `prefix` (an array of byte values) at `at`. */
const startsWith = (bytes, prefix, at = 0) =>
  at + prefix.length <= bytes.length && prefix.every((value, i) => bytes[at + i] === value);

const u16be = (bytes, at) => (bytes[at] << 8) | bytes[at + 1];
const u32be = (bytes, at) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
const u32le = (bytes, at) => ((bytes[at + 3] << 24) | (bytes[at + 2] << 16) | (bytes[at + 1] << 8) | bytes[at]) >>> 0;

/** The pieces (Uint8Arrays) joined into one new array. */
function concat(pieces) {
  const out = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  for (let i = 0, at = 0; i < pieces.length; at += pieces[i].length, i += 1) out.set(pieces[i], at);
  return out;
}

/** What the caller gets when a file cannot be stripped: no bytes, so nothing unstripped is sent by mistake. */
const refused = (kind, reason) => ({ kind, bytes: null, removed: [], reason });

/** What the caller gets when it can: the clean bytes and each kind of thing dropped, once. */
const stripped = (kind, pieces, removed) => ({ kind, bytes: concat(pieces), removed: [...new Set(removed)] });

// --- JPEG ---------------------------------------------------------------------------------------------------------
const [EOI, SOS, APP0, APP1, APP14, COM] = [0xd9, 0xda, 0xe0, 0xe1, 0xee, 0xfe];
// Tables and frame headers: what a decoder reads to turn the scans into pixels.
const [DHT, DAC, DQT, DRI] = [0xc4, 0xcc, 0xdb, 0xdd];
const TABLES = new Set([DHT, DAC, DQT, DRI]);
const isFrame = (marker) => marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== DAC && marker !== 0xc8;
const isApp = (marker) => marker >= APP0 && marker <= 0xef;

const [EXIF_ID, JFIF_ID, ADOBE_ID] = [ascii("Exif\0"), ascii("JFIF\0"), ascii("Adobe")];
const isJfif = (bytes, at) => startsWith(bytes, JFIF_ID, at + 4);
const APP_LABELS = [
  [APP0, ascii("JFXX\0"), "thumbnail"],
  [APP1, EXIF_ID, "exif"],
  [APP1, ascii("http://ns.adobe.com/x"), "xmp"], // both the XMP packet and its extension
  [0xe2, ascii("ICC_PROFILE\0"), "icc"],
  [0xe2, ascii("FPXR\0"), "flashpix"],
  [0xe2, ascii("MPF\0"), "mpf"],
  [0xed, ascii("Photoshop 3.0\0"), "iptc"],
];

/** A short name for a dropped APPn segment whose payload starts at `at`. */
function appLabel(bytes, marker, at) {
  const known = APP_LABELS.find(([app, id]) => app === marker && startsWith(bytes, id, at));
  return known ? known[2] : `app${marker - APP0}`;
}

/** The EXIF Orientation (2-8) in the APP1 payload `bytes[start, end)`, or null: absent, normal or unreadable. */
function orientationOf(bytes, start, end) {
  const tiff = start + 6;
  if (tiff + 8 > end) return null;
  const little = startsWith(bytes, ascii("II*\0"), tiff);
  if (!little && !startsWith(bytes, ascii("MM\0*"), tiff)) return null;
  const u16 = (at) => (little ? bytes[at] | (bytes[at + 1] << 8) : u16be(bytes, at));
  const u32 = (at) => (little ? u32le(bytes, at) : u32be(bytes, at));
  const ifd = tiff + u32(tiff + 4);
  const count = ifd + 2 <= end ? u16(ifd) : 0;
  for (let i = 0; i < count; i += 1) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return null;
    if (u16(entry) !== 0x0112) continue;
    const value = u16(entry + 8);
    return u16(entry + 2) === 3 && value >= 2 && value <= 8 ? value : null;
  }
  return null;
}

/** A minimal APP1 segment: EXIF whose only entry is the Orientation (a SHORT), big-endian, with no next IFD. */
function orientationSegment(value) {
  const tiff = [...ascii("MM"), 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([0xff, APP1, 0, 2 + 6 + tiff.length, ...EXIF_ID, 0, ...tiff]);
}

/** Where a scan's entropy-coded data from `at` ends: the first marker not a stuffed 0xFF00 or a restart; -1: none. */
function scanEnd(bytes, at) {
  for (let i = bytes.indexOf(0xff, at); i !== -1; i = bytes.indexOf(0xff, i + 1)) {
    const next = bytes[i + 1];
    if (next === undefined) return -1;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i += 1;
    else if (next !== 0xff) return i;
  }
  return -1;
}

/** The first `total` bytes of the segment at `at`, its length field saying so: a fixed header without what follows. */
function headerOnly(bytes, at, total) {
  const kept = bytes.slice(at, at + total);
  kept[2] = 0;
  kept[3] = total - 2;
  return kept;
}

/** True if the payload `bytes[start, end)` of a frame, scan or table segment is exactly what its marker says. */
function wellFormed(bytes, marker, start, end) {
  const size = end - start;
  if (marker === DRI) return size === 2;
  if (marker === SOS) return bytes[start] >= 1 && bytes[start] <= 4 && size === 4 + 2 * bytes[start];
  if (isFrame(marker)) return size >= 6 && bytes[start + 5] >= 1 && size === 6 + 3 * bytes[start + 5];
  if (marker === DAC) return size % 2 === 0 && bytes.subarray(start, end).every((v, i) => i % 2 === 1 || v <= 0x13);
  // DQT and DHT: one table or more, each with its class (0 or 1) and slot (0-3) first.
  for (let at = start; at < end; ) {
    if (bytes[at] >> 4 > 1 || (bytes[at] & 0x0f) > 3) return false;
    if (marker === DQT) at += 1 + 64 * (1 + (bytes[at] >> 4));
    else if (at + 17 > end) return false;
    else at += 17 + bytes.subarray(at + 1, at + 17).reduce((sum, count) => sum + count, 0);
    if (at > end) return false;
  }
  return size > 0;
}

/** JPEG: keep SOI, the frame, tables, scans and EOI, with JFIF and Adobe headers; drop the rest. */
function stripJpeg(bytes) {
  const malformed = refused("jpeg", "malformed");
  const head = [bytes.subarray(0, 2)];
  const body = [];
  const removed = [];
  let orientation = null;
  let frames = 0;
  let scans = 0;
  for (let at = 2; ; ) {
    while (bytes[at] === 0xff && bytes[at + 1] === 0xff) at += 1; // fill bytes before a marker
    if (at + 2 > bytes.length || bytes[at] !== 0xff) return malformed;
    const marker = bytes[at + 1];
    if (marker === EOI) {
      if (scans === 0) return malformed;
      body.push(bytes.subarray(at, at + 2));
      if (at + 2 < bytes.length) removed.push("trailer");
      break;
    }
    const size = at + 4 <= bytes.length ? u16be(bytes, at + 2) : 0;
    const end = at + 2 + size;
    if (size < 2 || end > bytes.length) return malformed;
    if (marker === SOS || TABLES.has(marker) || (isFrame(marker) && scans === 0)) {
      if (!wellFormed(bytes, marker, at + 4, end)) return malformed;
      if (isFrame(marker)) frames += 1;
      if (marker === SOS) scans += 1;
      const next = marker === SOS ? scanEnd(bytes, end) : end; // a scan's entropy-coded data runs to the next marker
      if (next === -1 || frames > 1 || (marker === SOS && frames === 0)) return malformed;
      body.push(bytes.subarray(at, next));
      at = next;
      continue;
    }
    if (marker === APP0 && scans === 0 && head.length === 1 && body.length === 0 && size >= 16 && isJfif(bytes, at)) {
      const jfif = headerOnly(bytes, at, 18);
      jfif[16] = 0; // the thumbnail's width and height: none
      jfif[17] = 0;
      head.push(jfif);
      if (size > 16) removed.push("thumbnail");
    } else if (marker === APP14 && scans === 0 && size >= 14 && startsWith(bytes, ADOBE_ID, at + 4)) {
      body.push(headerOnly(bytes, at, 16));
    } else if (isApp(marker)) {
      if (marker === APP1 && scans === 0 && orientation === null && startsWith(bytes, EXIF_ID, at + 4)) {
        orientation = orientationOf(bytes, at + 4, end);
      }
      removed.push(appLabel(bytes, marker, at + 4));
    } else if (marker === COM) {
      removed.push("comment");
    } else {
      return malformed; // SOI again, a lone RST, a second frame, hierarchical or reserved markers
    }
    at = end;
  }
  if (orientation !== null) head.push(orientationSegment(orientation));
  return stripped("jpeg", [...head, ...body], removed);
}

// --- PNG ----------------------------------------------------------------------------------------------------------
// Chunks a decoder needs for the picture, its colours and its animation.
const PNG_KEPT = new Set("IHDR PLTE IDAT IEND tRNS gAMA cHRM sRGB sBIT bKGD pHYs acTL fcTL fdAT".split(" "));
const PNG_LABELS = new Map(
  Object.entries({ tEXt: "text", zTXt: "text", iTXt: "text", eXIf: "exif", tIME: "time", iCCP: "icc" }),
);
const isLetter = (value) => (value >= 0x41 && value <= 0x5a) || (value >= 0x61 && value <= 0x7a);
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k += 1) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n;
});

/** The CRC-32 of `bytes[start, end)`, as PNG computes it over a chunk's type and data. */
function crc32(bytes, start, end) {
  let crc = 0xffffffff;
  for (let i = start; i < end; i += 1) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** PNG: copy the kept chunks byte for byte, from IHDR to IEND; drop the rest. */
function stripPng(bytes) {
  const kept = [bytes.subarray(0, 8)];
  const removed = [];
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) return refused("png", "malformed");
    const size = u32be(bytes, at);
    const end = at + 12 + size;
    const code = bytes.subarray(at + 4, at + 8);
    if (size > 0x7fffffff || end > bytes.length || !code.every(isLetter)) return refused("png", "malformed");
    // A damaged length could carry the chunks after it into the image data; its chunk's CRC would not match.
    if (crc32(bytes, at + 4, end - 4) !== u32be(bytes, end - 4)) return refused("png", "malformed");
    const type = String.fromCharCode(...code);
    if ((at === 8) !== (type === "IHDR")) return refused("png", "malformed");
    if (PNG_KEPT.has(type)) kept.push(bytes.subarray(at, end));
    else removed.push(PNG_LABELS.get(type) ?? "other");
    at = end;
    if (type === "IEND") break;
  }
  if (at < bytes.length) removed.push("trailer");
  return stripped("png", kept, removed);
}

// --- WebP ---------------------------------------------------------------------------------------------------------
const WEBP_KEPT = new Set(["VP8 ", "VP8L", "VP8X", "ANIM", "ANMF", "ALPH"]);
const FRAME_KEPT = new Set(["VP8 ", "VP8L", "ALPH"]); // what an animation frame may hold
const WEBP_LABELS = new Map(Object.entries({ EXIF: "exif", "XMP ": "xmp", ICCP: "icc" }));
const WEBP_SIZES = new Map(Object.entries({ VP8X: 10, ANIM: 6 }));
const VP8X_METADATA = 0x20 | 0x08 | 0x04; // ICC, EXIF and XMP present

/** The RIFF chunks in `bytes[start, end)` as {type, start, end} (end after any padding byte), or null. */
function riffChunks(bytes, start, end) {
  const chunks = [];
  for (let at = start; at < end; ) {
    if (at + 8 > end) return null;
    const size = u32le(bytes, at + 4);
    const next = at + 8 + size + (size % 2);
    if (next > end) return null;
    chunks.push({ type: String.fromCharCode(...bytes.subarray(at, at + 4)), start: at, end: next });
    at = next;
  }
  return chunks;
}

/** A RIFF chunk of `type` around `pieces` (already padded to even sizes). */
function riffChunk(type, pieces) {
  const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const header = Uint8Array.from([...ascii(type), size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24]);
  return concat([header, ...pieces]);
}

/** An ANMF chunk with only the frame's image chunks, or null if its inside does not parse. */
function cleanFrame(bytes, chunk, removed) {
  const inner = chunk.end - chunk.start < 24 ? null : riffChunks(bytes, chunk.start + 24, chunk.end);
  if (inner === null) return null;
  const kept = inner.filter(({ type }) => FRAME_KEPT.has(type));
  if (kept.length < inner.length) removed.push("other");
  const pieces = kept.map(({ start, end }) => bytes.subarray(start, end));
  return riffChunk("ANMF", [bytes.subarray(chunk.start + 8, chunk.start + 24), ...pieces]);
}

/** WebP: keep the image chunks, clear VP8X's metadata flags, drop the rest and write the RIFF size again. */
function stripWebp(bytes) {
  const size = u32le(bytes, 4);
  if (size < 4 || size % 2 === 1 || size + 8 > bytes.length) return refused("webp", "malformed");
  const chunks = riffChunks(bytes, 12, size + 8);
  if (chunks === null || !["VP8 ", "VP8L", "VP8X"].includes(chunks[0]?.type)) return refused("webp", "malformed");
  const [kept, removed] = [[], []];
  for (const chunk of chunks) {
    if (!WEBP_KEPT.has(chunk.type)) {
      removed.push(WEBP_LABELS.get(chunk.type) ?? "other");
    } else if (WEBP_SIZES.has(chunk.type) && WEBP_SIZES.get(chunk.type) !== chunk.end - chunk.start - 8) {
      return refused("webp", "malformed"); // a header that could carry the chunks after it along
    } else if (chunk.type === "VP8X") {
      const header = bytes.slice(chunk.start, chunk.end);
      header[8] &= ~VP8X_METADATA;
      kept.push(header);
    } else if (chunk.type === "ANMF") {
      const frame = cleanFrame(bytes, chunk, removed);
      if (frame === null) return refused("webp", "malformed");
      kept.push(frame);
    } else {
      kept.push(bytes.subarray(chunk.start, chunk.end));
    }
  }
  if (size + 8 < bytes.length) removed.push("trailer");
  return stripped("webp", [riffChunk("RIFF", [Uint8Array.from(WEBP_MAGIC), ...kept])], removed);
}

/**
 * `bytes` (a Uint8Array) without identifying metadata: `{kind, bytes, removed}` with new bytes and short labels of
 * what was dropped, or `{kind, bytes: null, removed: [], reason}` ("unknown" or "malformed") when it cannot be
 * stripped. The format comes from the magic bytes alone, never from a name or a type. Never throws.
 */
export function stripMetadata(bytes) {
  if (!(bytes instanceof Uint8Array)) return refused(null, "unknown");
  if (startsWith(bytes, JPEG_MAGIC)) return stripJpeg(bytes);
  if (startsWith(bytes, PNG_MAGIC)) return stripPng(bytes);
  if (startsWith(bytes, RIFF_MAGIC) && startsWith(bytes, WEBP_MAGIC, 8)) return stripWebp(bytes);
  return refused(null, "unknown");
}
