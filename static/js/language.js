// The language switcher: sent in the background, then the page loads again in the chosen language.
// Reloading (rather than following the form's answer) keeps the address whole, with a server-blind room's
// key in its fragment. A page that is the answer to a form is fetched anew instead, never sent again.
// The button stays: a choice in the list alone changes nothing, so moving through it never reloads the page.
for (const form of document.querySelectorAll("form[data-language-switcher]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), redirect: "manual" });
    if (location.hash) location.reload();
    else location.replace(location.href);
  });
}
