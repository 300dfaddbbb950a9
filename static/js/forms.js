// Inline validation that mirrors the server's field rules (ephemeral/fields.py).
// The server stays the judge; this only tells people sooner and in words.
import { t } from "./catalog.js";

// Control, format, surrogate and separator characters, default-ignorables and
// the blank Braille pattern: the server refuses them in aliases and room names.
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]/u;

// Each field's own sentences, whole: a translation may put the field's name anywhere.
const WORDS = {
  alias: { empty: "form.alias.empty", long: "form.alias.long", invisible: "form.alias.invisible" },
  name: { empty: "form.name.empty", long: "form.name.long", invisible: "form.name.invisible" },
  password: { empty: "form.password.empty", long: "form.password.long" },
};

// Tab and the ASCII line breaks fold like spaces; every other control or separator is refused where it stands.
const FOLDED_CONTROLS = /[\t\n\v\f\r]/gu;

function displayName(value, words, max) {
  const normal = value.normalize("NFKC");
  if (INVISIBLE.test(normal.replace(FOLDED_CONTROLS, " "))) return t(words.invisible);
  const name = normal.replace(/\s+/gu, " ").trim();
  if (!name) return t(words.empty);
  if ([...name].length > max) return t(words.long, { max });
  return "";
}

const RULES = {
  alias: (value, max) => displayName(value, WORDS.alias, max),
  name: (value, max) => displayName(value, WORDS.name, max),
  password: (value, max) => {
    if (!value) return t(WORDS.password.empty);
    if ([...value].length > max) return t(WORDS.password.long, { max });
    return "";
  },
};

// A field's rule goes by its name; a field the server must never get (a server-blind room's password) has none.
const ruleName = (input) => input.name || input.id;

function limitFor(form, field) {
  return Number(form.dataset[`max${field[0].toUpperCase()}${field.slice(1)}`]);
}

/** Put `message` in the field's own error slot and mark the field; an empty message clears both. */
export function showFieldError(input, message) {
  const slot = document.getElementById(`${input.id}-error`);
  slot.textContent = message;
  slot.hidden = !message;
  input.setAttribute("aria-invalid", message ? "true" : "false");
}

function check(form, input) {
  const message = RULES[ruleName(input)](input.value, limitFor(form, ruleName(input)));
  showFieldError(input, message);
  return message;
}

/** Validate on blur and on submit; focus the first field that is wrong, or that the server refused. */
export function validateForm(form) {
  const inputs = [...form.querySelectorAll("input")].filter((input) => Object.hasOwn(RULES, ruleName(input)));
  for (const input of inputs) {
    input.addEventListener("blur", () => {
      if (input.value) check(form, input);
    });
    input.addEventListener("input", () => {
      if (input.getAttribute("aria-invalid") === "true") check(form, input);
    });
  }
  form.addEventListener("submit", (event) => {
    const wrong = inputs.filter((input) => check(form, input));
    if (wrong.length) {
      event.preventDefault();
      wrong[0].focus();
    }
  });
  // A form the server refused comes back with the wrong field marked and autofocused. Make sure the cursor
  // is there (not every browser honours autofocus).
  const refused = form.querySelector('input[aria-invalid="true"]');
  if (refused && (document.activeElement === document.body || document.activeElement === refused)) {
    focusRefused(form);
  }
}

/** Put the cursor in the first field marked wrong and select what it holds, so typing replaces it. */
export function focusRefused(form) {
  const refused = form.querySelector('input[aria-invalid="true"]');
  if (!refused) return;
  refused.focus();
  refused.select();
}
