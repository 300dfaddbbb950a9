// Landing page: the create form.
import { validateForm } from "./forms.js";

validateForm(document.getElementById("create-form"));
