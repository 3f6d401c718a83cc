"""Code highlighting: Pygments with CSS classes (no inline styles), a light and a dark style.

An unknown language is shown escaped, never guessed: guessing is slow and often wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from html import escape

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


_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)


def highlight_code(code: str, language: str) -> str:
    """A code block as Pygments HTML with CSS classes; unknown languages are escaped, not guessed. The
    <pre> is focusable (tabindex=0) so a keyboard can scroll a long line, as WCAG asks."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return f'<div class="highlight"><pre tabindex="0"><code>{escape(code)}</code></pre></div>\n'
    attr = escape(language, quote=True)
    html = highlight(code, lexer, _FORMATTER).replace("<pre>", '<pre tabindex="0">', 1)
    return html.replace('<div class="highlight">', f'<div class="highlight" data-lang="{attr}">', 1)


def pygments_css(light: str = "default", dark: str = "monokai") -> str:
    """Token colours for code: the light style by default, the dark one under the dark theme."""
    light_css = _style_rules(light, ".highlight")
    dark_rules = _style_rules(dark, '[data-theme="dark"] .highlight')
    auto_rules = _style_rules(dark, ':root:not([data-theme="light"]) .highlight')
    return f"{light_css}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{auto_rules}\n}}\n"


def _style_rules(style: str, selector: str) -> str:
    # HtmlFormatter.get_style_defs is unannotated in types-Pygments (Formatter's is `(str) -> str`).
    style_defs: Callable[[str], str] = HtmlFormatter(style=style).get_style_defs
    return style_defs(selector)
