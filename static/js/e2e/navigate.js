// Going on to the next page of a server-blind room without leaving this document, so that the keys, which
// live in this page's memory only (session.js), go along: after a create the share card, after a join or
// from the share card the chat. The next page is the server's own, fetched as a navigation would get it;
// its <main> takes this one's place and its module runs. Back and Forward load the real page again.

let watchingHistory = false;

/** Add the stylesheets of `page`'s head that this page lacks (the chat page's own); resolves once each is loaded. */
function adoptStylesheets(page) {
  const have = new Set([...document.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.href));
  const loading = [];
  for (const theirs of page.querySelectorAll('head link[rel="stylesheet"][href]')) {
    const href = new URL(theirs.getAttribute("href"), location.href).href;
    if (have.has(href)) continue;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    // A sheet that fails to load leaves the page unstyled there, not stuck.
    loading.push(new Promise((settled) => (link.onload = link.onerror = settled)));
    document.head.append(link);
  }
  return Promise.all(loading);
}

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
  // The page's own module, not the one every page loads (the language switcher's), which this one runs already.
  const script = page.querySelector('script[type="module"][src]:not([data-every-page])');
  if (!theirs || !script) return false;
  if (!watchingHistory) {
    watchingHistory = true;
    addEventListener("popstate", () => location.reload());
  }
  await adoptStylesheets(page);
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
