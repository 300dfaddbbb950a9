// "Copy link" buttons: copy the link only (never the password) and say so.
import { t } from "./catalog.js";

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain-http origins other than localhost have no async clipboard.
    input.select();
    return document.execCommand("copy");
  }
}

export function setUpCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const input = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById("copy-status");
    button.addEventListener("click", async () => {
      const copied = await copyText(input.value, input);
      status.textContent = t(copied ? "copy.done" : "copy.manual");
    });
  }
}
