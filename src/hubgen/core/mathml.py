"""Math as GitHub writes it: inline `$…$`, display `$$…$$` and ```` ```math ```` fences, turned into MathML
at parse time (latex2mathml), so a page needs no JavaScript and no network to show a formula.

What is math follows GitHub: a `$` followed by a space or preceded by a digit does not open (`$5 and $10`
stays text), `\\$` is a dollar, and code spans and blocks are never read as math. Each formula becomes
`<math alttext="TeX"><semantics>…<annotation encoding="application/x-tex">TeX</annotation></semantics></math>`,
marked `data-pagefind-ignore` so search indexes the words around it, not its MathML. A TeX the converter
rejects (or one longer than `MAX_TEX`, or nesting deeper than `MAX_DEPTH`) leaves a `math-syntax` note on
its token and is shown as code; the work per formula is bounded by those two limits.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

MAX_TEX = 4000  # characters in one formula: converting that many takes ~30 ms
MAX_DEPTH = 100  # nested groups ({…}, \left…\right): latex2mathml recurses once per level
MATH_TYPES = ("math_inline", "math_inline_double", "math_block")
_UNKNOWN_COMMAND = re.compile(r"<mi>(\\[A-Za-z]+)</mi>")
_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])")


def math_plugin(md: MarkdownIt) -> None:
    """`$…$`, `$$…$$` with GitHub's rules, each formula converted once the inline pass is done (so `check`
    sees the same errors `build` does); the render rules write the MathML kept on the token."""
    dollarmath_plugin(
        md, allow_labels=False, allow_space=False, allow_digits=False, allow_blank_lines=False, double_inline=True
    )
    ruler = md.inline.ruler
    ruler.at("math_inline", _marked(ruler.__rules__[ruler.__find__("math_inline")].fn))
    md.core.ruler.push("math_convert", _convert_all)
    for name in MATH_TYPES:
        md.add_render_rule(name, _render_math)


def _marked(rule: Any) -> Any:
    """The inline math rule, plus GitHub's other inline form, $`…`$; refusing a formula that runs into a
    code span (code binds tighter: `$5 and `$x$`` is no formula), and leaving on its token the offset of its
    first `$` (`meta["at"]`)."""

    def run(state: Any, silent: bool) -> bool:
        start = state.pos
        if state.src.startswith("$`", start):
            return _backtick_math(state, silent)
        matched: bool = rule(state, True)
        end, state.pos = state.pos, start
        if not matched or "`" in state.src[start:end]:
            return False
        if silent:
            state.pos = end
            return True
        rule(state, False)
        state.tokens[-1].meta["at"] = start
        return True

    return run


def _backtick_math(state: Any, silent: bool) -> bool:
    """$`\\sqrt{3}`$: the TeX runs to the next backtick, which a `$` must follow (linear: one look ahead)."""
    start = state.pos
    end = state.src.find("`", start + 2, state.posMax)
    if end <= start + 2 or state.src[end + 1 : end + 2] != "$":
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[start + 2 : end]
        token.markup = "$`"
        token.meta["at"] = start
    state.pos = end + 2
    return True


def is_math_fence(token: Token) -> bool:
    return token.type == "fence" and token.info.strip().split(maxsplit=1)[:1] == ["math"]


def _convert_all(state: Any) -> None:
    """Convert every formula of the page: its MathML, or the reason it has none, goes to `meta`."""
    for token in state.tokens:
        if token.type == "math_block" or is_math_fence(token):
            _convert_token(token, display=True)
        elif token.type == "inline" and "$" in token.content:
            for child in token.children or ():
                if child.type in MATH_TYPES:
                    _convert_token(child, display=child.type != "math_inline")


def _convert_token(token: Token, display: bool) -> None:
    mathml, problem = convert(token.content.strip(), display, token.type != "math_inline_double")
    token.meta["mathml"] = mathml
    if problem:
        hint = "fix the TeX (the page shows it as code until then); a dollar sign that is not math is written \\$"
        token.meta["note"] = ("math-syntax", problem, hint)


@lru_cache(maxsize=2048)
def convert(tex: str, display: bool, block: bool = True) -> tuple[str, str]:
    """(HTML, problem): a formula's MathML, or when the converter rejects it its source as code and why. A
    display formula is wrapped in a scrollable box: a <div>, or inside a paragraph (`block` false) a <span>."""
    problem = _too_big(tex)
    if not problem:
        try:
            from latex2mathml.converter import convert as to_mathml  # imported on first use: 40 ms

            mathml = to_mathml(tex, display="block" if display else "inline")
        except RecursionError:
            problem = f"the formula nests deeper than {MAX_DEPTH} levels"
        except Exception as error:  # a foreign parser on author input: any failure is the formula's
            problem = _reason(error)
        else:
            unknown = _UNKNOWN_COMMAND.search(mathml)
            if unknown is None:
                return _with_source(mathml, tex, display, block), ""
            problem = f"`{unknown.group(1)}` is not a TeX command the converter knows"
    source = f'<code class="math-source">{escape(tex)}</code>'
    shown = f'<pre class="math-source" tabindex="0">{source}</pre>\n' if display and block else source
    return shown, problem


def _too_big(tex: str) -> str:
    if len(tex) > MAX_TEX:
        return f"the formula is {len(tex):,} characters long; hubgen converts formulas of up to {MAX_TEX:,}"
    depth = deepest = 0
    for character in tex:
        if character == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif character == "}":
            depth -= 1
    if deepest > MAX_DEPTH or tex.count("\\left") > MAX_DEPTH:
        return f"the formula nests deeper than {MAX_DEPTH} levels"
    return ""


_REASONS = {
    "NoAvailableTokensError": "a command or group is missing what follows it (`\\sqrt` alone, an unclosed `{`)",
    "MissingSuperScriptOrSubscriptError": "a `^` or `_` has nothing after it",
    "DoubleSubscriptsError": "two subscripts in a row (write `a_{b_c}`)",
    "DoubleSuperscriptsError": "two superscripts in a row (write `a^{b^c}`)",
    "ExtraLeftOrMissingRightError": "a `\\left` has no `\\right`",
    "MissingEndError": "a `\\begin` has no `\\end`",
}


def _reason(error: Exception) -> str:
    """latex2mathml's exceptions carry no message: their class names say what is wrong."""
    name = type(error).__name__
    if name in _REASONS:
        return f"TeX the converter cannot read: {_REASONS[name]}"
    words = _WORDS.sub(" ", name.removesuffix("Error")).lower()
    detail = str(error).strip()
    return f"TeX the converter cannot read ({words}{': ' + detail[:80] if detail else ''})"


def _with_source(mathml: str, tex: str, display: bool, block: bool) -> str:
    """latex2mathml's `<math>` with the TeX as alttext and as a `<semantics>` annotation."""
    start = mathml.index(">") + 1
    inner = mathml[start : mathml.rindex("</math>")]
    source = escape(tex, quote=True)
    mode = "block" if display else "inline"
    opening = (
        f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{mode}" alttext="{source}" data-pagefind-ignore>'
    )
    if not (inner.startswith("<mrow>") and inner.endswith("</mrow>")):  # <semantics> shows its first child
        inner = f"<mrow>{inner}</mrow>"
    semantics = f'<semantics>{inner}<annotation encoding="application/x-tex">{source}</annotation>'
    html = f"{opening}{semantics}</semantics></math>"
    if not display:
        return html
    return (
        f'<div class="math-display" tabindex="0">{html}</div>\n'
        if block
        else f'<span class="math-display">{html}</span>'
    )


def _render_math(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    html = token.meta.get("mathml")
    if html is None:  # a token no conversion saw (it cannot happen through parse_markdown)
        html, _ = convert(token.content.strip(), token.type != "math_inline", token.type == "math_block")
    return str(html)
