"""The stylesheets lay out by the line's direction, so a right-to-left page (Arabic, Persian) comes out mirrored.

No property or value in `static/css` names a physical side: `margin-left` is `margin-inline-start`, `right: 0`
is `inset-inline-end: 0`, `text-align: left` is `text-align: start`, and a four-value `margin` or `padding`
with different sides is split into its `-block` and `-inline` pairs. What has no logical form (a rotation, a
gradient's centre off the middle, a shadow thrown sideways) is drawn again under `:dir(rtl)` for the same
selector, mirrored. Anything else needs a reason in ALLOWED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))

# (file name, selector, property) -> why it stays physical. Only for what CSS gives no logical form and what
# cannot be mirrored under :dir(rtl). Empty today: every rule found a logical form or a mirrored twin.
ALLOWED: dict[tuple[str, str, str], str] = {}

# A property that names a side: left, margin-left, padding-right, border-left-color, border-top-left-radius...
PHYSICAL_PROPERTY = re.compile(r"(?:^|-)(?:left|right)(?:-|$)")
# A value that names a side: text-align: left, float: right, clear: left, background-position: right, "to left".
PHYSICAL_VALUE = re.compile(r"\b(?:left|right)\b")
# Four sides in one value, top right bottom left: different right and left sides are physical.
FOUR_SIDED = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}
# What no logical property can say, and a mirrored twin under :dir(rtl) must.
TURNS = re.compile(r"\b(?:translateX|translate|translate3d|rotate|rotateZ|skew|skewX|scaleX|matrix)\(")
OFF_CENTRE = re.compile(r"\bat\s+(?!50%|center\b)[-\d.]+")


@dataclass(frozen=True, slots=True)
class Declaration:
    sheet: str
    selector: str
    prop: str
    value: str

    def __str__(self) -> str:
        return f"{self.sheet}: {self.selector} {{ {self.prop}: {self.value} }}"


def declarations(path: Path) -> list[Declaration]:
    """Every declaration of a stylesheet with the selector of its rule; @media and @supports are looked into."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    found: list[Declaration] = []
    preludes: list[str] = []
    start = 0
    for match in re.finditer(r"[{}]", text):
        chunk = text[start : match.start()]
        start = match.end()
        if match.group() == "{":
            preludes.append(" ".join(chunk.split()))
            continue
        selector = preludes.pop() if preludes else ""
        if selector.startswith("@") or not chunk.strip():
            continue
        for part in chunk.split(";"):
            if ":" not in part:
                continue
            prop, value = part.split(":", 1)
            found.append(Declaration(path.name, selector, prop.strip().lower(), " ".join(value.split())))
    return found


def values(value: str) -> list[str]:
    """A value's space-separated parts, a function's parentheses kept whole."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in value.replace("!important", "").strip():
        depth += char == "("
        depth -= char == ")"
        if char == " " and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def lopsided_corners(value: str) -> bool:
    """A border-radius whose left corners differ from its right ones (1 to 4 values, each side of a "/")."""
    for half in value.split("/"):
        radii = values(half)
        if len(radii) == 2 and radii[0] != radii[1]:
            return True
        if len(radii) == 3 and len(set(radii)) > 1:
            return True
        if len(radii) == 4 and (radii[0] != radii[1] or radii[2] != radii[3]):
            return True
    return False


def thrown_sideways(value: str) -> bool:
    """A shadow with a horizontal offset."""
    for shadow in re.split(r",(?![^(]*\))", value):
        lengths = [part for part in values(shadow) if re.fullmatch(r"-?[\d.]+[a-z%]*", part)]
        if lengths and float(re.sub(r"[a-z%]+$", "", lengths[0])) != 0:
            return True
    return False


def physical(declaration: Declaration) -> bool:
    prop, value = declaration.prop, declaration.value
    bare = re.sub(r'"[^"]*"|\'[^\']*\'|url\([^)]*\)', "", value)
    if PHYSICAL_PROPERTY.search(prop) or PHYSICAL_VALUE.search(bare):
        return True
    if prop in FOUR_SIDED:
        sides = values(value)
        return len(sides) == 4 and sides[1] != sides[3]
    return prop == "border-radius" and lopsided_corners(value)


def needs_mirror(declaration: Declaration) -> bool:
    prop, value = declaration.prop, declaration.value
    if ":dir(" in declaration.selector:
        return False
    if prop in {"transform", "rotate", "translate"} and (TURNS.search(value) or prop != "transform"):
        return True
    if prop.startswith("background") and OFF_CENTRE.search(value):
        return True
    return prop in {"box-shadow", "text-shadow"} and thrown_sideways(value)


def mirrored(declaration: Declaration, sheet: list[Declaration]) -> bool:
    """Every selector of the rule has a twin under :dir(rtl) in the same sheet that sets the property again."""
    family = declaration.prop.split("-")[0]
    twins = {
        re.sub(r":dir\(rtl\)", "", other.selector)
        for other in sheet
        if ":dir(rtl)" in other.selector and other.prop.split("-")[0] == family
    }
    twin_parts = {part.strip() for twin in twins for part in twin.split(",")}
    return all(part.strip() in twin_parts for part in declaration.selector.split(","))


def offences(sheets: list[Path]) -> list[str]:
    found = []
    for path in sheets:
        sheet = declarations(path)
        for declaration in sheet:
            key = (declaration.sheet, declaration.selector, declaration.prop)
            if key in ALLOWED:
                continue
            if physical(declaration):
                found.append(f"physical: {declaration}")
            elif needs_mirror(declaration) and not mirrored(declaration, sheet):
                found.append(f"not mirrored under :dir(rtl): {declaration}")
    return found


def test_the_stylesheets_are_found_and_read() -> None:
    assert {path.name for path in STYLESHEETS} >= {"app.css", "messages.css", "admin.css"}
    read = [declaration for path in STYLESHEETS for declaration in declarations(path)]
    assert len(read) > 300
    assert any(d.prop == "margin-inline-start" and d.selector == ".message.mine" for d in read)
    # Inside @media too: the phone's people list.
    assert any(d.selector == ".presence.open" and d.prop == "inset-inline-end" for d in read)


def test_no_stylesheet_names_a_physical_side() -> None:
    assert offences(STYLESHEETS) == []


def test_every_allowed_exception_is_still_there() -> None:
    read = {(d.sheet, d.selector, d.prop) for path in STYLESHEETS for d in declarations(path)}
    assert set(ALLOWED) <= read


@pytest.mark.parametrize(
    ("rule", "caught"),
    [
        (".a { margin-left: 2rem; }", True),
        (".a { padding-right: 1rem; }", True),
        (".a { position: absolute; left: 0; }", True),
        (".a { right: .15rem; }", True),
        (".a { text-align: left; }", True),
        (".a { float: right; }", True),
        (".a { clear: left; }", True),
        (".a { border-left: 3px solid red; }", True),
        (".a { border-right-color: red; }", True),
        (".a { border-top-left-radius: 0; }", True),
        (".a { background-position: right 1rem top; }", True),
        (".a { background: linear-gradient(to right, red, blue); }", True),
        (".a { margin: .4rem -2.2rem .2rem 0; }", True),
        (".a { padding: .15rem .2rem .15rem .6rem; }", True),
        (".a { border-width: 0 2px 2px 0; }", True),
        (".a { border-radius: 0 .5rem .5rem 0; }", True),
        ("@media (max-width: 640px) { .a { right: 0; } }", True),
        (".a { transform: translateX(-50%); }", True),
        (".a { transform: rotate(45deg); }", True),
        (".a { background: radial-gradient(circle at 30% 50%, red 0 1px, transparent 2px); }", True),
        (".a { box-shadow: 2px 2px 8px black; }", True),
        (".a { transform: rotate(45deg); } .a:dir(rtl) { transform: rotate(-45deg); }", False),
        (".a::before { transform: rotate(45deg); } .a:dir(rtl)::before { transform: rotate(-45deg); }", False),
        (".a, .b { transform: rotate(45deg); } .a:dir(rtl) { transform: rotate(-45deg); }", True),
        (".a { margin-inline-start: 2rem; padding-inline-end: 1rem; inset-inline-end: 0; }", False),
        (".a { text-align: start; border-inline-start: 3px solid red; border-start-start-radius: 0; }", False),
        (".a { margin: .1rem 0 .35rem; padding: .3rem .75rem .5rem .75rem; border-radius: .5rem .5rem 0 0; }", False),
        (".a { box-shadow: 0 4px 16px rgb(0 0 0 / .3); clip: rect(0 0 0 0); }", False),
        ('.a { content: "left"; font-family: "Right Sans"; }', False),
        (".a { background: radial-gradient(circle at 50% 50%, red, blue); }", False),
    ],
)
def test_what_the_check_catches(tmp_path: Path, rule: str, caught: bool) -> None:
    sheet = tmp_path / "sample.css"
    sheet.write_text(f"/* margin-left in a comment is fine */\n{rule}\n", encoding="utf-8")
    assert bool(offences([sheet])) is caught
