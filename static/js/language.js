// The language switcher: sent in the background, then the page loads again in the chosen language.
// Reloading (rather than following the form's answer) keeps the address whole, with a server-blind room's
// key in its fragment. A page that is the answer to a form is fetched anew instead, never sent again.
// The button stays: a choice in the list alone changes nothing, so moving through it never reloads the page.
// Listening on the document also covers a switcher that came with a page opened in place (e2e/navigate.js).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form[data-language-switcher]")) return;
  event.preventDefault();
  const body = new URLSearchParams(new FormData(form));
  // A redirect is the switch taking; anything else (offline, a refusal) goes as a plain form, which says why.
  const answer = await fetch(form.action, { method: "POST", body, redirect: "manual" }).catch(() => null);
  if (answer?.type !== "opaqueredirect") {
    form.submit();
    return;
  }
  if (location.hash) location.reload();
  else location.replace(location.href);
});
