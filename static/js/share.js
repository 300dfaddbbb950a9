// Share card: copy button and the expiry in the reader's local time.
import { t } from "./catalog.js";
import { setUpCopyButtons } from "./clipboard.js";
import { localTime } from "./time.js";

setUpCopyButtons();
const card = document.getElementById("share");
const expiresAt = Number(card.dataset.expiresAt);
const expires = document.getElementById("expires");
const minutes = Math.max(0, Math.round((expiresAt - Date.now()) / 60000));
expires.dateTime = new Date(expiresAt).toISOString();
expires.textContent = t("share.expires", { time: localTime(expiresAt), count: minutes });
