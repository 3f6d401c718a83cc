"""Inline links, edited where they are written: the href of `[text](href)`, `[text](<href>)` or of a
reference definition `[label]: href` is found from the line and column hubgen's Markdown parser reports.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from hubgen.authoring.textfile import TextFile
from hubgen.core import hrefs
from hubgen.core.markdown import Link


def href_span(file: TextFile, link: Link) -> tuple[int, int, int] | None:
    """(line, start, end) of the link's href as written, or None when it cannot be found."""
    return hrefs.href_span(file.lines, link)


def retarget(file: TextFile, link: Link, from_folder: str, target_rel: str) -> bool:
    """Point the link at `target_rel` (under content/), relative to `from_folder`; keep `?query#fragment`."""
    span = href_span(file, link)
    if span is None:
        return False
    number, start, end = span
    written = file.line(number)[start:end]
    cut = min((i for i in (written.find("#"), written.find("?")) if i >= 0), default=len(written))
    path = posixpath.relpath(target_rel, from_folder or ".")
    if written[:cut].endswith("/"):  # a folder link stays a folder link
        path = posixpath.dirname(path) if posixpath.basename(path) in ("index.md", "README.md") else path
        path = "./" if path in ("", ".") else path.rstrip("/") + "/"
    file.replace(number, start, end, quote(path, safe="/!$&'()*+,;=:@~") + written[cut:])
    return True


def unlink(file: TextFile, link: Link) -> bool:
    """Turn `[text](href)` (or `[text][label]`) into plain `text`."""
    text = file.line(link.line)
    start = link.column - 1
    if text[start : start + 1] == "[":  # a reference-style link: the column is its text's '['
        close = _matching(text, start)
        if close < 0:
            return False
        end = close + 1
        label = re.match(r"\[[^\]]*\]", text[end:])
        end += label.end() if label else 0
        file.replace(link.line, start, end, text[start + 1 : close])
        return True
    if text[start - 2 : start] == "](<":
        start -= 1
    if text[start - 2 : start] != "](":
        return False
    opening = _opening(text, start - 2)
    close = _closing_paren(text, start)
    if opening < 0 or close < 0:
        return False
    file.replace(link.line, opening, close + 1, text[opening + 1 : start - 2])
    return True


def _matching(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "[" and text[index - 1 : index] != "\\":
            depth += 1
        elif text[index] == "]" and text[index - 1 : index] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _opening(text: str, close: int) -> int:
    """The '[' matching the ']' at `close`."""
    depth = 0
    for index in range(close, -1, -1):
        if text[index] == "]":
            depth += 1
        elif text[index] == "[":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _closing_paren(text: str, start: int) -> int:
    """The ')' that ends the link destination (and title) starting at `start`."""
    index, depth, quote_char = start, 0, ""
    while index < len(text):
        char = text[index]
        if quote_char:
            quote_char = "" if char == quote_char else quote_char
        elif char in "\"'" and text[index - 1].isspace():
            quote_char = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return -1
