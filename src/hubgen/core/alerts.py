"""GitHub's alerts: a quote whose first line is `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]` or
`[!CAUTION]` is rendered like an admonition (`<div class="admonition note markdown-alert" role="note">`, a
title with an icon); a quote starting with any other `[!KIND]` stays a quote and leaves an `alert-unknown`
note on its first line. One pass over the block tokens, after inline parsing."""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MARKER = re.compile(r"\[!([A-Za-z]+)\]")
_STROKE = 'fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"'
# Small 16x16 icons drawn for hubgen, coloured by the alert's colour (currentColor); hidden from screen
# readers, which announce the title's word.
_ICONS = {
    "note": '<circle cx="8" cy="8" r="6.5"/><path d="M8 7.2v4M8 4.8v.1"/>',
    "tip": '<path d="M5.5 10.5a4.5 4.5 0 1 1 5 0v1.5h-5zM6.5 14h3"/>',
    "important": '<path d="M2 3h12v8H8l-3 3v-3H2zM8 5v3M8 9.6v.1"/>',
    "warning": '<path d="M8 1.8 14.7 13.5H1.3zM8 6v3.6M8 11.6v.1"/>',
    "caution": '<path d="M5.3 1.5h5.4l3.8 3.8v5.4l-3.8 3.8H5.3l-3.8-3.8V5.3zM8 4.8v4M8 11v.1"/>',
}
KINDS = tuple(_ICONS)


def alerts_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("github_alerts", _find_alerts)
    md.add_render_rule("blockquote_open", _render_open)
    md.add_render_rule("blockquote_close", _render_close)


def _find_alerts(state: Any) -> None:
    tokens: list[Token] = state.tokens
    for index, token in enumerate(tokens[:-3]):
        if token.type != "blockquote_open" or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        children = inline.children or []
        marker = _MARKER.fullmatch(children[0].content) if children and children[0].type == "text" else None
        ends_line = len(children) == 1 or children[1].type in ("softbreak", "hardbreak")
        if marker is None or not ends_line:
            continue
        kind = marker.group(1).lower()
        if kind not in _ICONS:
            known = ", ".join(f"[!{k.upper()}]" for k in KINDS)
            hint = f"GitHub's alerts are {known}; without one of them this stays a quote"
            children[0].meta["note"] = ("alert-unknown", f"'{children[0].content}' is not a GitHub alert", hint)
            continue
        token.meta["alert"] = kind
        _closing(tokens, index).meta["alert"] = kind
        inline.children = children[2:]
        if not inline.children:  # `> [!NOTE]` alone on its line, then a blank `>`: no empty paragraph
            tokens[index + 1].hidden = tokens[index + 3].hidden = True


def _closing(tokens: list[Token], start: int) -> Token:
    depth = 0
    for token in tokens[start:]:
        depth += token.nesting if token.type.startswith("blockquote_") else 0
        if depth == 0:
            return token
    return tokens[-1]  # markdown-it always closes what it opens


def _render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    kind = tokens[idx].meta.get("alert")
    if kind is None:
        return str(self.renderToken(tokens, idx, options, env))
    title = kind.capitalize()
    icon = f'<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false" {_STROKE}>{_ICONS[kind]}</svg>'
    return (
        f'<div class="admonition {kind} markdown-alert" role="note" aria-label="{title}">\n'
        f'<p class="admonition-title">{icon}{title}</p>\n'
    )


def _render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    if tokens[idx].meta.get("alert") is None:
        return str(self.renderToken(tokens, idx, options, env))
    return "</div>\n"
