"""The sanitizer contract: what a chat message may carry into innerHTML.

Hostile vectors are checked by re-parsing the output and asserting the
allowlist, so a widened allowlist or a weaker URL rule fails here, not in a
browser.
"""

from __future__ import annotations

import html
import unicodedata
from html.parser import HTMLParser

import pytest

from ephemeral.sanitize import ALLOWED_TAGS, clean_message

# The contract, written out independently of the module under test.
CONTRACT_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small",
        "sub", "sup", "code", "pre", "kbd", "blockquote", "q", "br", "p",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span",
        "a", "img", "video", "audio",
    }
)  # fmt: skip
CONTRACT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "rel"}),
    "img": frozenset({"src", "alt"}),
    "video": frozenset({"src", "controls"}),
    "audio": frozenset({"src", "controls"}),
}
REL = "noopener noreferrer nofollow"
MEDIA = frozenset({"img", "video", "audio"})
VOID = frozenset({"br", "img"})


class _Collect(HTMLParser):
    """Re-parses sanitizer output so assertions see tags and decoded attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.end_tags: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.end_tags.append(tag)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment:{data}")

    def handle_decl(self, decl: str) -> None:
        self.other.append(f"decl:{decl}")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"pi:{data}")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"unknown:{data}")


def _parse(output: str) -> _Collect:
    parser = _Collect()
    parser.feed(output)
    parser.close()
    return parser


def _squash(value: str) -> str:
    """Decode again and drop every char a URL parser or a human eye might skip."""
    decoded = html.unescape(value)
    return "".join(c for c in decoded if not c.isspace() and unicodedata.category(c) not in {"Cc", "Cf", "Zs"}).lower()


def assert_safe(output: str) -> None:
    """Fails if the output holds anything outside the contract."""
    assert "<script" not in output.lower()
    parsed = _parse(output)
    assert parsed.other == []
    for tag in parsed.end_tags:
        assert tag in ALLOWED_TAGS, tag
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        allowed = CONTRACT_ATTRIBUTES.get(tag, frozenset())
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), names
        for name, raw in attrs:
            value = raw or ""
            assert not name.startswith("on"), name
            assert name in allowed, (tag, name)
            squashed = _squash(value)
            for scheme in ("javascript:", "vbscript:", "data:"):
                assert scheme not in squashed, (tag, name, value)
            if name == "href":
                assert squashed.startswith(("http:", "https:", "mailto:")), value
            if name == "src":
                assert tag in MEDIA
                assert squashed.startswith("https://"), value
        if tag == "a":
            assert dict(attrs).get("rel") == REL


JS = "alert(1)"
B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
JS_DEC = "".join(f"&#{ord(c)};" for c in "javascript:")
JS_DEC_PADDED = "".join(f"&#{ord(c):07d}" for c in "javascript:")
JS_HEX_BARE = "".join(f"&#x{ord(c):X}" for c in "javascript")

HOSTILE = [
    # script in many forms
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<ScRiPt>alert(1)</sCrIpT>", id="script-mixed-case"),
    pytest.param('<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>', id="script-src"),
    pytest.param("<script/xss src=https://evil.example/x.js></script>", id="script-slash"),
    pytest.param("<script\n>alert(1)</script\n>", id="script-newline-in-tag"),
    pytest.param("<script>alert(1)", id="script-unclosed"),
    pytest.param("<<script>alert(1);//<</script>", id="script-double-lt"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="script-split"),
    pytest.param('"><script>alert(1)</script>', id="script-attr-breakout"),
    pytest.param("</textarea><script>alert(1)</script>", id="script-after-textarea-close"),
    pytest.param("<!--<script>alert(1)</script>-->", id="script-in-comment"),
    pytest.param("<!--><img src=x onerror=alert(1)>-->", id="abrupt-comment"),
    pytest.param(
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        id="conditional-comment",
    ),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata"),
    pytest.param('<?xml version="1.0"?><img src=x onerror=alert(1)>', id="processing-instruction"),
    pytest.param('<img """><script>alert(1)</script>">', id="img-quote-confusion"),
    pytest.param(
        "<html><head><script>alert(1)</script></head><body onload=alert(1)></body></html>",
        id="full-document",
    ),
    pytest.param("+ADw-script+AD4-alert(1)+ADw-/script+AD4-", id="utf7-text"),
    # event handlers and attribute-name tricks
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param("<img/src=x/onerror=alert(1)>", id="img-slash-separated"),
    pytest.param("<img src=x:alert(alt) onerror=eval(src) alt=0>", id="img-eval-src"),
    pytest.param('<img src="x" o\x00nerror=alert(1)>', id="nul-in-attr-name"),
    pytest.param("<b onclick\t=alert(1)>x</b>", id="tab-before-equals"),
    pytest.param(
        '<a href="https://example.org/"onclick=alert(1)>x</a>',
        id="no-space-before-handler",
    ),
    pytest.param("<b/onclick=alert(1)>x</b>", id="slash-handler"),
    pytest.param(
        '<video controls autoplay src="https://example.org/v.mp4" onplay=alert(1)></video>',
        id="video-onplay",
    ),
    pytest.param("<video><source onerror=alert(1)></video>", id="video-source-onerror"),
    pytest.param("<audio src=x onerror=alert(1)></audio>", id="audio-onerror"),
    pytest.param("<body onload=alert(1)>", id="body-onload"),
    pytest.param("<frameset onload=alert(1)>", id="frameset-onload"),
    pytest.param("<details open ontoggle=alert(1)>x</details>", id="details-ontoggle"),
    pytest.param("<marquee onstart=alert(1)>x</marquee>", id="marquee-onstart"),
    pytest.param("<x onclick=alert(1)>x</x>", id="unknown-tag-handler"),
    pytest.param(
        "<xss contenteditable autofocus onfocus=alert(1)>x</xss>",
        id="contenteditable-onfocus",
    ),
    pytest.param("<custom-element onclick=alert(1)>x</custom-element>", id="custom-element"),
    # javascript: in href
    pytest.param('<a href="javascript:alert(1)">x</a>', id="href-js"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">x</a>', id="href-js-case"),
    pytest.param("<a href=javascript:alert(1)>x</a>", id="href-js-unquoted"),
    pytest.param("<a href='javascript:alert(1)'>x</a>", id="href-js-single-quoted"),
    pytest.param("<a href=`javascript:alert(1)`>x</a>", id="href-js-backticks"),
    pytest.param('<a href=" javascript:alert(1)">x</a>', id="href-js-leading-space"),
    pytest.param('<a href="\x01javascript:alert(1)">x</a>', id="href-js-leading-control"),
    pytest.param('<a href="&#1;javascript:alert(1)">x</a>', id="href-js-leading-control-entity"),
    pytest.param('<a href="\u3000javascript:alert(1)">x</a>', id="href-js-ideographic-space"),
    pytest.param('<a href="\ufeffjavascript:alert(1)">x</a>', id="href-js-bom"),
    pytest.param('<a href="jav\tascript:alert(1)">x</a>', id="href-js-raw-tab"),
    pytest.param('<a href="jav\nascript:alert(1)">x</a>', id="href-js-raw-newline"),
    pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="href-js-hex-tab"),
    pytest.param('<a href="jav&#x0A;ascript:alert(1)">x</a>', id="href-js-hex-newline"),
    pytest.param('<a href="jav&#x0D;ascript:alert(1)">x</a>', id="href-js-hex-cr"),
    pytest.param('<a href="java&Tab;script:alert(1)">x</a>', id="href-js-named-tab"),
    pytest.param('<a href="java&NewLine;script:alert(1)">x</a>', id="href-js-named-newline"),
    pytest.param('<a href="java\x00script:alert(1)">x</a>', id="href-js-nul"),
    pytest.param('<a href="java\u200bscript:alert(1)">x</a>', id="href-js-zero-width"),
    pytest.param('<a href="\u200bjavascript:alert(1)">x</a>', id="href-js-leading-zero-width"),
    pytest.param('<a href="java&#173;script:alert(1)">x</a>', id="href-js-soft-hyphen"),
    pytest.param(f'<a href="{JS_DEC}alert(1)">x</a>', id="href-js-decimal-entities"),
    pytest.param(
        f'<a href="{JS_DEC_PADDED}alert(1)">x</a>',
        id="href-js-padded-decimal-no-semicolon",
    ),
    pytest.param(f'<a href="{JS_HEX_BARE}&#x3A;alert(1)">x</a>', id="href-js-hex-no-semicolon"),
    pytest.param('<a href="&#x6a;avascript:alert(1)">x</a>', id="href-js-first-char-entity"),
    pytest.param('<a href="javascript&colon;alert(1)">x</a>', id="href-js-named-colon"),
    pytest.param(
        '<a href="javascript&#58alert(1)">x</a>',
        id="href-js-decimal-colon-no-semicolon",
    ),
    pytest.param('<a href="javascript&#x3Aalert(1)">x</a>', id="href-js-hex-colon-no-semicolon"),
    pytest.param('<a href="javascript://%0Aalert(1)">x</a>', id="href-js-comment-newline"),
    pytest.param(
        '<a href="javascript:alert(1)//https://example.org/">x</a>',
        id="href-js-with-https-tail",
    ),
    pytest.param(
        '<a href="https://example.org/" href="javascript:alert(1)">x</a>',
        id="href-duplicate",
    ),
    pytest.param(
        '<a href="%6A%61%76%61%73%63%72%69%70%74:alert(1)">x</a>',
        id="href-percent-scheme",
    ),
    pytest.param('<a href="vbscript:msgbox(1)">x</a>', id="href-vbscript"),
    pytest.param('<a href="VBScript:msgbox(1)">x</a>', id="href-vbscript-case"),
    pytest.param(f'<a href="data:text/html;base64,{B64_SCRIPT}">x</a>', id="href-data-base64"),
    pytest.param(
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        id="href-data-inline",
    ),
    pytest.param('<a href="DaTa:text/html,alert(1)">x</a>', id="href-data-case"),
    pytest.param('<a href="&#100;ata:text/html,alert(1)">x</a>', id="href-data-entity"),
    pytest.param(
        '<a href="data:text/html;charset=utf-7,+ADw-script+AD4-">x</a>',
        id="href-data-utf7",
    ),
    pytest.param('<a href="file:///etc/passwd">x</a>', id="href-file"),
    pytest.param('<a href="/relative">x</a>', id="href-relative"),
    pytest.param('<a href="//evil.example/">x</a>', id="href-protocol-relative"),
    pytest.param('<a href="#top">x</a>', id="href-fragment"),
    pytest.param('<a xlink:href="javascript:alert(1)">x</a>', id="href-xlink"),
    pytest.param(
        '<a href="https://example.org/" rel="opener" target="_blank">x</a>',
        id="href-rel-opener",
    ),
    pytest.param(
        '<a href="https://example.org/" ping="https://evil.example/" download>x</a>',
        id="href-ping-download",
    ),
    # src on media: schemes, obfuscation, and the https-only rule
    pytest.param('<img src="javascript:alert(1)">', id="img-js"),
    pytest.param('<img src="JAVASCRIPT:alert(1)">', id="img-js-case"),
    pytest.param('<img src="jav&#x09;ascript:alert(1)">', id="img-js-hex-tab"),
    pytest.param('<img src="vbscript:msgbox(1)">', id="img-vbscript"),
    pytest.param(
        '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
        id="img-data-svg",
    ),
    pytest.param('<img src="data:image/png;base64,iVBORw0KGgo=">', id="img-data-png"),
    pytest.param('<img src="http://example.org/a.png">', id="img-http"),
    pytest.param('<img src=" http://example.org/a.png">', id="img-http-leading-space"),
    pytest.param('<img src="HTTP://example.org/a.png">', id="img-http-upper"),
    pytest.param('<img src="&#x68;ttp://example.org/a.png">', id="img-http-entity"),
    pytest.param('<img src="http&#x3A;//example.org/a.png">', id="img-http-entity-colon"),
    pytest.param('<img src="//evil.example/a.png">', id="img-protocol-relative"),
    pytest.param('<img src="/a.png">', id="img-relative"),
    pytest.param('<img src="mailto:a@example.org">', id="img-mailto"),
    pytest.param('<img src="https:evil.example/a.png">', id="img-https-no-slashes"),
    pytest.param('<img srcset="javascript:alert(1) 1x">', id="img-srcset-js"),
    pytest.param(
        '<img src="https://example.org/a.png" srcset="https://evil.example/ 2x">',
        id="img-srcset",
    ),
    pytest.param(
        '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
        id="img-dynsrc-lowsrc",
    ),
    pytest.param(
        '<img src="https://example.org/a.png" style="position:fixed;inset:0;width:100%">',
        id="img-overlay-style",
    ),
    pytest.param('<video src="javascript:alert(1)" controls></video>', id="video-js"),
    pytest.param('<video src="http://example.org/v.mp4" controls></video>', id="video-http"),
    pytest.param(
        '<video src="https://example.org/v.mp4" poster="javascript:alert(1)"></video>',
        id="video-poster",
    ),
    pytest.param('<video><source src="javascript:alert(1)"></video>', id="video-source-js"),
    pytest.param('<audio src="data:audio/wav;base64,UklGRg==" controls></audio>', id="audio-data"),
    pytest.param('<audio src="http://example.org/a.mp3" controls></audio>', id="audio-http"),
    # svg / math namespace confusion
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        id="svg-a-xlink",
    ),
    pytest.param(
        "<svg><animate attributeName=href values=javascript:alert(1) /></svg>",
        id="svg-animate-href",
    ),
    pytest.param(
        '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
        id="svg-set-handler",
    ),
    pytest.param('<svg><image href="javascript:alert(1)"/></svg>', id="svg-image-href"),
    pytest.param(
        "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
        id="svg-foreignobject",
    ),
    pytest.param("<svg><style><img src=x onerror=alert(1)></style></svg>", id="svg-style-img"),
    pytest.param(
        "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
        id="svg-p-style",
    ),
    pytest.param('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', id="math-mi-xlink"),
    pytest.param('<math href="javascript:alert(1)">x</math>', id="math-href"),
    pytest.param(
        "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
        id="math-maction",
    ),
    # mXSS from real sanitizer advisories
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        id="dompurify-mglyph-style",
    ),
    pytest.param(
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
        id="dompurify-svg-p-style",
    ),
    pytest.param(
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        id="dompurify-nested-form",
    ),
    pytest.param(
        "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext>"
        '<style><a title="</style><img src onerror=alert(1)>"></style></h1>',
        id="dompurify-h1-mglyph",
    ),
    pytest.param(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        id="noscript-title",
    ),
    pytest.param(
        "<noscript><style></noscript><img src=x onerror=alert(1)>",
        id="bleach-noscript-style",
    ),
    pytest.param("<math><style><img src=x onerror=alert(1)>", id="bleach-math-style"),
    pytest.param(
        "<math></p><style><!--</style><img src/onerror=alert(1)>",
        id="bleach-math-comment",
    ),
    pytest.param(
        "<option><iframe></select><b><script>alert(1)</script>",
        id="sanitize-html-option",
    ),
    pytest.param("<textarea><img src=x onerror=alert(1)></textarea>", id="textarea-img"),
    pytest.param("<title><img src=x onerror=alert(1)></title>", id="title-img"),
    pytest.param("<style><img src=x onerror=alert(1)></style>", id="style-img"),
    pytest.param("<template><img src=x onerror=alert(1)></template>", id="template-img"),
    pytest.param("<template><script>alert(1)</script></template>", id="template-script"),
    pytest.param("<xmp><img src=x onerror=alert(1)></xmp>", id="xmp-img"),
    pytest.param("<noembed><img src=x onerror=alert(1)></noembed>", id="noembed-img"),
    pytest.param("<noframes><img src=x onerror=alert(1)></noframes>", id="noframes-img"),
    pytest.param("<plaintext><img src=x onerror=alert(1)>", id="plaintext-img"),
    pytest.param('<p title="</p><img src=x onerror=alert(1)>">x</p>', id="markup-in-title"),
    # document-level and active elements
    pytest.param('<base href="javascript:alert(1)//">', id="base-js"),
    pytest.param('<base href="https://evil.example/">', id="base-https"),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        id="meta-refresh-js",
    ),
    pytest.param(
        f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{B64_SCRIPT}">',
        id="meta-refresh-data",
    ),
    pytest.param('<link rel="stylesheet" href="javascript:alert(1)">', id="link-stylesheet"),
    pytest.param('<link rel="import" href="https://evil.example/x.html">', id="link-import"),
    pytest.param(
        '<form action="javascript:alert(1)"><input type="submit"></form>',
        id="form-action",
    ),
    pytest.param(
        '<form><button formaction="javascript:alert(1)">x</button></form>',
        id="button-formaction",
    ),
    pytest.param("<input type=image src=x onerror=alert(1)>", id="input-image"),
    pytest.param("<input autofocus onfocus=alert(1)>", id="input-autofocus"),
    pytest.param("<isindex action=javascript:alert(1) type=image>", id="isindex"),
    pytest.param(
        "<select><option>x</option></select><keygen autofocus onfocus=alert(1)>",
        id="select-keygen",
    ),
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', id="iframe-src"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="iframe-srcdoc"),
    pytest.param(
        '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
        id="iframe-srcdoc-escaped",
    ),
    pytest.param('<object data="javascript:alert(1)"></object>', id="object-js"),
    pytest.param(f'<object data="data:text/html;base64,{B64_SCRIPT}"></object>', id="object-data"),
    pytest.param('<embed src="javascript:alert(1)">', id="embed-js"),
    pytest.param(
        '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
        id="embed-data",
    ),
    pytest.param('<applet code="Evil.class"><img src=x onerror=alert(1)></applet>', id="applet"),
    pytest.param(
        '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
        id="table-background",
    ),
    pytest.param('<q cite="javascript:alert(1)">x</q>', id="q-cite"),
    pytest.param('<blockquote cite="javascript:alert(1)">x</blockquote>', id="blockquote-cite"),
    pytest.param(
        '<del cite="javascript:alert(1)">x</del><ins cite="javascript:alert(1)">y</ins>',
        id="del-ins-cite",
    ),
    # style: attributes and sheets
    pytest.param('<div style="background:url(javascript:alert(1))">x</div>', id="style-url-js"),
    pytest.param('<span style="width: expression(alert(1))">x</span>', id="style-expression"),
    pytest.param('<p style="behavior: url(x.htc)">x</p>', id="style-behavior"),
    pytest.param(
        '<b style="-moz-binding:url(https://evil.example/x.xml#x)">x</b>',
        id="style-moz-binding",
    ),
    pytest.param("<style>@import 'https://evil.example/x.css';</style>", id="style-import"),
    pytest.param('<style>@import "javascript:alert(1)";</style>', id="style-import-js"),
    pytest.param('<style>b{background:url("javascript:alert(1)")}</style>', id="style-sheet-url"),
    pytest.param(
        '<span class="admin-badge" id="system" data-x="1" aria-label="y">x</span>',
        id="class-id-data",
    ),
    pytest.param('<b title="x" lang="en" dir="rtl">x</b>', id="generic-attributes"),
]

# Every allowed tag with event handlers, because nh3's handler removal is the
# allowlist, not a blocklist of "on*".
HOSTILE += [
    pytest.param(
        f"<{tag} onclick=alert(1) onmouseover='alert(1)' ONERROR=alert(1)>x</{tag}>",
        id=f"handlers-on-{tag}",
    )
    for tag in sorted(CONTRACT_TAGS)
]


def test_allowlist_is_the_contract() -> None:
    assert ALLOWED_TAGS == CONTRACT_TAGS


def test_hostile_table_is_large() -> None:
    assert len(HOSTILE) >= 70


@pytest.mark.parametrize("vector", HOSTILE)
def test_hostile_input_is_neutralised(vector: str) -> None:
    output = clean_message(vector)
    assert_safe(output)


@pytest.mark.parametrize("vector", HOSTILE)
def test_output_is_a_fixed_point(vector: str) -> None:
    # Mutation XSS lives in output that re-parses into something else.
    output = clean_message(vector)
    assert clean_message(output) == output


DROPPED_WITH_CONTENT = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<script type='module'>alert(1)</script>", id="script-module"),
    pytest.param("<style>alert(1)</style>", id="style"),
    pytest.param("<template>alert(1)</template>", id="template"),
    pytest.param("<noscript>alert(1)</noscript>", id="noscript"),
    pytest.param("<iframe>alert(1)</iframe>", id="iframe"),
    pytest.param("<title>alert(1)</title>", id="title"),
    pytest.param("<textarea>alert(1)</textarea>", id="textarea"),
    pytest.param("<xmp>alert(1)</xmp>", id="xmp"),
    pytest.param("<noembed>alert(1)</noembed>", id="noembed"),
    pytest.param("<noframes>alert(1)</noframes>", id="noframes"),
    pytest.param("<plaintext>alert(1)", id="plaintext"),
    pytest.param("<object>alert(1)</object>", id="object"),
    pytest.param("<select><option>alert(1)</option></select>", id="select"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param("<svg><text>alert(1)</text></svg>", id="svg-text"),
    pytest.param("<math><mi>alert(1)</mi></math>", id="math"),
    pytest.param("<b>ok</b><script>alert(1)</script><i>ok</i>", id="script-between-tags"),
]


@pytest.mark.parametrize("vector", DROPPED_WITH_CONTENT)
def test_raw_text_content_is_dropped_not_shown(vector: str) -> None:
    output = clean_message(vector)
    assert_safe(output)
    assert JS not in output
    assert "alert" not in html.unescape(output)


ALLOWED = [
    *(
        pytest.param(f"<{tag}>x</{tag}>", f"<{tag}>x</{tag}>", id=f"keeps-{tag}")
        for tag in sorted(CONTRACT_TAGS - MEDIA - VOID - {"a"})
    ),
    pytest.param("a<br>b", "a<br>b", id="keeps-br"),
    pytest.param("<B>x</B><EM>y</EM>", "<b>x</b><em>y</em>", id="lowercases-tags"),
    pytest.param(
        '<a href="https://example.org/">x</a>',
        f'<a href="https://example.org/" rel="{REL}">x</a>',
        id="https-link-gets-rel",
    ),
    pytest.param(
        '<a href="http://example.org/">x</a>',
        f'<a href="http://example.org/" rel="{REL}">x</a>',
        id="http-link-allowed",
    ),
    pytest.param(
        '<a href="mailto:a@example.org">mail</a>',
        f'<a href="mailto:a@example.org" rel="{REL}">mail</a>',
        id="mailto-link",
    ),
    pytest.param(
        '<a href="https://example.org/" rel="opener" target="_blank">x</a>',
        f'<a href="https://example.org/" rel="{REL}">x</a>',
        id="rel-is-forced",
    ),
    pytest.param('<a href="/local">x</a>', f'<a rel="{REL}">x</a>', id="relative-href-stripped"),
    pytest.param(
        '<a href="https://example.org/?a=1&amp;b=2">x</a>',
        f'<a href="https://example.org/?a=1&amp;b=2" rel="{REL}">x</a>',
        id="query-ampersand",
    ),
    pytest.param(
        '<img src="https://example.org/a.png" alt="a">',
        '<img src="https://example.org/a.png" alt="a">',
        id="https-img",
    ),
    pytest.param(
        '<img src=" HTTPS://example.org/a.png">',
        '<img src=" HTTPS://example.org/a.png">',
        id="https-img-as-browser-reads-it",
    ),
    pytest.param(
        '<img src="http://example.org/a.png" alt="a">',
        '<img alt="a">',
        id="http-img-loses-src",
    ),
    pytest.param(
        '<img src="https://example.org/a.png" width="9999" height="9999">',
        '<img src="https://example.org/a.png">',
        id="img-size-dropped",
    ),
    pytest.param(
        '<video src="https://example.org/v.mp4" controls></video>',
        '<video src="https://example.org/v.mp4" controls=""></video>',
        id="https-video",
    ),
    pytest.param(
        '<audio src="https://example.org/a.mp3" controls></audio>',
        '<audio src="https://example.org/a.mp3" controls=""></audio>',
        id="https-audio",
    ),
    pytest.param(
        "<ul><li>a<ol><li>b</li></ol></li><li>c</li></ul>",
        "<ul><li>a<ol><li>b</li></ol></li><li>c</li></ul>",
        id="nested-lists",
    ),
    pytest.param(
        "<blockquote><p><b><i>x</i></b></p></blockquote>",
        "<blockquote><p><b><i>x</i></b></p></blockquote>",
        id="nested-formatting",
    ),
    pytest.param("<pre>a\n  b</pre>", "<pre>a\n  b</pre>", id="pre-keeps-spacing"),
    pytest.param("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d", id="plain-text-escaped"),
    pytest.param("&lt;b&gt;x&lt;/b&gt;", "&lt;b&gt;x&lt;/b&gt;", id="escaped-stays-escaped"),
    pytest.param("<b>x", "<b>x</b>", id="unclosed-is-closed"),
    pytest.param("line1\nline2\n\nline4", "line1\nline2\n\nline4", id="newlines-kept"),
    pytest.param("a\r\nb", "a\nb", id="crlf-normalised"),
    pytest.param("", "", id="empty"),
    pytest.param("שלום עולם مرحبا", "שלום עולם مرحبا", id="rtl"),
    pytest.param("\u202eevil\u202c", "\u202eevil\u202c", id="bidi-controls"),
    pytest.param(
        "👩\u200d👩\u200d👧 🏳\ufe0f\u200d🌈",
        "👩\u200d👩\u200d👧 🏳\ufe0f\u200d🌈",
        id="emoji-zwj",
    ),
    pytest.param(
        "e\u0301 Z\u0324\u0354\u0367\u0311",
        "e\u0301 Z\u0324\u0354\u0367\u0311",
        id="combining",
    ),
    pytest.param("a\x00b<b>\x00</b>", "ab<b></b>", id="nul-removed"),
    pytest.param("a\ud800b", "a\ufffdb", id="lone-high-surrogate"),
    pytest.param("\udc00<b>x</b>", "\ufffd<b>x</b>", id="lone-low-surrogate"),
    pytest.param("\ud83d\ude00", "\U0001f600", id="split-surrogate-pair"),
]


@pytest.mark.parametrize(("given", "expected"), ALLOWED)
def test_allowed_formatting_survives(given: str, expected: str) -> None:
    output = clean_message(given)
    assert output == expected
    assert_safe(output)


def test_plain_text_renders_the_same() -> None:
    text = "if a < b && c > d { return \"x\" } 'quoted' & done"
    assert html.unescape(clean_message(text)) == text


def _fill(unit: str, size: int = 4000) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# Deep nesting is html5ever's slow path (roughly quadratic in depth), so the
# long-message cases include it alongside the mixed vectors.
LONG = [
    pytest.param(_fill("".join(str(p.values[0]) for p in HOSTILE)), id="mixed-vectors"),
    pytest.param(_fill("<ul>"), id="nested-ul"),
    pytest.param(_fill("<ol><li>"), id="nested-ol-li"),
    pytest.param(_fill("<div>"), id="nested-div"),
    pytest.param(_fill("<svg><math>"), id="nested-foreign"),
    pytest.param(_fill('<a href="javascript:alert(1)">'), id="nested-js-links"),
    pytest.param(_fill("&"), id="ampersands"),
]


@pytest.mark.parametrize("blob", LONG)
def test_long_hostile_message_cleans(blob: str) -> None:
    assert len(blob) == 4000
    output = clean_message(blob + "\ud800")
    assert_safe(output)
