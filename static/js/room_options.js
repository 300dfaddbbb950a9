// The create form's "Room options" (kind, who may purge, lifetime, seats, disappearing messages, vanish on
// leave, history from peers). The form posts them as they are; a server-blind room is made through the JSON API, whose body
// carries them as `apiRules` writes them.
// A pair room has two seats, so its seats field is off while "Pair" is chosen.

const DIGITS = /^[0-9]{1,9}$/;

/**
 * The API's fields for the options chosen on the form (`kind`, `purge`, `lifetime` in minutes, `seats` and
 * `disappear` in seconds, as the form's text; `vanish` and `history`, ticked or not): only those set, the lifetime in
 * seconds (`ttl`), whole numbers as numbers. A pair room sends no seats (it has two). A number that is not
 * one is sent as typed, for the server to refuse.
 */
export function apiRules({
  kind = "",
  purge = "",
  lifetime = "",
  seats = "",
  disappear = "",
  vanish = false,
  history = false,
} = {}) {
  const rules = {};
  if (kind) rules.kind = kind;
  if (purge) rules.purge = purge;
  if (lifetime) rules.ttl = DIGITS.test(lifetime) ? Number(lifetime) * 60 : lifetime;
  if (seats && kind !== "pair") rules.seats = DIGITS.test(seats) ? Number(seats) : seats;
  if (disappear) rules.disappear = DIGITS.test(disappear) ? Number(disappear) : disappear;
  if (vanish) rules.vanish = true;
  if (history) rules.history = true;
  return rules;
}

/** The options as the form holds them now (a field the page does not have is empty). */
export function chosenRules(form) {
  const value = (name) => {
    const field = form.elements[name];
    return field && !field.disabled ? field.value.trim() : "";
  };
  const chosen = { kind: value("kind"), purge: value("purge"), lifetime: value("lifetime"), seats: value("seats") };
  const ticked = (name) => Boolean(form.elements[name]?.checked);
  return apiRules({ ...chosen, disappear: value("disappear"), vanish: ticked("vanish"), history: ticked("history") });
}

/** Wire the options: choosing a pair room turns the seats field off (and says why in its hint). */
export function offerRoomOptions(form) {
  const kind = form.elements.kind;
  const seats = form.elements.seats;
  if (!kind || !seats) return;
  const pairHint = document.getElementById("seats-pair");
  const follow = () => {
    const pair = kind.value === "pair";
    seats.disabled = pair;
    pairHint.hidden = !pair;
  };
  kind.addEventListener("change", follow);
  follow();
}
