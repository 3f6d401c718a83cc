"""Where each link of a page body is in its file: line and column of the URL the author would change.

markdown-it gives inline tokens no source positions, so `record_positions` wraps the inline rules that
make links: each `link_open`, `image` and `html_inline` token they push gets `meta["at"]`, an offset into
its inline token's content: the destination of an inline link or image (`[text](HERE)`, also when the
text spans lines), the `[` of a reference-style use, the URL of an autolink or bare URL, the `<` of a raw
HTML tag. `SourceMap` turns such an offset into the file's line and column (in code points, from 1).
Everything here is linear in the text: no rule re-reads text it has read.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline.linkify import SCHEME_RE

_LINKED = ("link_open", "image", "html_inline")
_SCHEME_CHAR = re.compile(r"[a-z0-9.+-]", re.IGNORECASE)
_WINDOW = 4096  # characters handed to linkify-it to match one bare URL at (again in full if it fills them)


def record_positions(md: MarkdownIt) -> None:
    """Wrap `md`'s inline link rules so the tokens they push carry their source offset."""
    frames = threading.local()  # per thread: the destination each running link rule parsed first, if any
    parse_destination = md.helpers.parseLinkDestination

    def remember_destination(src: str, pos: int, maximum: int) -> Any:
        destinations = _stack(frames)
        if destinations[-1] is None:
            destinations[-1] = pos
        return parse_destination(src, pos, maximum)

    helpers = SimpleNamespace(**{name: getattr(md.helpers, name) for name in dir(md.helpers)})
    helpers.parseLinkDestination = remember_destination
    md.helpers = helpers  # type: ignore[assignment]  # the helpers module's functions, one replaced
    ruler = md.inline.ruler
    for name, where in (("link", 0), ("image", 1)):
        ruler.at(name, _wrapped(ruler.__rules__[ruler.__find__(name)].fn, where, frames))
    for name, where in (("autolink", 1), ("html_inline", 0)):
        ruler.at(name, _marked(ruler.__rules__[ruler.__find__(name)].fn, where))
    ruler.at("linkify", _linkify)


Rule = Callable[[Any, bool], bool]


def _stack(frames: threading.local) -> list[int | None]:
    stack: list[int | None] = frames.__dict__.setdefault("stack", [None])
    return stack


def _wrapped(rule: Rule, use: int, frames: threading.local) -> Rule:
    """`rule`, marking the first link token it pushes: at its inline destination when it parsed one and the
    link ends with `)`, else `use` characters after where the rule started."""

    def run(state: Any, silent: bool) -> bool:
        start, before = state.pos, len(state.tokens)
        destinations = _stack(frames)
        destinations.append(None)
        try:
            matched = rule(state, silent)
        finally:
            destination = destinations.pop()
        if matched and not silent:
            if destination is not None and state.src[state.pos - 1] == ")":  # an inline link: at its URL
                _mark(state.tokens, before, destination + (state.src[destination] == "<"))
            else:
                _mark(state.tokens, before, start + use)
        return matched

    return run


def _marked(rule: Rule, use: int) -> Rule:
    """`rule` (which parses no destination), marking the first link token it pushes `use` characters after
    where it started."""

    def run(state: Any, silent: bool) -> bool:
        start, before = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            _mark(state.tokens, before, start + use)
        return matched

    return run


def _mark(tokens: list[Any], before: int, offset: int) -> None:
    for token in tokens[before:]:
        if token.type in _LINKED:
            token.meta.setdefault("at", offset)
            return


def _linkify(state: Any, silent: bool) -> bool:
    """markdown-it's rule for bare `scheme://` URLs, without its two quadratic steps: a regular expression
    over all the pending text at each `://`, and a copy of the rest of the paragraph for linkify-it."""
    pos, src = state.pos, state.src
    if not state.md.options.linkify or state.linkLevel > 0 or pos + 3 > state.posMax or src[pos : pos + 3] != "://":
        return False
    pending = state.pending
    run = len(pending)
    while run > 0 and _SCHEME_CHAR.match(pending[run - 1]):
        run -= 1
    match = SCHEME_RE.search(pending[max(run - 1, 0) :]) if run < len(pending) else None
    if match is None:
        return False
    proto = match.group(1)
    begin = pos - len(proto)
    link = state.md.linkify.match_at_start(src[begin : begin + _WINDOW])
    if link is not None and link.last_index >= _WINDOW - 1:
        link = state.md.linkify.match_at_start(src[begin:])
    if link is None:
        return False
    url = link.url.rstrip("*")  # a trailing '*' is emphasis
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token.meta["at"] = begin
        state.push("text", "", 0).content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(proto)
    return True


def note_cuts(md: MarkdownIt) -> None:
    """markdown-it stops reading a block nested deeper than its limit (20 levels: ten nested lists), and a
    list item's block runs to the end of the page: the rest is neither rendered nor checked. Each such cut
    leaves its first line (0-based) in `env["cuts"]`."""
    tokenize, limit = md.block.tokenize, md.options.maxNesting

    def run(state: StateBlock, start: int, end: int) -> None:
        if state.level >= limit:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                state.env.setdefault("cuts", []).append(line)
        tokenize(state, start, end)

    # This one parser's bound method is wrapped; mypy checks the assignment against the unbound `tokenize(self, ...)`.
    md.block.tokenize = run  # type: ignore[method-assign,assignment]


class SourceMap:
    """Offsets into one block's text (an inline token's content, an HTML block) -> file line and column.
    Line k of the text is line `first + k` of the file; its column is found once per line: the text's
    line is the end of the file's line (a paragraph, a quote, a list item) or, in a table cell, the next
    place on that line holding it (`cursors`, shared by the cells of a row, keeps their order)."""

    def __init__(self, text: str, first: int, lines: Sequence[str], cursors: dict[int, int], cell: bool = False):
        self.text, self.first, self.lines, self.cursors, self.cell = text, first, lines, cursors, cell
        self.starts: list[int] = []  # where each line of the text starts, once a position is asked for
        self.bases: dict[int, int] = {}

    def where(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of `offset` in the text."""
        if not self.starts:
            self.starts = [0, *(match.end() for match in re.finditer("\n", self.text))]
        k = bisect_right(self.starts, offset) - 1
        if k not in self.bases:
            self.bases[k] = self._base(k)
        return self.first + k, offset - self.starts[k] + self.bases[k] + 1

    def _base(self, k: int) -> int:
        """Column (0-based) in the file of the text line k's first character."""
        number = self.first + k
        if not 0 < number <= len(self.lines):
            return 0
        end = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.text)
        written = self.text[self.starts[k] : end]
        body = written.lstrip(" \t")
        lead, body = len(written) - len(body), body.rstrip()
        line = self.lines[number - 1]
        if not body:
            return 0
        if not self.cell and line.rstrip().endswith(body):
            return len(line.rstrip()) - len(body) - lead
        found = line.find(body, self.cursors.get(number, 0))
        if found < 0:
            found = max(line.find(body), 0)
        self.cursors[number] = found + len(body)
        return found - lead
