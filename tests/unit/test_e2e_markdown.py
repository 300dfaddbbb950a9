"""In a server-blind room the sender's page renders the Markdown (static/js/e2e/markdown.js), with the vendored
markdown-it configured as the server's markdown-it-py: cleaned by the server's cleaner, what the page makes is
exactly what the server makes of the same text in a standard room, fallbacks to plain text included.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from ephemeral.markdown import MAX_DELIMITER_RUN, render_message
from ephemeral.sanitize import MAX_TAG_OPENINGS, clean_message
from tests.support.server import ROOT

CORPUS = [
    "plain words",
    "**bold** __bold__ _it_ *it* ~~gone~~ `x<y`",
    "```\n<script>alert(1)</script>\n```",
    "```py\nx = 1\n```",
    "> q\n- a\n- b\n\n1. a\n2. b",
    "a\nb\n\nc",
    "a\r\nb\rc",
    "a\n\n> q\n\n- l\n\n```\nc\n```\n\nb\n",
    "Vec<String> and Option<T>; a<b>c & 'x' \"y\"",
    "<b>bold words</b> <img src=x onerror=alert(1)> <!-- c -->",
    "&amp; &lt;b&gt; &copy; &#169; &#x3C;",
    "# not a heading\n### nor this",
    "title\n===",
    "title\n---",
    "---",
    "***",
    "[a]: https://example.org/\n[a]",
    "<div>block</div>",
    "    four spaces",
    "https://example.org/x and [a link](https://example.org/page) and <https://example.org/>",
    "![a cat](https://example.org/cat.png) ![b](http://example.org/y.png)",
    "![a](http://example.org/y.png)",
    "\\*not em\\*",
    "[x](javascript:alert(1)) [x](JavaScript:alert(1)) [x](<javascript:alert(1)>) [x](&#106;avascript:alert(1))",
    "[x](java%0ascript:alert(1)) [x](vbscript:msgbox(1)) [x](data:text/html,<script>alert(1)</script>)",
    '[x](//evil.example/) [x](/relative/path) [x](https://example.org/ "title" onclick="alert(1)")',
    "<javascript:alert(1)> javascript://example.org/%0aalert(1) ![x](javascript:alert(1))",
    "HTTPS://EXAMPLE.ORG/A mailto:ann@example.org see https://example.org/a_b_c. (https://example.org/x)",
    "**https://example.org/x** www.example.org file.py a.b example.org/path ann@example.org 192.168.0.1",
    "ftp://example.org/f //example.org/x https://",
    "https://example.org/x, file.py, a.b and example.org/path, not bob@example.org",
    ">",
    "-",
    "1.",
    "2)",
    "> > >",
    "- \n- ",
    "",
    "   ",
    "**a** " + "*" * (MAX_DELIMITER_RUN + 1) + " run",
    "**a** " + "_" * MAX_DELIMITER_RUN + " run",
    "**a**\n" + ">" * 25 + " deep",
    "**a**\n\n" + "- " * 12 + "deep",
    "<" * (MAX_TAG_OPENINGS + 5),
    "**a**\n" * (MAX_TAG_OPENINGS // 2 + 1),
    "un café — 東京 🌍 **ünïcödé**",
]

SCRIPT = """
import { toHtml } from "./static/js/e2e/markdown.js";
const cases = JSON.parse(await new Promise((done) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => done(text));
}));
process.stdout.write(JSON.stringify(cases.map((text) => toHtml(text))));
"""


@pytest.fixture(scope="module")
def rendered_by_the_page() -> list[str]:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not on PATH: install Debian's nodejs package (apt-get install nodejs)", pytrace=False)
    run = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT],
        cwd=ROOT,
        input=json.dumps(CORPUS),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    answers: list[str] = json.loads(run.stdout)
    assert len(answers) == len(CORPUS)
    return answers


@pytest.mark.parametrize("index", range(len(CORPUS)), ids=[repr(text[:24]) for text in CORPUS])
def test_the_page_renders_what_the_server_would(rendered_by_the_page: list[str], index: int) -> None:
    assert clean_message(rendered_by_the_page[index]) == render_message(CORPUS[index])
