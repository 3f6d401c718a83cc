"""Markdown: one MarkdownIt instance per process; each body is parsed and rendered once.

`parse_markdown` reads a page body into `ParsedMarkdown`: the links and images it holds with their file
line and column, its headings (GitHub-style ids), the ids raw HTML declares, and its HTML, in which every
URL is a numbered slot. `render_markdown` fills the slots through a resolver once the graph knows what
each link means, so `.md` links become page URLs. Nothing here knows about other pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from html import escape
from html.parser import HTMLParser, attrfind_tolerant, tagfind_tolerant  # type: ignore[attr-defined]
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from hubgen.core.alerts import alerts_plugin
from hubgen.core.bodyhtml import (
    RENDER_RULES,
    SLOT,
    SLOT_CLOSE,
    SLOT_OPEN,
    LinkKind,
    Measure,
    Resolver,
    slot_maker,
    srcset_urls,
    without_title,
)
from hubgen.core.bodynotes import Note, block_note, inline_notes
from hubgen.core.figures import figures_plugin
from hubgen.core.links import decode_url
from hubgen.core.mathml import math_plugin
from hubgen.core.mentions import internal_candidate, link_spans, sentence_around
from hubgen.core.positions import SourceMap, note_cuts, record_positions
from hubgen.core.slugs import Slugger


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
    context: str = ""  # of a link that may lead to another page: the sentence around it (`mentions`)


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
    cuts: tuple[int, ...] = ()  # lines where markdown-it stopped reading a block nested too deep
    notes: tuple[Note, ...] = ()  # problems in the body itself: rejected formulas, unknown alerts

    @property
    def heading_ids(self) -> frozenset[str]:
        return frozenset(h.id for h in self.headings)

    @cached_property
    def anchors(self) -> frozenset[str]:
        """Every id a fragment can land on: the headings' and raw HTML's. Made once per page, so a page of
        N links to a page of N headings costs N look-ups, not N sets."""
        return self.heading_ids | self.html_ids

    @property
    def first_h1(self) -> Heading | None:
        return next((h for h in self.headings if h.level == 1), None)


@cache
def markdown_parser(html: bool = True, math: bool = True) -> MarkdownIt:
    """CommonMark plus GitHub's tables, strikethrough and autolinks, footnotes, task lists, definition
    lists, admonitions, GitHub's `> [!NOTE]` alerts, figures and (with `math`) `$…$` math. Built once per
    process and option set."""
    md = MarkdownIt("commonmark", {"html": html, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(admon_plugin).use(alerts_plugin)
    md.use(figures_plugin)
    if math:
        md.use(math_plugin)
    md.core.ruler.after("linkify", "gfm_autolinks", _gfm_autolinks)
    md.linkify = _QuickLinkify(md.linkify)
    record_positions(md)
    note_cuts(md)
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
    body: str, html: bool = True, faq_heading: str = "Common questions", render: bool = True, math: bool = True
) -> ParsedMarkdown:
    """Parse a page body. `body` keeps the file's line numbering (front matter lines blanked). Without
    `render` only the facts are kept (`hubgen check` never renders HTML nor highlights code; it does
    convert formulas, to report the ones the converter rejects)."""
    body = body.replace(SLOT_OPEN, "\ufffd").replace(SLOT_CLOSE, "\ufffd")  # C0 controls, never valid HTML
    md = markdown_parser(html, math)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    lines = body.split("\n")
    headings = _assign_heading_ids(tokens)
    links: list[Link] = []
    declared: set[str] = set()
    notes: list[Note] = []
    cursors: dict[int, int] = {}  # line -> how far table cells on it were found
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.map:
            cell = index > 0 and tokens[index - 1].type in ("th_open", "td_open")
            where = SourceMap(token.content, token.map[0] + 1, lines, cursors, cell)
            found, ids = _inline_links(token, where, quote=render)
            links += found
            declared |= ids
            notes += inline_notes(token, where)
        elif token.meta.get("note") and token.map:
            notes.append(block_note(token, lines))
        elif token.type == "html_block" and token.map:
            found, ids = _html_links(token.content, SourceMap(token.content, token.map[0] + 1, lines, cursors))
            links += found
            declared |= ids
        elif token.type == "inline":  # no place in the file (a footnote's tail): its ids still count
            declared.update(*(html_ids(c.content) for c in token.children or () if c.type == "html_inline"))
    urls: list[tuple[str, LinkKind]] = []
    body_html = md.renderer.render(without_title(tokens), md.options, {"resolve": slot_maker(urls)}) if render else ""
    return ParsedMarkdown(
        html=body_html,
        urls=tuple(urls),
        headings=tuple(headings),
        links=tuple(links),
        html_ids=frozenset(declared),
        excerpt=_excerpt(tokens),
        ignored_lines=_ignored_lines(body) if "hubgen-ignore" in body else {},
        faq=_faq(tokens, faq_heading),
        title_id=str(tokens[0].attrs.get("id", "")) if tokens and tokens[0].tag == "h1" else "",
        cuts=tuple(sorted({line + 1 for line in env.get("cuts", ())})),
        notes=tuple(notes),
    )


def heading_text(inline: Token) -> str:
    """A heading's text content as a browser's textContent sees it: markup and raw HTML tags dropped."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline", "math_inline"):  # a formula as its TeX
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


def _inline_links(inline: Token, where: SourceMap, quote: bool = True) -> tuple[list[Link], set[str]]:
    """The links and images of one inline token, each at its destination (see `positions`), and the ids
    its raw HTML declares; with `quote`, each link that may lead to a page keeps the sentence around it (only
    a rendered page shows it: `hubgen check` skips the work)."""
    cursor = 0  # where the previous link was: a link without a recorded offset is looked for after it
    found: list[Link] = []
    ids: set[str] = set()
    children = inline.children or []
    spans: tuple[str, dict[int, tuple[int, int]]] | None = None  # the plain text, made for the first mention
    for index, child in enumerate(children):
        at = child.meta.get("at") if child.type in ("link_open", "image", "html_inline") else None
        cursor = at if at is not None else cursor
        if child.type == "html_inline":
            html_found, html_declared = _html_links(child.content, where, at or 0)
            found += html_found
            ids |= html_declared
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            href = str(child.attrs.get(attr, ""))
            kind: LinkKind = "link" if child.type == "link_open" else "image"
            if child.markup != "linkify":
                href = decode_url(href)
            if at is None:  # a bare www. name or e-mail address, linked after inline parsing: find its text
                following = children[index + 1] if index + 1 < len(children) else None
                label = following.content if following is not None and following.type == "text" else href
                at = next((p for p in (inline.content.find(n, cursor) for n in (label, href) if n) if p >= 0), cursor)
                cursor = at
            alt = heading_text(child) if kind == "image" else None
            context = ""
            if quote and kind == "link" and internal_candidate(href):
                spans = spans or link_spans(children)
                text, span = spans[0], spans[1].get(index)
                context = sentence_around(text, *span) if span else ""
            found.append(Link(href, kind, *where.where(at), alt=alt, context=context))
    return found, ids


class _TagScanner(HTMLParser):
    """Collects href/src values (with the offset of each value in the text fed) and id/name anchors of
    raw HTML."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, LinkKind, int, str | None]] = []
        self.ids: set[str] = set()
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if tag == "a" and "href" in values:
            self.links.append((values["href"], "link", self._offset("href"), None))
        if tag in ("img", "source") and "src" in values:
            alt = values.get("alt", "" if tag == "source" else None)
            self.links.append((values["src"], "image", self._offset("src"), alt))
        if tag in ("img", "source") and "srcset" in values:  # its alt text, if any, is the src's to have
            start = self._offset("srcset")
            self.links += [(url, "image", start + at, "") for at, url in srcset_urls(values["srcset"])]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])

    handle_startendtag = handle_starttag

    def _offset(self, name: str) -> int:
        """Offset, in the text fed, of the value of the current tag's attribute `name` (its last one)."""
        line, column = self.getpos()
        return self.starts[line - 1] + column + _value_offset(self.get_starttag_text() or "", name)


def _value_offset(tag: str, name: str) -> int:
    """Where, in a start tag's text, the value of its (last) attribute `name` starts; read as HTMLParser
    reads attributes."""
    found = 0
    match = tagfind_tolerant.match(tag, 1)
    position = match.end() if match else 1
    while position < len(tag) and (match := attrfind_tolerant.match(tag, position)) and match.end() > position:
        value = match.group(3)
        if match.group(1).lower() == name and value is not None:
            found = match.start(3) + (1 if value[:1] in ("'", '"') else 0)
        position = match.end()
    return found


def html_ids(text: str) -> set[str]:
    """The ids and `<a name>`s an HTML document declares (comments and scripts do not count)."""
    if not _ATTRIBUTES.search(text):
        return set()
    scanner = _TagScanner(text)
    scanner.feed(text)
    scanner.close()
    return scanner.ids


_ATTRIBUTES = re.compile("href|src|id|name", re.IGNORECASE)


def _html_links(snippet: str, where: SourceMap, at: int = 0) -> tuple[list[Link], set[str]]:
    """The links and ids of raw HTML that starts `at` the offset of `where`'s text."""
    if not _ATTRIBUTES.search(snippet):  # a comment, a closing tag: nothing to parse (and it is the common case)
        return [], set()
    scanner = _TagScanner(snippet)
    scanner.feed(snippet)
    scanner.close()
    links = [
        Link(decode_url(href), kind, *where.where(at + offset), True, alt) for href, kind, offset, alt in scanner.links
    ]
    return links, scanner.ids


_IGNORE = re.compile(r"<!--\s*hubgen-ignore(-next-line)?((?:\s+[a-z-]+)*)\s*-->")


def _ignored_lines(body: str) -> dict[int, frozenset[str]]:
    """`<!-- hubgen-ignore [codes] -->` exempts its own line; `hubgen-ignore-next-line` the next one.
    No codes named: every code."""
    ignored: dict[int, frozenset[str]] = {}
    line, counted = 1, 0  # the line of offset `counted`: each stretch of the body is counted once
    for match in _IGNORE.finditer(body):
        line, counted = line + body.count("\n", counted, match.start()), match.start()
        ignored[line + (1 if match.group(1) else 0)] = frozenset(match.group(2).split())
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
    questions: list[tuple[str, list[str]]] = []  # each question with its answer's paragraphs
    inside = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            title = " ".join(heading_text(tokens[index + 1]).split())
            inside = title.casefold() == faq_heading.casefold()
            questions.append(("", []))  # the answer before stops here
        elif inside and token.type == "heading_open" and token.tag == "h3":
            questions.append((" ".join(heading_text(tokens[index + 1]).split()), []))
        elif inside and questions and token.type == "inline" and tokens[index - 1].type != "heading_open":
            questions[-1][1].append(" ".join(heading_text(token).split()))
    found = (Question(question, " ".join(answer)) for question, answer in questions if question)
    return tuple(q for q in found if q.answer)


# ----------------------------------------------------------------------------------------------- render


def render_markdown(
    parsed: ParsedMarkdown, resolve: Resolver, html: bool = True, measure: Measure | None = None
) -> str:
    """The body's HTML with every URL slot filled by `resolve` (escaped for an attribute value), and each
    image's size slot by `measure` (the image's width and height, when its file is known)."""

    def fill(match: re.Match[str]) -> str:
        digits = match.group(2)
        slot = int(digits) if len(digits) < 10 else len(parsed.urls)
        if slot >= len(parsed.urls):  # only a forged cache record has such a slot: it fills with nothing
            return ""
        raw, kind = parsed.urls[slot]
        if match.group(1):
            size = measure(raw) if measure is not None else None
            return f' width="{int(size[0])}" height="{int(size[1])}"' if size else ""
        url = resolve(raw, kind)
        return escape(raw if url is None else url, quote=True)

    return SLOT.sub(fill, parsed.html) if parsed.urls else parsed.html
