// The create and join forms go out through fetch, not as a page load. A refused form would otherwise come
// back as a page made by a POST, and Chromium keeps a POST's body, every value typed, in its session files on
// disk unless the form held a password field, which ours no longer do (reveal.js). The server answers exactly
// as it does without scripts: a form it takes moves on to the page it names; a refused one gets the server's
// words at its fields and above the form, taken from the page it sent back.
import { errorText } from "./catalog.js";
import { focusRefused, showFieldError } from "./forms.js";

/** The words above the form, in the alert box the server's page would have; none removes the box. */
export function showFormError(form, message) {
  let box = document.getElementById("form-error");
  if (!message) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement("p");
    box.className = "error";
    box.id = "form-error";
    box.setAttribute("role", "alert");
    form.before(box);
  }
  box.textContent = message;
}

/** Take the server's new tokens: the hidden fields and data attributes of its copy of the form. */
function takeTokens(form, theirs) {
  for (const hidden of form.querySelectorAll('input[type="hidden"]')) {
    if (!theirs.querySelector(`input[type="hidden"][name="${CSS.escape(hidden.name)}"]`)) hidden.remove();
  }
  for (const fresh of theirs.querySelectorAll('input[type="hidden"]')) {
    const mine = form.querySelector(`input[type="hidden"][name="${CSS.escape(fresh.name)}"]`);
    if (mine) mine.value = fresh.value;
    else form.prepend(document.importNode(fresh));
  }
  for (const key of Object.keys(form.dataset)) {
    if (!(key in theirs.dataset)) delete form.dataset[key];
  }
  Object.assign(form.dataset, theirs.dataset);
}

/** Show the refusal in `answer`, the server's page with the same form: its words, as text, and its tokens. */
function showRefusal(form, answer) {
  takeTokens(form, answer.getElementById(form.id));
  for (const input of form.querySelectorAll('input:not([type="hidden"])')) {
    if (!document.getElementById(`${input.id}-error`)) continue; // a switch has no words of its own
    const slot = answer.getElementById(`${input.id}-error`);
    showFieldError(input, slot && !slot.hidden ? slot.textContent : "");
  }
  showFormError(form, answer.getElementById("form-error")?.textContent ?? "");
  // As on the server's page, a password is never given back: after any refusal it is typed again.
  if (form.elements.password) form.elements.password.value = "";
  focusRefused(form);
}

/** The server's answer to `form`: where it sends the person, or its page; null when it did not answer. */
async function post(form) {
  try {
    const response = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
    if (response.redirected) return { next: response.url };
    return { status: response.status, page: new DOMParser().parseFromString(await response.text(), "text/html") };
  } catch {
    return null;
  }
}

/** Send `form` when it is submitted and no earlier handler stopped it; call after the other handlers. */
export function sendThroughFetch(form) {
  let sending = false;
  // A page the back-forward cache brings back may be sent again.
  window.addEventListener("pageshow", () => {
    sending = false;
  });
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    if (sending) return;
    sending = true;
    const answer = await post(form);
    if (answer?.next) {
      location.assign(answer.next);
      return;
    }
    if (answer?.page.getElementById(form.id)) {
      // Another module may answer the refusal itself and send again (proof.js, with a solved challenge).
      if (!form.dispatchEvent(new CustomEvent("refused", { cancelable: true, detail: answer }))) {
        sending = false;
        return;
      }
      showRefusal(form, answer.page);
    } else if (answer?.status === 404) {
      // The room is gone; its own address says so.
      location.assign(form.action);
      return;
    } else if (answer) {
      // Any other page says what happened in its alert, if it has one.
      showFormError(form, answer.page.querySelector('[role="alert"]')?.textContent.trim() || errorText("internal"));
    } else {
      showFormError(form, errorText("timeout"));
    }
    sending = false;
  });
}
