// Metadata stripping without a browser: photos built here carry location, camera and free text wherever their format
// keeps such things, each piece spelled with a LEAK marker; what comes out holds none of it, keeps the image data
// byte for byte and the orientation, and whatever cannot be walked comes back as no bytes at all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { stripMetadata } from "../../static/js/files/strip.js";

const ascii = (text) => Array.from(text, (char) => char.charCodeAt(0));
/** One Uint8Array of every byte in `parts`: numbers, arrays and Uint8Arrays, nested as they come. */
const bytes = (...parts) =>
  Uint8Array.from(parts.flat(Infinity).flatMap((part) => (part instanceof Uint8Array ? [...part] : part)));
const latin1 = (data) => Buffer.from(data).toString("latin1");
const leaks = (data) => latin1(data).match(/LEAK-[a-z0-9-]+/g) ?? [];
const sorted = (labels) => [...labels].sort();
const u16le = (value) => [value & 0xff, value >> 8];

// --- EXIF (a TIFF structure), as cameras and phones write it ------------------------------------------------------

const [ASCII, SHORT, LONG, RATIONAL, UNDEFINED] = [2, 3, 4, 5, 7];

/**
 * A TIFF structure in either byte order: IFD0 with `ifd0` entries, the Exif and GPS IFDs it points to and a thumbnail
 * in IFD1. An entry is [tag, type, value]: a string for ASCII and UNDEFINED, else numbers or [numerator, denominator]s.
 */
function tiff(little, { ifd0 = [], exif = [], gps = [], thumbnail = null }) {
  const u16 = (value) => (little ? [value & 0xff, value >> 8] : [value >> 8, value & 0xff]);
  const u32 = (value) => {
    const halves = [u16(value & 0xffff), u16(value >>> 16)];
    return (little ? halves : halves.reverse()).flat();
  };
  const encode = (type, value) => {
    if (type === ASCII) return [...ascii(value), 0];
    if (type === UNDEFINED) return ascii(value);
    if (type === RATIONAL) return value.flatMap(([top, bottom]) => [...u32(top), ...u32(bottom)]);
    return [value].flat().flatMap(type === SHORT ? u16 : u32);
  };
  const count = (type, value) => (typeof value === "string" ? encode(type, value).length : [value].flat().length);
  /** One IFD at `at`: entries sorted by tag, values longer than 4 bytes after them, then `next`. */
  const ifd = (entries, at, next) => {
    const out = [...u16(entries.length)];
    const extra = [];
    const extraAt = at + 2 + 12 * entries.length + 4;
    for (const [tag, type, value] of [...entries].sort((a, b) => a[0] - b[0])) {
      const data = encode(type, value);
      out.push(...u16(tag), ...u16(type), ...u32(count(type, value)));
      if (data.length <= 4) {
        out.push(...data, ...Array(4 - data.length).fill(0));
      } else {
        out.push(...u32(extraAt + extra.length));
        extra.push(...data, ...(data.length % 2 ? [0] : []));
      }
    }
    return [...out, ...u32(next), ...extra];
  };
  const order = ["ifd0", "exif", "gps", "ifd1", "thumbnail"];
  /** Every block laid out from `offsets`, one per name in `order`. */
  const layout = (offsets) => {
    const pointers = [];
    if (exif.length) pointers.push([0x8769, LONG, offsets.exif]);
    if (gps.length) pointers.push([0x8825, LONG, offsets.gps]);
    const blocks = { ifd0: ifd([...ifd0, ...pointers], offsets.ifd0, thumbnail ? offsets.ifd1 : 0) };
    if (exif.length) blocks.exif = ifd(exif, offsets.exif, 0);
    if (gps.length) blocks.gps = ifd(gps, offsets.gps, 0);
    if (thumbnail) {
      const entries = [
        [0x0201, LONG, offsets.thumbnail],
        [0x0202, LONG, thumbnail.length],
      ];
      blocks.ifd1 = ifd(entries, offsets.ifd1, 0);
      blocks.thumbnail = [...thumbnail];
    }
    return blocks;
  };
  // A block's size does not depend on the offsets in it: lay out once to learn where each goes, then for real.
  const sizes = layout(Object.fromEntries(order.map((name) => [name, 0])));
  const offsets = {};
  let at = 8;
  for (const name of order) {
    offsets[name] = at;
    at += sizes[name]?.length ?? 0;
  }
  const blocks = layout(offsets);
  return [...ascii(little ? "II" : "MM"), ...u16(42), ...u32(8), ...order.flatMap((name) => blocks[name] ?? [])];
}

/** What a phone writes: camera, serial, maker note, GPS position, an orientation and a thumbnail, all marked. */
function phoneExif(little, orientation = 6) {
  return tiff(little, {
    ifd0: [
      [0x010f, ASCII, "LEAK-make"],
      [0x0110, ASCII, "LEAK-model"],
      [0x0112, SHORT, orientation],
      [0x0131, ASCII, "LEAK-software"],
    ],
    exif: [
      [0xa431, ASCII, "LEAK-serial"],
      [0x927c, UNDEFINED, "LEAK-maker-note"],
    ],
    gps: [
      [0x0001, ASCII, "N"],
      [0x0002, RATIONAL, [[48, 1], [51, 1], [3024, 100]]],
      [0x0003, ASCII, "E"],
      [0x0004, RATIONAL, [[2, 1], [17, 1], [402, 10]]],
      [0x001c, UNDEFINED, "LEAK-gps-area"],
    ],
    thumbnail: jpegOf([comment("LEAK-thumbnail")]),
  });
}

// --- JPEG ---------------------------------------------------------------------------------------------------------

const segment = (marker, payload) => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
const comment = (text) => segment(0xfe, ascii(text));
const app = (n, id, rest = []) => segment(0xe0 + n, [...ascii(id), ...rest]);
const exifSegment = (tiffBytes) => app(1, "Exif\0\0", tiffBytes);
const SOI = [0xff, 0xd8];
const EOI = [0xff, 0xd9];

// What a decoder needs, each of which must come out unchanged: tables, the frame, two scans (with stuffed 0xFF00
// bytes, a restart marker and fill bytes in their data) and the table between them.
const DQT = segment(0xdb, [0x00, ...Array.from({ length: 64 }, (_, i) => i + 1)]);
const SOF0 = segment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
const DHT = segment(0xc4, [0x00, 1, ...Array(15).fill(0), 0x00]);
const DHT_AC = segment(0xc4, [0x10, 1, ...Array(15).fill(0), 0x00]);
const DRI = segment(0xdd, [0, 4]);
const SCAN1 = [...segment(0xda, [1, 1, 0x00, 0, 0, 0]), 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56];
const SCAN2 = [...segment(0xda, [1, 1, 0x00, 1, 63, 0]), 0x78, 0xff, 0x00, 0xff, 0xd7, 0x9a, 0xff, 0xff];
const JFIF = app(0, "JFIF\0", [1, 2, 0, 0, 72, 0, 72, 0, 0]);
const ADOBE = app(14, "Adobe", [0, 100, 0, 0, 0, 0, 1]);

/** A JPEG: `head` and `metadata` after SOI, then the image segments, with `between` between the scans. */
function jpegOf(metadata, { between = [], head = [JFIF] } = {}) {
  return bytes(SOI, head, metadata, DQT, SOF0, DHT, DRI, ADOBE, SCAN1, between, DHT_AC, SCAN2, EOI);
}

/** What a stripped JPEG is: `head` (JFIF, an orientation) and the image segments, each as it was. */
const imageOnly = (...head) => bytes(SOI, JFIF, head, DQT, SOF0, DHT, DRI, ADOBE, SCAN1, DHT_AC, SCAN2, EOI);

/** The EXIF APP1 a stripped photo keeps: Orientation alone, big-endian, one entry and no next IFD. */
const orientationOnly = (value) => exifSegment(tiff(false, { ifd0: [[0x0112, SHORT, value]] }));

/** A phone photo with every kind of JPEG metadata, in `little` or big-endian EXIF; some between its scans. */
function phoneJpeg(little, { orientation = 6, betweenScans = true } = {}) {
  const metadata = [
    exifSegment(phoneExif(little, orientation)),
    app(1, "http://ns.adobe.com/xap/1.0/\0", ascii("<x:xmpmeta><exif:GPSLatitude>LEAK-xmp</exif:GPSLatitude>")),
    app(1, "http://ns.adobe.com/xmp/extension/\0", ascii("LEAK-xmp-extension")),
    app(2, "ICC_PROFILE\0", [1, 1, ...ascii("LEAK-icc")]),
    app(2, "MPF\0", ascii("LEAK-mpf")),
    app(11, "JP", ascii("LEAK-jumbf")),
    app(13, "Photoshop 3.0\0", ascii("8BIM\x04\x04LEAK-iptc")),
    app(15, "LEAK-app15"),
    comment("LEAK-comment"),
  ];
  const between = betweenScans ? [comment("LEAK-between-scans"), exifSegment(ascii("LEAK-late-exif"))] : [];
  return jpegOf(metadata, { between });
}

describe("JPEG", () => {
  for (const little of [true, false]) {
    test(`a phone photo (${little ? "II" : "MM"} EXIF) keeps its image data and orientation, nothing else`, () => {
      const result = stripMetadata(phoneJpeg(little));
      assert.equal(result.kind, "jpeg");
      assert.equal(result.reason, undefined);
      assert.deepEqual(leaks(result.bytes), []);
      assert.deepEqual(result.bytes, imageOnly(orientationOnly(6)));
      assert.deepEqual(sorted(result.removed), ["app11", "app15", "comment", "exif", "icc", "iptc", "mpf", "xmp"]);
    });
  }

  test("the EXIF left holds no GPS, camera or thumbnail tag, in either byte order", () => {
    for (const little of [true, false]) {
      const out = latin1(stripMetadata(phoneJpeg(little)).bytes);
      assert.equal(out.split("Exif").length, 2, "one EXIF segment, the orientation's");
      const exif = out.slice(out.indexOf("Exif"), out.indexOf("Exif") + 32);
      for (const tag of [0x8825, 0x8769, 0x010f, 0x0110, 0x0131, 0xa431, 0x927c, 0x0201, 0x0202]) {
        for (const spelled of [u16le(tag), u16le(tag).reverse()]) {
          assert.ok(!exif.includes(latin1(spelled)), `tag ${tag.toString(16)} found`);
        }
      }
    }
  });

  test("each orientation that turns the picture is kept; a normal one leaves no EXIF at all", () => {
    for (let value = 2; value <= 8; value += 1) {
      const result = stripMetadata(phoneJpeg(value % 2 === 0, { orientation: value }));
      assert.deepEqual(result.bytes, imageOnly(orientationOnly(value)), `orientation ${value}`);
    }
    const normal = stripMetadata(phoneJpeg(true, { orientation: 1 }));
    assert.deepEqual(normal.bytes, imageOnly());
    assert.ok(normal.removed.includes("exif"));
  });

  test("an EXIF that cannot be read leaves no orientation, and the photo still goes", () => {
    const good = phoneExif(false);
    const broken = {
      "not a TIFF": ascii("LEAK-not-a-tiff"),
      "43, not 42": [...ascii("MM"), 0, 43, ...good.slice(4)],
      "IFD0 past the end": [...good.slice(0, 4), 0xff, 0xff, 0xff, 0xf0],
      "more entries than bytes": [...good.slice(0, 8), 0xff, 0xff, ...ascii("LEAK-short")],
      "the wrong type": tiff(false, { ifd0: [[0x0112, LONG, 6]] }),
      "no such orientation": tiff(true, { ifd0: [[0x0112, SHORT, 9]] }),
    };
    for (const [name, tiffBytes] of Object.entries(broken)) {
      const result = stripMetadata(jpegOf([exifSegment(tiffBytes)]));
      assert.deepEqual(result, { kind: "jpeg", bytes: imageOnly(), removed: ["exif"] }, name);
    }
  });

  test("a JFIF thumbnail goes and its header stays; a JFXX thumbnail goes whole", () => {
    const withThumbnail = app(0, "JFIF\0", [1, 2, 0, 0, 72, 0, 72, 2, 1, ...ascii("LEAK-p")]);
    const result = stripMetadata(jpegOf([app(0, "JFXX\0", ascii("LEAK-jfxx"))], { head: [withThumbnail] }));
    assert.deepEqual(result, { kind: "jpeg", bytes: imageOnly(), removed: ["thumbnail"] });
  });

  test("bytes after the end of the image go too, even a whole second image", () => {
    const result = stripMetadata(bytes(phoneJpeg(true), ascii("LEAK-trailer"), jpegOf([comment("LEAK-second")])));
    assert.deepEqual(result.bytes, imageOnly(orientationOnly(6)));
    assert.ok(result.removed.includes("trailer"));
  });

  test("a structure the walk does not expect is refused", () => {
    const longerDqt = [...DQT.slice(0, 3), DQT[3] + 6, ...DQT.slice(4), ...ascii("LEAK-q")];
    const cases = {
      "no scan": bytes(SOI, JFIF, DQT, SOF0, EOI),
      "no end": bytes(SOI, DQT, SOF0, DHT, SCAN1),
      "a scan before the frame": bytes(SOI, DQT, DHT, SCAN1, SOF0, EOI),
      "two frames": bytes(SOI, SOF0, DQT, SOF0, DHT, SCAN1, EOI),
      "a frame after a scan": bytes(SOI, SOF0, SCAN1, SOF0, SCAN2, EOI),
      "a second SOI": bytes(SOI, SOI, SOF0, SCAN1, EOI),
      "a reserved marker": bytes(SOI, segment(0xc8, [1, 2]), SOF0, SCAN1, EOI),
      "garbage between segments": bytes(SOI, DQT, 0x00, SOF0, SCAN1, EOI),
      "a length past the end": bytes(SOI, SOF0, [0xff, 0xfe, 0x40, 0x00], ascii("LEAK-comment")),
      "a length below two": bytes(SOI, [0xff, 0xfe, 0x00, 0x01], SOF0, SCAN1, EOI),
      "a table with bytes hidden after it": bytes(SOI, longerDqt, SOF0, SCAN1, EOI),
      "a frame with the wrong length": bytes(SOI, segment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0, 9]), SCAN1, EOI),
      "a Huffman table of an unknown class": bytes(SOI, SOF0, segment(0xc4, [0x40, ...DHT.slice(5)]), SCAN1, EOI),
      "a restart interval with more bytes": bytes(SOI, SOF0, segment(0xdd, [0, 4, 0]), SCAN1, EOI),
      "a scan header with the wrong length": bytes(SOI, SOF0, segment(0xda, [2, 1, 0, 0, 63, 0]), 0x12, EOI),
    };
    for (const [name, data] of Object.entries(cases)) {
      assert.deepEqual(stripMetadata(data), { kind: "jpeg", bytes: null, removed: [], reason: "malformed" }, name);
    }
  });
});

// --- PNG ----------------------------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (data) => ~data.reduce((c, value) => CRC_TABLE[(c ^ value) & 0xff] ^ (c >>> 8), ~0) >>> 0;
const be32 = (value) => [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const chunk = (type, data = []) => {
  const body = [...ascii(type), ...data];
  return [...be32(data.length), ...body, ...be32(crc32(body))];
};
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// The chunks a decoder needs, an animation's included; the pixel data need not be real for the walk.
const IHDR = chunk("IHDR", [...be32(2), ...be32(2), 8, 3, 0, 0, 0]);
const COLOUR = [
  chunk("gAMA", be32(45455)),
  chunk("cHRM", Array(32).fill(1)),
  chunk("sRGB", [0]),
  chunk("sBIT", [8, 8, 8]),
  chunk("PLTE", [255, 0, 0, 0, 0, 255]),
  chunk("tRNS", [255, 128]),
  chunk("bKGD", [0]),
  chunk("pHYs", [...be32(2835), ...be32(2835), 1]),
];
const IDAT = chunk("IDAT", [0x78, 0x9c, 0x63, 0x60, 0x00, 0x00]);
const PICTURE = [
  chunk("acTL", [...be32(1), ...be32(0)]),
  chunk("fcTL", Array(26).fill(0)),
  IDAT,
  chunk("IDAT", [0x00, 0x02, 0x00, 0x01]),
  chunk("fdAT", [0, 0, 0, 1, 0x78, 0x9c]),
];
const IEND = chunk("IEND");

/** A PNG with `before`, `middle` and `after` chunks spread among the image chunks, as editors write them. */
const pngOf = ([before = [], middle = [], after = []] = []) =>
  bytes(PNG_SIGNATURE, IHDR, before, COLOUR, middle, PICTURE, after, IEND);

function markedPng() {
  return pngOf([
    [chunk("iCCP", [...ascii("LEAK-icc\0"), 0, 0x78, 0x9c]), chunk("eXIf", phoneExif(false))],
    [
      chunk("tEXt", ascii("Location\0LEAK-text")),
      chunk("zTXt", ascii("LEAK-ztxt\0\0")),
      chunk("tIME", [7, 234, 12, 7, 6, 17, 28]),
    ],
    [
      chunk("iTXt", ascii("XML:com.adobe.xmp\0\0\0\0\0LEAK-itxt")),
      chunk("prVt", ascii("LEAK-private")),
      chunk("eXIf", phoneExif(true)),
    ],
  ]);
}

describe("PNG", () => {
  test("only the image chunks come out, each byte for byte, in their order", () => {
    const result = stripMetadata(markedPng());
    assert.equal(result.kind, "png");
    assert.deepEqual(leaks(result.bytes), []);
    assert.deepEqual(result.bytes, pngOf());
    assert.deepEqual(sorted(result.removed), ["exif", "icc", "other", "text", "time"]);
    for (const type of ["eXIf", "tEXt", "zTXt", "iTXt", "tIME", "iCCP", "prVt"]) {
      assert.ok(!latin1(result.bytes).includes(type), type);
    }
  });

  test("a clean PNG comes out the same; bytes after IEND go", () => {
    assert.deepEqual(stripMetadata(pngOf()), { kind: "png", bytes: pngOf(), removed: [] });
    const trailed = stripMetadata(bytes(pngOf(), ascii("LEAK-trailer")));
    assert.deepEqual(trailed, { kind: "png", bytes: pngOf(), removed: ["trailer"] });
  });

  test("a structure the walk does not expect is refused", () => {
    const text = chunk("tEXt", ascii("Title\0LEAK-text"));
    // IHDR made long enough to carry the text chunk inside it, up to that chunk's own CRC.
    const swallowing = [...be32(13 + 4 + text.length - 4), ...IHDR.slice(4)];
    const cases = {
      "IHDR not first": bytes(PNG_SIGNATURE, IDAT, IHDR, IEND),
      "a second IHDR": bytes(PNG_SIGNATURE, IHDR, IHDR, IDAT, IEND),
      "no IEND": bytes(PNG_SIGNATURE, IHDR, IDAT),
      "a length past the end": bytes(PNG_SIGNATURE, IHDR, be32(1000), ascii("tEXtLEAK-text"), IEND),
      "a length over 2^31": bytes(PNG_SIGNATURE, IHDR, be32(0x80000000), ascii("IDAT"), IEND),
      "a type that is not four letters": bytes(PNG_SIGNATURE, IHDR, chunk("te_t", ascii("LEAK-text")), IDAT, IEND),
      "a CRC that does not match": bytes(PNG_SIGNATURE, swallowing, text, IDAT, IEND),
    };
    for (const [name, data] of Object.entries(cases)) {
      assert.deepEqual(stripMetadata(data), { kind: "png", bytes: null, removed: [], reason: "malformed" }, name);
    }
  });
});

// --- WebP ---------------------------------------------------------------------------------------------------------

const le32 = (value) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
/** A RIFF chunk, with the padding byte an odd size needs. */
const riff = (type, data) => [...ascii(type), ...le32(data.length), ...data, ...(data.length % 2 ? [0] : [])];
const webpOf = (...chunks) => bytes(riff("RIFF", [...ascii("WEBP"), ...chunks.flat(Infinity)]));
const vp8x = (flags) => riff("VP8X", [flags, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
const [ICC, ALPHA, EXIF, XMP, ANIMATION] = [0x20, 0x10, 0x08, 0x04, 0x02];
const VP8L = riff("VP8L", [0x2f, 1, 0x40, 0, 0x11]); // odd: padded
const VP8 = riff("VP8 ", [0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 2, 0, 2, 0]);
const ALPH = riff("ALPH", [0x00, 0xff, 0xff]);
const ANIM = riff("ANIM", [0, 0, 0, 0, 0, 0]);
const FRAME_HEADER = Array(16).fill(1);
const frame = (...inner) => riff("ANMF", [...FRAME_HEADER, ...inner.flat()]);

/** An animated WebP with every kind of metadata: where the format puts it, or all ahead of the image data. */
function markedWebp({ metadataFirst = false } = {}) {
  const icc = riff("ICCP", ascii("LEAK-icc"));
  const late = [
    riff("EXIF", phoneExif(true)),
    riff("XMP ", ascii("<x:xmpmeta>LEAK-xmp</x:xmpmeta>")),
    riff("ABCD", ascii("LEAK-unknown")),
  ];
  const inFrame = riff("LEAK", ascii("LEAK-in-frame"));
  const flags = vp8x(ICC | ALPHA | EXIF | XMP | ANIMATION);
  if (metadataFirst) return webpOf(flags, icc, late, ANIM, frame(inFrame, ALPH, VP8L), frame(VP8));
  return webpOf(flags, icc, ANIM, frame(ALPH, VP8L, inFrame), frame(VP8), late);
}

describe("WebP", () => {
  test("the image chunks stay byte for byte, the flags say no metadata, the RIFF size is written again", () => {
    for (const metadataFirst of [false, true]) {
      const result = stripMetadata(markedWebp({ metadataFirst }));
      assert.equal(result.kind, "webp");
      assert.deepEqual(leaks(result.bytes), []);
      assert.deepEqual(result.bytes, webpOf(vp8x(ALPHA | ANIMATION), ANIM, frame(ALPH, VP8L), frame(VP8)));
      assert.deepEqual(sorted(result.removed), ["exif", "icc", "other", "xmp"]);
      assert.equal(Buffer.from(result.bytes).readUInt32LE(4), result.bytes.length - 8);
    }
  });

  test("a simple WebP loses what was appended to it, and bytes after the RIFF go", () => {
    const result = stripMetadata(bytes(webpOf(VP8, riff("EXIF", phoneExif(false))), ascii("LEAK-trailer")));
    assert.deepEqual(result, { kind: "webp", bytes: webpOf(VP8), removed: ["exif", "trailer"] });
    assert.deepEqual(stripMetadata(webpOf(VP8L)), { kind: "webp", bytes: webpOf(VP8L), removed: [] });
  });

  test("a structure the walk does not expect is refused", () => {
    const unpadded = webpOf(VP8, riff("XMP ", ascii("LEAK-xmp!"))).subarray(0, -1);
    unpadded.set(le32(unpadded.length - 8), 4);
    const cases = {
      "a RIFF size past the end": webpOf(VP8).subarray(0, -2),
      "an odd RIFF size": unpadded,
      "a chunk past the RIFF": bytes(webpOf(VP8).subarray(0, 12), ascii("EXIF"), le32(100), VP8),
      "no image chunk first": webpOf(riff("EXIF", ascii("LEAK-exif")), VP8),
      "a VP8X too short": webpOf(riff("VP8X", [ICC, 0, 0, 0]), VP8),
      "a VP8X long enough to hide a chunk": webpOf(riff("VP8X", [...vp8x(0).slice(8), ...riff("XMP ", [1, 2])]), VP8),
      "an ANIM of the wrong size": webpOf(vp8x(ANIMATION), riff("ANIM", [0, 0, 0, 0, 0, 0, 0, 0]), frame(VP8)),
      "a frame too short": webpOf(vp8x(ANIMATION), ANIM, riff("ANMF", [1, 2, 3, 4])),
      "a frame whose chunks do not parse": webpOf(vp8x(ANIMATION), ANIM, riff("ANMF", [...FRAME_HEADER, 1, 2, 3])),
    };
    for (const [name, data] of Object.entries(cases)) {
      assert.deepEqual(stripMetadata(data), { kind: "webp", bytes: null, removed: [], reason: "malformed" }, name);
    }
  });
});

// --- Whatever else arrives ----------------------------------------------------------------------------------------

const SAMPLES = {
  "JPEG (II)": phoneJpeg(true),
  "JPEG (MM)": phoneJpeg(false),
  PNG: markedPng(),
  WebP: markedWebp(),
};

describe("what cannot be stripped", () => {
  test("other formats and non-bytes are unknown, whatever they would be called", () => {
    const cases = {
      HEIC: bytes(0, 0, 0, 24, ascii("ftypheic"), 0, 0, 0, 0, ascii("mif1heic"), ascii("LEAK-heic")),
      GIF: bytes(ascii("GIF89a"), 1, 0, 1, 0, 0, 0, 0, ascii("LEAK-gif")),
      "a RIFF that is not WebP": bytes(ascii("RIFF"), le32(4), ascii("AVI ")),
      "no bytes": bytes(),
      "SOI alone": bytes(SOI),
      "an ArrayBuffer": phoneJpeg(true).buffer,
      "an array": ascii("not even bytes"),
      "a string": "\xff\xd8\xff",
      null: null,
      undefined,
    };
    for (const [name, input] of Object.entries(cases)) {
      assert.deepEqual(stripMetadata(input), { kind: null, bytes: null, removed: [], reason: "unknown" }, name);
    }
  });

  test("every truncation of every sample is refused", () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      for (let length = 0; length < sample.length; length += 1) {
        const result = stripMetadata(sample.subarray(0, length));
        assert.equal(result.bytes, null, `${name} cut at ${length}`);
        assert.ok(["unknown", "malformed"].includes(result.reason), `${name} cut at ${length}`);
      }
    }
  });
});

/** A deterministic source of randomness (mulberry32): a number below `below`, the same ones on every run. */
function randomFrom(seed) {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

/** `sample` changed in one to three places: a byte set, bytes inserted, deleted or repeated, or the end cut off. */
function mutant(sample, random) {
  let data = [...sample];
  for (let n = 1 + random(3); n > 0; n -= 1) {
    const [from, to] = [random(data.length + 1), random(data.length + 1)].sort((a, b) => a - b);
    const kind = random(5);
    if (kind === 0) data[Math.min(from, data.length - 1)] = random(256);
    if (kind === 1) data.splice(from, 0, ...Array.from({ length: 1 + random(8) }, () => random(256)));
    if (kind === 2) data.splice(from, Math.min(to - from, 64));
    if (kind === 3) data.splice(from, 0, ...data.slice(from, Math.min(to, from + 64)));
    if (kind === 4) data = data.slice(0, Math.max(to, 1));
  }
  return Uint8Array.from(data);
}

// Image data is passed on unread, so a mutation that lets it run on over what follows (a scan's next marker byte
// changed, a VP8L chunk made longer) carries that along as image data. The fuzzed samples keep their metadata ahead
// of any image data; PNG's CRCs keep a longer chunk from swallowing the next.
const FUZZED = {
  "JPEG (II)": phoneJpeg(true, { betweenScans: false }),
  "JPEG (MM)": phoneJpeg(false, { betweenScans: false }),
  PNG: markedPng(),
  WebP: markedWebp({ metadataFirst: true }),
};

test("fuzz: mutated samples never throw, and what comes out holds no marker and strips to itself", () => {
  const random = randomFrom(20240607);
  let stripped = 0;
  for (const [name, sample] of Object.entries(FUZZED)) {
    for (let round = 0; round < 500; round += 1) {
      const input = mutant(sample, random);
      const result = stripMetadata(input);
      const where = `${name}, round ${round}: ${Buffer.from(input).toString("hex")}`;
      assert.ok(["jpeg", "png", "webp", null].includes(result.kind), where);
      assert.ok(Array.isArray(result.removed), where);
      if (result.bytes === null) {
        assert.ok(["unknown", "malformed"].includes(result.reason), where);
        continue;
      }
      stripped += 1;
      assert.deepEqual(leaks(result.bytes), [], where);
      assert.deepEqual(stripMetadata(result.bytes).bytes, result.bytes, where);
    }
  }
  assert.ok(stripped > 100, `only ${stripped} mutants were stripped: the fuzz tests little`);
});
