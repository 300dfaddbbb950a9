"""Sanitizer parity: the server's cleaner (nh3) and the readers' in server-blind rooms (the vendored DOMPurify, in
Chromium, as static/js/e2e/sanitize.js sets it up) hold one hostile corpus to the same allowlist.

Each vector goes through both. Each output is then parsed twice, by Python's HTML parser (the sanitizer
contract's own check, tests/unit/test_sanitize.py) and by Chromium's, in an inert document, where every
element, attribute and URL is checked against the allowlist written out below; both must pass. On plain
formatting the two must also agree: what nh3 keeps, DOMPurify keeps, to the same DOM.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from ephemeral.sanitize import clean_message
from tests.support.server import RunningServer
from tests.unit.test_sanitize import (
    ALLOWED,
    CONTRACT_ATTRIBUTES,
    CONTRACT_TAGS,
    DROPPED_WITH_CONTENT,
    HOSTILE,
    LONG,
    MEDIA,
    REL,
    assert_safe,
)

pytestmark = pytest.mark.browser

CORPUS = [(param.id, str(param.values[0])) for table in (HOSTILE, DROPPED_WITH_CONTENT, LONG) for param in table]
FORMATTING = [(param.id, str(param.values[0])) for param in ALLOWED]

# The page's sanitizer on each vector; every fragment serialized in a document of its own that runs and loads
# nothing. Anything but a DocumentFragment (which render.js takes apart) comes back as null.
CLEAN_ALL = """async (vectors) => {
    const { cleanToFragment } = await import("/static/js/e2e/sanitize.js");
    const inert = document.implementation.createHTMLDocument("");
    return vectors.map((vector) => {
        const fragment = cleanToFragment(vector);
        if (!(fragment instanceof DocumentFragment)) return null;
        const box = inert.createElement("div");
        box.append(inert.importNode(fragment, true));
        return box.innerHTML;
    });
}"""
# Chromium's own reading of each output, checked against the allowlist; returns what broke it, per output.
AUDIT_ALL = """([outputs, tags, attributes, media, rel]) => outputs.map((html) => {
    const found = [];
    const doc = new DOMParser().parseFromString(`<body>${html}`, "text/html");
    for (const el of doc.body.querySelectorAll("*")) {
        const tag = el.localName;
        if (el.namespaceURI !== "http://www.w3.org/1999/xhtml" || !tags.includes(tag)) found.push(`<${tag}>`);
        for (const attr of el.attributes) {
            if (!(attributes[tag] ?? []).includes(attr.name)) found.push(`<${tag} ${attr.name}>`);
        }
        // What the browser would follow: the URL as its parser reads it, ignored characters dropped.
        const url = (name) => el.getAttribute(name).replace(/^[\\u0000-\\u0020]+|[\\t\\n\\r]/g, "").toLowerCase();
        if (el.hasAttribute("href") && !/^(https?|mailto):/.test(url("href"))) found.push(`href ${url("href")}`);
        if (el.hasAttribute("src") && !(media.includes(tag) && url("src").startsWith("https://")))
            found.push(`<${tag} src=${url("src")}>`);
        if (tag === "a" && el.getAttribute("rel") !== rel) found.push(`<a rel=${el.getAttribute("rel")}>`);
    }
    const others = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT | NodeFilter.SHOW_PROCESSING_INSTRUCTION);
    while (others.nextNode()) found.push(`node ${others.currentNode.nodeName}`);
    return found;
})"""
# Both outputs read by Chromium and written out again, so the same DOM gives the same string. Attribute values
# are trimmed (DOMPurify trims them, nh3 does not; a URL parser ignores the spaces either way), and a lone
# surrogate becomes U+FFFD (nh3's answer; Chromium draws one for it).
NORMALIZED = """(outputs) => outputs.map((html) => {
    const body = new DOMParser().parseFromString(`<body>${html}`, "text/html").body;
    for (const el of body.querySelectorAll("*")) for (const attr of el.attributes) attr.value = attr.value.trim();
    return body.innerHTML.toWellFormed();
})"""


@pytest.fixture
def sanitizer_page(new_page: Callable[..., Page], shared_server: RunningServer) -> Page:
    """The landing page, with its CSP, as the place the page's sanitizer module is loaded from."""
    page = new_page()
    page.goto(shared_server.url + "/")
    return page


def audit(page: Page, outputs: list[str]) -> list[list[str]]:
    attributes = {tag: sorted(names) for tag, names in CONTRACT_ATTRIBUTES.items()}
    found: list[list[str]] = page.evaluate(AUDIT_ALL, [outputs, sorted(CONTRACT_TAGS), attributes, sorted(MEDIA), REL])
    return found


def both(page: Page, vectors: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """What nh3 and what the page's DOMPurify make of each vector; the page's must be a fragment for every one."""
    texts = [vector for _, vector in vectors]
    purified: list[str | None] = page.evaluate(CLEAN_ALL, texts)
    not_fragments = [name for (name, _), output in zip(vectors, purified, strict=True) if output is None]
    assert not_fragments == [], "the page's sanitizer gave no DocumentFragment, which render.js needs"
    return [clean_message(text) for text in texts], [output or "" for output in purified]


def test_one_hostile_corpus_through_nh3_and_dompurify_stays_inside_the_allowlist(
    sanitizer_page: Page, page_errors: list[str]
) -> None:
    assert len(CORPUS) > 200
    nh3_out, purify_out = both(sanitizer_page, CORPUS)
    for cleaner, outputs in (("nh3", nh3_out), ("DOMPurify", purify_out)):
        for (name, _), output in zip(CORPUS, outputs, strict=True):
            try:
                assert_safe(output)
            except AssertionError as error:
                raise AssertionError(f"{cleaner} on {name}: {output!r}") from error
        broken = {name: found for (name, _), found in zip(CORPUS, audit(sanitizer_page, outputs), strict=True) if found}
        assert broken == {}, f"{cleaner}'s output, as Chromium reads it, leaves the allowlist"
    assert page_errors == []  # cleaning the table in a page with the CSP reported nothing either


def test_plain_formatting_comes_out_of_both_the_same(sanitizer_page: Page, page_errors: list[str]) -> None:
    nh3_out, purify_out = both(sanitizer_page, FORMATTING)
    normalized = sanitizer_page.evaluate(NORMALIZED, nh3_out + purify_out)
    by_nh3, by_purify = normalized[: len(nh3_out)], normalized[len(nh3_out) :]
    differ = {
        name: (ours, theirs)
        for (name, _), ours, theirs in zip(FORMATTING, by_nh3, by_purify, strict=True)
        if ours != theirs
    }
    assert differ == {}
    assert page_errors == []
