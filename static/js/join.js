// Join page: the join form. A server-blind room's form sends a verifier through the API (e2e/join.js);
// a standard room's goes to the server as a form.
import { joinServerBlind } from "./e2e/join.js";
import { forgetOnLeave } from "./forget.js";
import { validateForm } from "./forms.js";
import { solveChallenges } from "./proof.js";
import { addPasswordToggles, maskPasswordFields } from "./reveal.js";
import { setUpReport } from "./report.js";
import { sendThroughFetch } from "./send.js";

const form = document.getElementById("join-form");
// Masking first, since the others hold the fields it replaces; sending last, once no check stopped the form.
maskPasswordFields(form);
validateForm(form);
addPasswordToggles(form);
forgetOnLeave(form);
if (form.dataset.mode === "e2e") {
  joinServerBlind(form);
} else {
  solveChallenges(form);
  sendThroughFetch(form);
}
setUpReport();
