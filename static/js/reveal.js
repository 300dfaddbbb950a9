// Password fields: masked text the browser's password manager never sees, with a Show/Hide button beside each,
// so people can check what they typed. Without the script the field stays a password field, with no button.
import { t } from "./catalog.js";

// A browser offers to save whatever is typed into a password field, and Chromium writes down that it offered,
// with a neighbouring field (the alias, the room name) as the user name, in the profile on disk. An input that
// was ever of type password stays one to it, so each is replaced by a new text input that never was, masked by
// CSS. Where the CSS is not understood the field would show the password, so it stays a password field.
const MASKING = globalThis.CSS?.supports("-webkit-text-security", "disc") ?? false;

/** Replace each password field of `form` with masked text; call before anything else holds the fields. */
export function maskPasswordFields(form) {
  if (!MASKING) return;
  for (const field of form.querySelectorAll('input[type="password"]')) {
    const input = document.createElement("input");
    for (const { name, value } of field.attributes) {
      if (name !== "type") input.setAttribute(name, value);
    }
    input.type = "text";
    input.autocomplete = "off";
    input.classList.add("masked");
    input.value = field.value;
    field.replaceWith(input);
  }
}

function label(button, shown) {
  button.textContent = t(shown ? "form.password.hide" : "form.password.show");
  button.setAttribute("aria-label", t(shown ? "form.password.hide_label" : "form.password.show_label"));
  button.setAttribute("aria-pressed", String(shown));
}

function reveal(input, button, shown) {
  input.classList.toggle("masked", !shown);
  label(button, shown);
}

/** Add a show/hide button after each masked field of `form`; a sent password is masked again first. */
export function addPasswordToggles(form) {
  for (const input of form.querySelectorAll("input.masked")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "reveal";
    button.setAttribute("aria-controls", input.id);
    label(button, false);
    // A press with a mouse or a finger leaves the cursor in the field, so typing goes on where it was;
    // the keyboard reaches the button with Tab, and the focus stays on it.
    button.addEventListener("mousedown", (event) => {
      if (document.activeElement === input) event.preventDefault();
    });
    button.addEventListener("click", () => reveal(input, button, input.classList.contains("masked")));
    // Masked again before the page goes (and before it can come back from the back-forward cache).
    form.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) reveal(input, button, false);
    });
    input.after(button);
  }
}
