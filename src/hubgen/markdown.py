"""Markdown: one MarkdownIt instance per process; each body is parsed and rendered once.

`parse_markdown` reads a page body into `ParsedMarkdown`: the links and images it holds with their file
line and column, its headings (GitHub-style ids), the ids raw HTML declares, and its HTML, in which every
URL is a numbered slot. `render_markdown` fills the slots through a resolver once the graph knows what
each link means, so `.md` links become page URLs. Nothing here knows about other pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from hubgen.bodyhtml import (
    RENDER_RULES,
    SLOT,
    SLOT_CLOSE,
    SLOT_OPEN,
    LinkKind,
    Resolver,
    slot_maker,
    without_title,
)
from hubgen.links import decode_url
from hubgen.slugs import Slugger


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str
    line: int


@dataclass(frozen=True)
class Link:
    """A link or image in the body, as written (href decoded from markdown-it's normalised form)."""

    href: str
    kind: LinkKind
    line: int
    column: int
    in_html: bool = False
    alt: str | None = None  # an image's alt text; None when an <img> has no alt attribute at all


@dataclass(frozen=True)
class Question:
    """One question of a page's FAQ section and its answer as plain text."""

    question: str
    answer: str


@dataclass
class ParsedMarkdown:
    """What a page body holds, parsed once: its HTML (rendered at parse time, every URL left as a slot
    that `render_markdown` fills once the graph knows what each link means) and the facts validation
    reads. No tokens are kept: the record is small enough to cache and to send between processes."""

    html: str  # body HTML; each URL is a slot "\x02N\x03", N indexing `urls`
    urls: tuple[tuple[str, LinkKind], ...]  # slot -> (URL as written, link or image)
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    html_ids: frozenset[str]
    excerpt: str
    ignored_lines: dict[int, frozenset[str]]  # line -> codes exempted there (empty set: every code)
    faq: tuple[Question, ...] = ()
    title_id: str = ""  # the id of a leading `# ` heading, left out of the body: the page's <h1> carries it

    @property
    def heading_ids(self) -> frozenset[str]:
        return frozenset(h.id for h in self.headings)

    @property
    def first_h1(self) -> Heading | None:
        return next((h for h in self.headings if h.level == 1), None)


@cache
def markdown_parser(html: bool = True) -> MarkdownIt:
    """CommonMark plus GitHub's tables, strikethrough and autolinks, footnotes, task lists, definition
    lists and admonitions. Built once per process and option set."""
    md = MarkdownIt("commonmark", {"html": html, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(admon_plugin)
    md.core.ruler.after("linkify", "gfm_autolinks", _gfm_autolinks)
    md.linkify = _QuickLinkify(md.linkify)
    for rule, function in RENDER_RULES.items():
        md.add_render_rule(rule, function)
    return md


_GFM_AUTOLINK = re.compile(r"(www\.|[a-z][a-z0-9+.-]*:)", re.IGNORECASE)


class _QuickLinkify:
    """linkify-it behind a substring test: GitHub autolinks only `www.` names, URLs with a scheme and
    e-mail addresses, and text holding none of `www.`, `:` or `@` has none, so the costly regular
    expressions run on few paragraphs (they took a third of `check` on a 1,000-page hub)."""

    def __init__(self, inner: Any) -> None:
        if inner is None:  # markdown-it-py leaves it None when linkify-it-py is missing
            raise RuntimeError("hubgen needs linkify-it-py for GitHub autolinks: pip install 'markdown-it-py[linkify]'")
        self._inner = inner

    def pretest(self, text: str) -> bool:
        return ("www." in text or ":" in text or "@" in text) and bool(self._inner.pretest(text))

    def test(self, text: str) -> bool:
        return ("www." in text or ":" in text or "@" in text) and bool(self._inner.test(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _gfm_autolinks(state: Any) -> None:
    """linkify-it also links bare domain names (`setup.py`, `notes.md`, `example.com`); GitHub autolinks
    only `www.` names, URLs with a scheme and e-mail addresses, and leaves the rest as text."""
    for block in state.tokens:
        children = block.children or []
        drop: set[int] = set()
        for index, token in enumerate(children[:-2]):
            text = children[index + 1]
            if (
                token.type == "link_open"
                and token.markup == "linkify"
                and text.type == "text"
                and not str(token.attrs.get("href", "")).startswith("mailto:")
                and not _GFM_AUTOLINK.match(text.content)
            ):
                drop |= {index, index + 2}
        if drop:
            block.children = [token for index, token in enumerate(children) if index not in drop]


# ------------------------------------------------------------------------------------------------ parse


def parse_markdown(
    body: str, html: bool = True, faq_heading: str = "Common questions", render: bool = True
) -> ParsedMarkdown:
    """Parse a page body. `body` keeps the file's line numbering (front matter lines blanked). Without
    `render` only the facts are kept (`hubgen check` never renders HTML nor highlights code)."""
    body = body.replace(SLOT_OPEN, "\ufffd").replace(SLOT_CLOSE, "\ufffd")  # C0 controls, never valid HTML
    md = markdown_parser(html)
    tokens = md.parse(body)
    lines = body.split("\n")
    headings = _assign_heading_ids(tokens)
    links: list[Link] = []
    html_ids: set[str] = set()
    for token in tokens:
        if token.type == "inline" and token.map:
            links += _inline_links(token, lines)
        elif token.type == "html_block" and token.map:
            found, ids = _html_links(token.content, token.map[0] + 1, lines)
            links += found
            html_ids |= ids
        for child in token.children or ():
            if child.type == "html_inline":
                html_ids |= _html_links(child.content, 1, lines)[1]
    urls: list[tuple[str, LinkKind]] = []
    body_html = md.renderer.render(without_title(tokens), md.options, {"resolve": slot_maker(urls)}) if render else ""
    return ParsedMarkdown(
        html=body_html,
        urls=tuple(urls),
        headings=tuple(headings),
        links=tuple(links),
        html_ids=frozenset(html_ids),
        excerpt=_excerpt(tokens),
        ignored_lines=_ignored_lines(body) if "hubgen-ignore" in body else {},
        faq=_faq(tokens, faq_heading),
        title_id=str(tokens[0].attrs.get("id", "")) if tokens and tokens[0].tag == "h1" else "",
    )


def heading_text(inline: Token) -> str:
    """A heading's text content as a browser's textContent sees it: markup and raw HTML tags dropped."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


_EXPLICIT_ID = re.compile(r"\s*\{\s*#([^\s{}]+)\s*\}\s*$")


def _explicit_id(inline: Token) -> str | None:
    """`## Title {#my-id}`: the id Docusaurus, Hugo and MkDocs (attr_list) take from a heading, removed from
    its text."""
    children = inline.children or []
    last = children[-1] if children else None
    match = _EXPLICIT_ID.search(last.content) if last is not None and last.type == "text" else None
    if last is None or match is None:
        return None
    last.content = last.content[: match.start()]
    inline.content = _EXPLICIT_ID.sub("", inline.content)
    return match.group(1)


def _assign_heading_ids(tokens: list[Token]) -> list[Heading]:
    slugger = Slugger()
    headings = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        explicit = _explicit_id(tokens[index + 1])
        text = heading_text(tokens[index + 1])
        if explicit:
            slugger.reserve(explicit)
        slug = explicit or slugger.slug(text)
        token.attrSet("id", slug)
        line = token.map[0] + 1 if token.map else 1
        headings.append(Heading(int(token.tag[1]), slug, " ".join(text.split()), line))
    return headings


def _inline_links(inline: Token, lines: Sequence[str]) -> list[Link]:
    assert inline.map is not None
    line = inline.map[0] + 1  # a lower bound: a code span or comment can hide line breaks
    last = inline.map[1]
    claimed: dict[int, list[tuple[int, int]]] = {}
    found: list[Link] = []
    children = inline.children or []
    for index, child in enumerate(children):
        following = children[index + 1] if index + 1 < len(children) else None
        label = following.content if following is not None and following.type == "text" else ""
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif (child.type == "link_open" and child.markup != "linkify") or child.type == "image":
            attr = "href" if child.type == "link_open" else "src"
            raw = str(child.attrs.get(attr, ""))
            href = decode_url(raw)
            kind: LinkKind = "link" if child.type == "link_open" else "image"
            alt = heading_text(child) if kind == "image" else None
            if kind == "image":
                label = alt or ""
            needles = [("](" + href, 2), ("](" + raw, 2), ("](<" + href, 3), (href, 0), (raw, 0), ("[" + label, 0)]
            where = _locate(lines, line, last, needles, claimed)
            found.append(Link(href, kind, *where, alt=alt))
        elif child.type == "link_open":  # a bare URL made a link by linkify: find the text as written
            href = str(child.attrs.get("href", ""))
            found.append(Link(href, "link", *_locate(lines, line, last, [(label, 0), (href, 0)], claimed)))
        elif child.type == "html_inline":
            html_links, _ = _html_links(child.content, line, lines, claimed, last)
            found += html_links
        line += child.content.count("\n") if child.type == "html_inline" else 0
    return found


def _locate(
    lines: Sequence[str],
    line: int,
    last: int,
    needles: Sequence[tuple[str, int]],
    claimed: dict[int, list[tuple[int, int]]],
) -> tuple[int, int]:
    """1-based (line, column) of a link: where the first of `needles` (text, offset of the URL in it) is
    found on `line` or, when the line count lags behind, a later line up to `last`; text an earlier link
    on the same line was found in is skipped. Not found: the start of `line`."""
    for number in range(line, min(max(line, last), len(lines)) + 1):
        text = lines[number - 1]
        spans = claimed.setdefault(number, [])
        for needle, offset in needles:
            position = text.find(needle) if needle else -1
            while position >= 0 and any(a < position + len(needle) and position < b for a, b in spans):
                position = text.find(needle, position + 1)
            if position >= 0:
                spans.append((position, position + len(needle)))
                return number, position + offset + 1
    if not 0 < line <= len(lines):
        return line, 1
    return line, len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1


class _TagScanner(HTMLParser):
    """Collects href/src values and id/name anchors of raw HTML, with their line within the snippet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, LinkKind, int, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        line = self.getpos()[0]
        if tag == "a" and "href" in values:
            self.links.append((values["href"], "link", line, None))
        if tag in ("img", "source") and "src" in values:
            self.links.append((values["src"], "image", line, values.get("alt", "" if tag == "source" else None)))
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])

    handle_startendtag = handle_starttag


def html_ids(text: str) -> set[str]:
    """The ids and `<a name>`s an HTML document declares (comments and scripts do not count)."""
    return _html_links(text, 1, [])[1]


def _html_links(
    snippet: str,
    first_line: int,
    lines: Sequence[str],
    claimed: dict[int, list[tuple[int, int]]] | None = None,
    last: int = 0,
) -> tuple[list[Link], set[str]]:
    scanner = _TagScanner()
    scanner.feed(snippet)
    scanner.close()
    claimed = {} if claimed is None else claimed
    links = []
    for href, kind, offset, alt in scanner.links:
        line = first_line + offset - 1
        where = _locate(lines, line, max(line, last), [(href, 0), (escape(href, quote=True), 0)], claimed)
        links.append(Link(decode_url(href), kind, *where, True, alt))
    return links, scanner.ids


_IGNORE = re.compile(r"<!--\s*hubgen-ignore(-next-line)?((?:\s+[a-z-]+)*)\s*-->")


def _ignored_lines(body: str) -> dict[int, frozenset[str]]:
    """`<!-- hubgen-ignore [codes] -->` exempts its own line; `hubgen-ignore-next-line` the next one.
    No codes named: every code."""
    ignored: dict[int, frozenset[str]] = {}
    for match in _IGNORE.finditer(body):
        line = body.count("\n", 0, match.start()) + 1 + (1 if match.group(1) else 0)
        ignored[line] = frozenset(match.group(2).split())
    return ignored


def _excerpt(tokens: list[Token], limit: int = 200) -> str:
    """The first paragraph's text, cut at a word boundary: a summary for pages without one."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            text = " ".join(heading_text(tokens[index + 1]).split())
            if len(text) <= limit:
                return text
            return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


def _faq(tokens: list[Token], faq_heading: str) -> tuple[Question, ...]:
    """The `###` questions under the `##` heading named faq_heading, each with its answer text."""
    questions: list[Question] = []
    inside = False
    current: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            title = " ".join(heading_text(tokens[index + 1]).split())
            inside = title.casefold() == faq_heading.casefold()
            current = None
        elif inside and token.type == "heading_open" and token.tag == "h3":
            question = " ".join(heading_text(tokens[index + 1]).split())
            current = []
            questions.append(Question(question, ""))
        elif inside and current is not None and token.type == "inline" and tokens[index - 1].type != "heading_open":
            current.append(" ".join(heading_text(token).split()))
            questions[-1] = Question(questions[-1].question, " ".join(current))
    return tuple(q for q in questions if q.answer)


# ----------------------------------------------------------------------------------------------- render


def render_markdown(parsed: ParsedMarkdown, resolve: Resolver, html: bool = True) -> str:
    """The body's HTML with every URL slot filled by `resolve` (escaped for an attribute value)."""

    def fill(match: re.Match[str]) -> str:
        digits = match.group(1)
        slot = int(digits) if len(digits) < 10 else len(parsed.urls)
        if slot >= len(parsed.urls):  # only a forged cache record has such a slot: it fills with nothing
            return ""
        raw, kind = parsed.urls[slot]
        url = resolve(raw, kind)
        return escape(raw if url is None else url, quote=True)

    return SLOT.sub(fill, parsed.html) if parsed.urls else parsed.html
