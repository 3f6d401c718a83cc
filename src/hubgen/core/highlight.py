"""Code highlighting: Pygments with CSS classes (no inline styles), a light and a dark style.

An unknown language is shown escaped, never guessed: guessing is slow and often wrong. A fence's info string
may ask for more, as MkDocs and Docusaurus write it: ```` ```python title="neuron.py" {2,4-5} linenos ````
(or `hl_lines="2 4-5"`): a title, highlighted lines and line numbers, all through Pygments' own options.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


@dataclass(frozen=True)
class CodeOptions:
    """What a fence's info string asks for beyond its language."""

    title: str = ""
    hl_lines: tuple[int, ...] = ()  # 1-based, within the block
    linenos: bool = False


_OPTION = re.compile(r"""(\w+)=(?:"([^"]*)"|'([^']*)'|(\S+))|\{([^{}]*)\}|(\S+)""")
_RANGE = re.compile(r"(\d{1,9})(?:-(\d{1,9}))?")


def fence_info(info: str, lines: int) -> tuple[str, CodeOptions]:
    """(language, options) from a fence's info string; line numbers outside the block's `lines` are dropped,
    so `{1-999999999}` costs no more than the block has lines."""
    info = info.strip()
    language = re.split(r"[\s{]", info, maxsplit=1)[0]
    title, ranges, linenos = "", "", False
    for match in _OPTION.finditer(info, len(language)):
        key, braces, word = match.group(1), match.group(5), match.group(6)
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        if key == "title":
            title = value
        elif key == "hl_lines" or braces is not None:
            ranges += " " + (value if key else braces)
        elif key == "linenos" or word == "linenos":
            linenos = key is None or value.lower() not in ("false", "0", "no")
    return language, CodeOptions(title, _line_numbers(ranges, lines), linenos)


def _line_numbers(ranges: str, lines: int) -> tuple[int, ...]:
    """The lines `2,4-5` names, clamped to the block and merged first: the work is linear in the text and
    the block's lines, however many ranges overlap."""
    spans = []
    for match in _RANGE.finditer(ranges):
        first = max(int(match.group(1)), 1)
        last = min(int(match.group(2)) if match.group(2) else first, lines)
        if first <= last:
            spans.append((first, last))
    chosen: list[int] = []
    for first, last in sorted(spans):
        start = max(first, chosen[-1] + 1 if chosen else 1)
        chosen.extend(range(start, last + 1))
    return tuple(chosen)


@lru_cache(maxsize=64)
def _formatter(options: CodeOptions) -> Any:
    extra: dict[str, Any] = {"linenos": "inline"} if options.linenos else {}
    return HtmlFormatter(
        cssclass="highlight", wrapcode=True, hl_lines=list(options.hl_lines), filename=options.title, **extra
    )


_PLAIN = CodeOptions()


def highlight_code(code: str, language: str, options: CodeOptions = _PLAIN) -> str:
    """A code block as Pygments HTML with CSS classes; unknown languages are escaped, not guessed (shown
    as plain text when a title, lines or numbers are asked for). The <pre> is focusable (tabindex=0) so a
    keyboard can scroll a long line, as WCAG asks."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None and options != _PLAIN:
        lexer = _lexer("text")
    if lexer is None:
        return f'<div class="highlight"><pre tabindex="0"><code>{escape(code)}</code></pre></div>\n'
    html = str(highlight(code, lexer, _formatter(options))).replace("<pre>", '<pre tabindex="0">', 1)
    if options.title:  # a block of its own, so search and copy do not run the title into the first line
        html = html.replace('<span class="filename">', '<div class="filename">', 1).replace(
            "</span><pre", "</div><pre", 1
        )
    if not language:
        return html
    attr = escape(language, quote=True)
    return html.replace('<div class="highlight">', f'<div class="highlight" data-lang="{attr}">', 1)


def pygments_css(light: str = "default", dark: str = "monokai") -> str:
    """Token colours for code: the light style by default, the dark one under the dark theme."""
    light_css = _style_rules(light, ".highlight")
    dark_rules = _style_rules(dark, '[data-theme="dark"] .highlight')
    auto_rules = _style_rules(dark, ':root:not([data-theme="light"]) .highlight')
    return f"{light_css}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{auto_rules}\n}}\n"


def _style_rules(style: str, selector: str) -> str:
    """The style's rules under `selector`, and its background as `--code-surface` (what the theme paints a
    scrolled code block's edges with)."""
    formatter = HtmlFormatter(style=style)
    # HtmlFormatter.get_style_defs is unannotated in types-Pygments (Formatter's is `(str) -> str`).
    style_defs: Callable[[str], str] = formatter.get_style_defs
    background = str(formatter.style.background_color or "")
    surface = f"{selector} {{ --code-surface: {background} }}\n" if background.startswith("#") else ""
    return surface + style_defs(selector)
