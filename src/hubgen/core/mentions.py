"""The sentence around a link, as plain text: what a page's "Mentioned in" list quotes of each page that
links to it (as Obsidian and Quartz show backlinks). Linear in the paragraph's length, and capped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

SIDE = 140  # at most this many characters of a sentence on either side of the link
_END = re.compile(r"[.!?…](?=\s)")
_SPACES = re.compile(r"\s+")
_TEXT = ("text", "code_inline", "math_inline")


def link_spans(children: Sequence[Token]) -> tuple[str, dict[int, tuple[int, int]]]:
    """An inline token's plain text (markup dropped, breaks as spaces) and, for each `link_open` child by its
    index, where the link's text starts and ends in it."""
    parts: list[str] = []
    size = 0
    spans: dict[int, tuple[int, int]] = {}
    open_at: list[tuple[int, int]] = []
    for index, child in enumerate(children):
        if child.type in _TEXT:
            parts.append(child.content)
            size += len(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
            size += 1
        elif child.type == "link_open":
            open_at.append((index, size))
        elif child.type == "link_close" and open_at:
            index_open, start = open_at.pop()
            spans[index_open] = (start, size)
    return "".join(parts), spans


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding text[start:end], whitespace folded; cut to SIDE characters either side
    of the link, with an ellipsis where it was cut."""
    window_start = max(0, start - SIDE)
    before = text[window_start:start]
    stops = [m.end() for m in _END.finditer(before)]
    cut_before = not stops and window_start > 0
    head = before[stops[-1] :] if stops else before
    after = text[end : end + SIDE]
    stop = _END.search(after)
    cut_after = stop is None and end + SIDE < len(text)
    tail = after[: stop.end()] if stop else after
    sentence = _SPACES.sub(" ", head + text[start:end] + tail).strip()
    return ("…" if cut_before else "") + sentence + ("…" if cut_after else "")


def internal_candidate(href: str) -> bool:
    """Whether a link may lead to another page of the hub: not a URL with a scheme, nor `//host`."""
    return bool(href) and "://" not in href and not href.startswith(("//", "mailto:", "tel:", "#"))
