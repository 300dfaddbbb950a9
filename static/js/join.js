// Join page: the join form.
import { validateForm } from "./forms.js";
import { addPasswordToggles } from "./reveal.js";

const form = document.getElementById("join-form");
validateForm(form);
addPasswordToggles(form);
