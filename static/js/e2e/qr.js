// The QR code of a server-blind room's link, drawn in the page: the link's fragment holds the room's secret,
// which never reaches the server, so the server cannot draw it (ephemeral/qr.py draws standard rooms').
// Vendored qrcode-generator makes the matrix; the SVG is built node by node, as the server's looks.
import qrcode from "../vendor/qrcode.js";

const SVG = "http://www.w3.org/2000/svg";
const SCALE = 5;
const BORDER = 2; // modules of quiet zone, as the server's codes have

/** The code's modules for `text` (UTF-8, byte mode, error correction M): `dark(row, col)` over `size`. */
export function qrMatrix(text) {
  const code = qrcode(0, "M");
  // The library reads each character as one byte: give it the UTF-8 bytes, one per character.
  code.addData(String.fromCharCode(...new TextEncoder().encode(text)), "Byte");
  code.make();
  return { size: code.getModuleCount(), dark: (row, col) => code.isDark(row, col) };
}

/** An `<svg class="qr">` of `text`'s code, as the server draws one: a path of dark runs on a white ground. */
export function qrSvg(text) {
  const { size, dark } = qrMatrix(text);
  const side = size + 2 * BORDER;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "qr");
  svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
  svg.setAttribute("width", String(side * SCALE));
  svg.setAttribute("height", String(side * SCALE));
  const ground = document.createElementNS(SVG, "rect");
  ground.setAttribute("width", String(side));
  ground.setAttribute("height", String(side));
  ground.setAttribute("fill", "#fff");
  let d = "";
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size; col += 1) {
      if (!dark(row, col) || (col > 0 && dark(row, col - 1))) continue;
      let run = 1;
      while (col + run < size && dark(row, col + run)) run += 1;
      d += `M${col + BORDER} ${row + BORDER}h${run}v1h-${run}z`;
    }
  }
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", d);
  modules.setAttribute("fill", "#000");
  svg.append(ground, modules);
  return svg;
}
