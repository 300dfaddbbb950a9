"""The render path's bounds, found by the benchmark: markdown-it-py is pure Python,
so a message whose Markdown would cost too much is shown as typed, as text.

Structure only, no timing: the budget runs on an injected clock. What stays
Markdown, what becomes text, that the text is what was typed, and that nothing
unsafe gets through either way.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest

from bench import corpus
from ephemeral import markdown
from ephemeral.markdown import MAX_DELIMITER_RUN, RENDER_BUDGET_SECONDS, _as_text, render_message
from ephemeral.sanitize import MAX_TAG_OPENINGS, clean_message

HOSTILE_TAIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>[x](javascript:alert(3))'
FORMATTED = "**bold** and `code`\n\n- a list"
AS_TYPED = "<p>**bold** and `code`</p><p>- a list</p>"


def stepping(step: float) -> Callable[[], float]:
    """A clock that moves `step` seconds each time it is read."""
    return itertools.count(0.0, step).__next__


FROZEN = itertools.repeat(0.0).__next__
SPENT = stepping(1.0)  # past the budget at the first check


def test_within_the_budget_markdown_is_rendered() -> None:
    assert (
        render_message(FORMATTED, clock=FROZEN)
        == "<p><strong>bold</strong> and <code>code</code></p><ul><li>a list</li></ul>"
    )


def test_past_the_budget_the_message_is_shown_as_typed() -> None:
    assert render_message(FORMATTED, clock=SPENT) == AS_TYPED


def test_a_busy_machine_does_not_cost_a_message_its_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wall time the process spent waiting for a core is not the parser's: its own CPU time decides."""
    cpu = itertools.count(0.0, RENDER_BUDGET_SECONDS / 1000)
    monkeypatch.setattr(markdown.time, "perf_counter", stepping(1.0))
    monkeypatch.setattr(markdown.time, "thread_time", cpu.__next__)
    assert "<strong>" in render_message(FORMATTED)
    monkeypatch.setattr(markdown.time, "thread_time", stepping(1.0))
    assert render_message(FORMATTED) == AS_TYPED


def test_as_typed_keeps_paragraphs_line_breaks_and_raw_html_as_text() -> None:
    typed = "a <b>\nb &amp;\n\n\nc"
    assert render_message(typed, clock=SPENT) == "<p>a &lt;b&gt;<br>b &amp;amp;</p><p>c</p>"


def test_the_budget_is_spent_by_parser_steps_not_by_length() -> None:
    # About 50 reads of the clock fit in the budget.
    clock = RENDER_BUDGET_SECONDS / 50
    short = "**a** " * 3
    long = "**a** " * 200
    assert "<strong>" in render_message(short, clock=stepping(clock))
    assert "<strong>" not in render_message(long, clock=stepping(clock))
    assert "<strong>" in render_message(long, clock=FROZEN)


# Cheap at any length: a single token, or one scan.
CHEAP = {"long_url", "backtick_runs"}


@pytest.mark.parametrize("name", sorted(corpus.HOSTILE_MARKDOWN))
def test_the_budget_is_checked_throughout_each_hostile_input(name: str) -> None:
    """Each costly input that is parsed at all reads the clock many times, so the budget can stop it early."""
    text = corpus.HOSTILE_MARKDOWN[name]
    reads = 0

    def counting() -> float:
        nonlocal reads
        reads += 1
        return 0.0

    rendered = render_message(text, clock=counting)
    as_typed = clean_message(_as_text(text))
    assert rendered == as_typed or reads > 100 or name in CHEAP, (name, reads)


def test_the_budget_stops_block_parsing_before_any_inline_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks are parsed whole before any inline rule runs: 19 levels of quotes over 2,000 lines
    # took 100 ms there, so the block phase must read the clock itself.
    inline_parses: list[str] = []
    for parser in (markdown._LINKING, markdown._NOT_LINKING):
        parse = parser.inline.parse
        monkeypatch.setattr(parser.inline, "parse", lambda *args, parse=parse: inline_parses.append("") or parse(*args))
    text = corpus.HOSTILE_MARKDOWN["deep_quotes_lazy_lines"]
    assert render_message(text, clock=stepping(RENDER_BUDGET_SECONDS / 50)) == clean_message(_as_text(text))
    assert inline_parses == []


# Bare mailto: links are made after inline parsing, in one step over each text: linkify-it finds
# all of a text's links in one call, then each is normalized. Both read the clock per link.
MAILTOS = "write to mailto:ann@example.org or mailto:bob@example.org"


def test_a_budget_spent_before_bare_links_are_found_stops_at_the_first_candidate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    linkify = markdown._LINKING.linkify
    test, create = linkify.test, linkify._create_match
    spent, made = False, []

    def spend_then_test(text: str) -> object:
        nonlocal spent
        spent = True
        return test(text)

    monkeypatch.setattr(linkify, "test", spend_then_test)
    monkeypatch.setattr(linkify, "_create_match", lambda *args: made.append(args) or create(*args))
    assert render_message(MAILTOS, clock=lambda: 1.0 if spent else 0.0) == f"<p>{MAILTOS}</p>"
    assert made == []


def test_a_budget_spent_once_bare_links_are_found_stops_at_the_next_link(monkeypatch: pytest.MonkeyPatch) -> None:
    linkify = markdown._LINKING.linkify
    match = linkify.match
    spent = False

    def match_then_spend(text: str) -> object:
        nonlocal spent
        found = match(text)
        spent = True
        return found

    monkeypatch.setattr(linkify, "match", match_then_spend)
    assert render_message(MAILTOS, clock=lambda: 1.0 if spent else 0.0) == f"<p>{MAILTOS}</p>"


@pytest.mark.parametrize("filler", ["**a** ", "[a](https://example.org) ", "<b>", "> ", "- a\n"])
def test_nothing_unsafe_survives_past_the_budget(filler: str) -> None:
    rendered = render_message(filler * 100 + HOSTILE_TAIL, clock=SPENT)
    assert not re.search(r"<(?!/?(p|br)>)", rendered), rendered[:200]
    assert HOSTILE_TAIL.replace("<", "&lt;").replace(">", "&gt;") in rendered


def _list(items: int) -> str:
    return "- a\n" * items


def test_markdown_within_the_tag_bound_stays_markdown() -> None:
    # <ul></ul> and <li></li> per item: 2 + 2 * items openings of "<".
    items = (MAX_TAG_OPENINGS - 2) // 2
    rendered = render_message(_list(items), clock=FROZEN)
    assert rendered.count("<li>") == items


def test_markdown_past_the_tag_bound_is_shown_as_typed() -> None:
    # Cleaned past the bound, later tags would show up as text ("<li>a</li>").
    items = MAX_TAG_OPENINGS // 2
    rendered = render_message(_list(items), clock=FROZEN)
    assert "<li>" not in rendered and "&lt;" not in rendered
    assert rendered == "<p>" + "<br>".join(["- a"] * items) + "</p>"


def test_delimiter_runs_up_to_the_bound_keep_the_formatting() -> None:
    rendered = render_message("*" * MAX_DELIMITER_RUN + " **b**", clock=FROZEN)
    assert "<strong>b</strong>" in rendered


@pytest.mark.parametrize("mark", ["*", "_", "~"])
def test_a_longer_delimiter_run_shows_the_message_as_typed(mark: str) -> None:
    run = mark * (MAX_DELIMITER_RUN + 1)
    assert render_message(run + " **b**", clock=FROZEN) == f"<p>{run} **b**</p>"


def test_nesting_up_to_the_parser_limit_is_kept() -> None:
    rendered = render_message("top\n\n" + "> " * 19 + "deep", clock=FROZEN)
    assert rendered.count("<blockquote>") == 19
    assert "deep" in rendered


@pytest.mark.parametrize("nested", ["> " * 20 + "deep", "> " * 200 + "deep", "- " * 10 + "deep", "- " * 40 + "deep"])
def test_past_the_nesting_limit_nothing_typed_is_dropped(nested: str) -> None:
    # markdown-it drops what is nested past maxNesting; the message is shown as typed instead.
    rendered = render_message("top\n\n" + nested, clock=FROZEN)
    assert rendered == "<p>top</p><p>" + nested.replace(">", "&gt;") + "</p>"
