"""Where a link's href is written: `[text](href)`, `[text](<href>)` or a reference definition `[label]: href`,
found from the line and column hubgen's Markdown parser reports. Authoring edits hrefs there; the Markdown
twins of pages (llms) rewrite them there. Linear in the page's lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdurl import decode as url_decode

from hubgen.core.markdown import Link

_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(?:<(?P<angle>[^>]*)>|(?P<plain>\S+))")


def href_span(lines: Sequence[str], link: Link) -> tuple[int, int, int] | None:
    """(line, start, end) of the link's href as written (line from 1, columns from 0, end exclusive), or None
    when it cannot be found."""
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
    for number, line in enumerate(lines, start=1):
        match = _DEFINITION.match(line)
        if match:
            group = "angle" if match.group("angle") is not None else "plain"
            if _same(match.group(group), link.href):
                return number, match.start(group), match.end(group)
    return None


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
