"""Where a link's href is written: `[text](href)`, `[text](<href>)` or a reference definition `[label]: href`,
found from the line and column hubgen's Markdown parser reports. Authoring edits hrefs there; the Markdown
twins of pages (llms) rewrite them there. Linear in the page's lines (`definitions` once per page).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdurl import decode as url_decode

from hubgen.core.markdown import Link

_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(?:<(?P<angle>[^>]*)>|(?P<plain>\S+))")


Span = tuple[int, int, int]  # line (from 1), start and end column (from 0, end exclusive)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def definitions(lines: Sequence[str]) -> dict[str, Span]:
    """Where each reference definition's href is written, by the href as written and as decoded (the first
    definition wins, as in Markdown), outside fenced code. One pass over the page."""
    found: dict[str, Span] = {}
    fence = ""
    for number, line in enumerate(lines, start=1):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        match = _DEFINITION.match(line)
        if match:
            group = "angle" if match.group("angle") is not None else "plain"
            written = match.group(group)
            span = (number, match.start(group), match.end(group))
            found.setdefault(written, span)
            found.setdefault(url_decode(written), span)
    return found


def href_span(lines: Sequence[str], link: Link, defined: dict[str, Span] | None = None) -> Span | None:
    """(line, start, end) of the link's href as written (line from 1, columns from 0, end exclusive), or None
    when it cannot be found. `defined` is `definitions(lines)`, made once for a page with many links."""
    if not 0 < link.line <= len(lines):
        return None
    text = lines[link.line - 1]
    start = link.column - 1
    if text[start : start + 1] == "<":
        end = text.find(">", start)
        if end > start and _same(text[start + 1 : end], link.href):
            return link.line, start + 1, end
    end = _plain_end(text, start)
    if end > start and _same(text[start:end], link.href):
        return link.line, start, end
    return (definitions(lines) if defined is None else defined).get(link.href)


def _plain_end(text: str, start: int) -> int:
    end, depth = start, 0
    while end < len(text) and not text[end].isspace():
        if text[end] == "(":
            depth += 1
        elif text[end] == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return end


def _same(written: str, href: str) -> bool:
    return written == href or url_decode(written) == href
