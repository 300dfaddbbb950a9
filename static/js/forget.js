// What was typed into a form leaves with the page: a browser that keeps the page for Back (the back-forward
// cache) brings the form back empty. Sending is not affected: the request holds the values by then.

/** Empty every field of `form` that a person types into when the page goes. */
export function forgetOnLeave(form) {
  window.addEventListener("pagehide", () => {
    for (const input of form.querySelectorAll('input:not([type="hidden"], [type="checkbox"])')) input.value = "";
  });
}
