// Going on to the next page of a server-blind room without leaving this document, so that the keys, which
// live in this page's memory only (session.js), go along: after a create the share card, after a join or
// from the share card the chat. The next page is the server's own, fetched as a navigation would get it;
// its <main> takes this one's place and its module runs. Back and Forward load the real page again.

let watchingHistory = false;

/**
 * Show `path` (same origin) in place, with `hash` in the address bar; false when it could not be fetched.
 * A different path is a new history entry, as a navigation would be; the same path is replaced.
 */
export async function openInPlace(path, hash) {
  let page;
  try {
    const response = await fetch(path, { credentials: "same-origin" });
    if (!response.ok || response.redirected) return false;
    page = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return false;
  }
  const theirs = page.getElementById("main");
  const script = page.querySelector('script[type="module"][src]');
  if (!theirs || !script) return false;
  if (!watchingHistory) {
    watchingHistory = true;
    addEventListener("popstate", () => location.reload());
  }
  const url = path + hash;
  if (path === location.pathname) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  const main = document.getElementById("main");
  main.replaceChildren(...[...theirs.childNodes].map((node) => document.importNode(node, true)));
  document.title = page.title;
  document.body.className = page.body.className;
  scrollTo(0, 0);
  await import(new URL(script.getAttribute("src"), location.href).href);
  return true;
}
