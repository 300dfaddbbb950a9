// Show-password buttons: one beside each password field, so people can check what they typed.
// Only the script adds them; without it the field simply stays a password field.
import { t } from "./catalog.js";

function label(button, shown) {
  button.textContent = t(shown ? "form.password.hide" : "form.password.show");
  button.setAttribute("aria-label", t(shown ? "form.password.hide_label" : "form.password.show_label"));
  button.setAttribute("aria-pressed", String(shown));
}

function reveal(input, button, shown) {
  const { selectionStart, selectionEnd } = input;
  input.type = shown ? "text" : "password";
  // A new type can move the caret; put it back where the person left it.
  if (document.activeElement === input) input.setSelectionRange(selectionStart, selectionEnd);
  label(button, shown);
}

/** Add a show/hide button after each password field of `form`; a sent password is hidden again first. */
export function addPasswordToggles(form) {
  for (const input of form.querySelectorAll('input[type="password"]')) {
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
    button.addEventListener("click", () => reveal(input, button, input.type === "password"));
    // Hidden again before the page goes (and before it can come back from the back-forward cache).
    form.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) reveal(input, button, false);
    });
    input.after(button);
  }
}
