// Landing page: the create form, with its room options (room_options.js) and its server-blind switch (e2e/create.js).
import { offerServerBlind } from "./e2e/create.js";
import { forgetOnLeave } from "./forget.js";
import { validateForm } from "./forms.js";
import { addPasswordToggles, maskPasswordFields } from "./reveal.js";
import { offerRoomOptions } from "./room_options.js";
import { sendThroughFetch } from "./send.js";

const form = document.getElementById("create-form");
// Masking first, since the others hold the fields it replaces; sending last, once no check stopped the form.
maskPasswordFields(form);
validateForm(form);
addPasswordToggles(form);
forgetOnLeave(form);
offerRoomOptions(form);
offerServerBlind(form);
sendThroughFetch(form);
