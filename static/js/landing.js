// Landing page: the create form.
import { validateForm } from "./forms.js";
import { addPasswordToggles } from "./reveal.js";

const form = document.getElementById("create-form");
validateForm(form);
addPasswordToggles(form);
