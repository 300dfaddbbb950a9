// Join page: the join form.
import { validateForm } from "./forms.js";

validateForm(document.getElementById("join-form"));
