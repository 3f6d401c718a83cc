"""The site's layout: where every output goes, and who owns it. One rule, shared by `check` and `build`.

A page `a/b` is written to `a/b/index.html` (the home page to `index.html`); every other file under content/
is copied to its own path. hubgen itself writes `404.html`, `robots.txt`, `sitemap.xml`, `feed.xml`, the
theme's fingerprinted files under `_static/`, the search index under `pagefind/`, the tag pages under
`tags/`, and the marker `.hubgen-site`. A name is reserved when this site writes it: `404.html`,
`robots.txt`, `_static/` and the marker always; `sitemap.xml` and `feed.xml` when `base_url` is set;
`pagefind/` when search is on; `tags/` when a page has a tag; `_redirects` when a page has an alias;
`llms.txt`, `llms-full.txt` and each page's Markdown twin (`a/b/index.md`) when `llms` is on; each page's social
card (`a/b/card.png`, the home page's `card.png`) when `social_cards` is on and the page has one. A file that a
site does not need the name for stays legal (a hub's own `feed.xml` without `base_url`), and turning the
setting on reports it then, at that file: what `check` passes is exactly what `build` can write.

`outputs` lists every path of a site with its owner; `collisions` finds, in one pass, two claims on one
path, a file where another claim needs a folder (`robots.txt` and `robots.txt/x`; a page `a` and a file `a`),
and paths that differ only in case or Unicode normal form (they are one file on macOS and Windows, as page
ids differing so are one page). `Site` is every output of one build, and `refuse_collisions` applies the
same rule to it as the last line of defence. This module is the core side: it imports nothing from the build.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

HOME_FILE = "index.html"
NOT_FOUND_FILE = "404.html"
ROBOTS_FILE = "robots.txt"
SITEMAP_FILE = "sitemap.xml"
FEED_FILE = "feed.xml"
STATIC_DIR = "_static"  # the theme's CSS, JS and other static files, fingerprinted
INDEX_DIR = "pagefind"  # the search index
TAGS_DIR = "tags"  # the tags index and one page per tag
MARKER = ".hubgen-site"  # says which folder hubgen wrote (see write.py)
REDIRECTS_FILE = "_redirects"  # the aliases' redirects, as Netlify and Cloudflare Pages read them
LLMS_FILE = "llms.txt"  # the site for AI assistants (llmstxt.org)
LLMS_FULL_FILE = "llms-full.txt"  # every page's Markdown, in the order of llms.txt
TWIN_FILE = "index.md"  # a page's Markdown twin, beside its index.html
CARD_FILE = "card.png"  # a page's social card (its picture when shared), beside its index.html
CARD_WIDTH, CARD_HEIGHT = 1200, 630

Owner = Literal["generated", "page", "asset", "alias"]

# What each reserved top-level name is, as messages name it; a name ending in "/" is a folder hubgen fills.
RESERVED: dict[str, str] = {
    NOT_FOUND_FILE: "the 404 page",
    ROBOTS_FILE: "robots.txt",
    SITEMAP_FILE: "the sitemap",
    FEED_FILE: "the feed",
    MARKER: "the marker of a folder hubgen wrote",
    STATIC_DIR + "/": "the theme's files",
    INDEX_DIR + "/": "the search index",
    TAGS_DIR + "/": "the tag pages",
    REDIRECTS_FILE: "the redirects of the aliases",
    LLMS_FILE: "llms.txt",
    LLMS_FULL_FILE: "llms-full.txt",
}


def page_dir(page_id: str) -> str:
    """Where a page's index.html lives, relative to the site root: "" for home, "a/b/" otherwise."""
    return page_id + "/" if page_id else ""


def page_file(page_id: str) -> str:
    """The file a page is written to: "index.html" for home, "a/b/index.html" otherwise."""
    return page_dir(page_id) + HOME_FILE


def twin_file(page_id: str) -> str:
    """A page's Markdown twin: "index.md" for home, "a/b/index.md" otherwise."""
    return page_dir(page_id) + TWIN_FILE


def card_file(page_id: str) -> str:
    """A page's social card: "card.png" for home, "a/b/card.png" otherwise."""
    return page_dir(page_id) + CARD_FILE


def has_card(draft: bool, front: Mapping[str, object], social_cards: bool) -> bool:
    """Whether a page gets a drawn card: cards are on, it is published, and its front matter names no `image`."""
    return social_cards and not draft and not front.get("image")


def tag_dir(slug: str) -> str:
    """The folder of a tag's page: "tags/ai/"."""
    return f"{TAGS_DIR}/{slug}/"


TAGS_INDEX_FILE = f"{TAGS_DIR}/{HOME_FILE}"


def static_file(name: str) -> str:
    """Where a theme file (already fingerprinted) goes: "_static/style.3f2a1c9e0b.css"."""
    return f"{STATIC_DIR}/{name}"


class Output(NamedTuple):
    """One claim on the site: `path` (a folder hubgen fills ends in "/"), its owner, and `source`: the page's
    or file's path under the project, or what hubgen writes there ("the sitemap")."""

    path: str
    owner: Owner
    source: str


Clash = Literal["same", "inside", "folder"]


@dataclass(frozen=True)
class Collision:
    """`output` cannot be written because of `taken`, an earlier claim: on the same path ("same"), or on a
    file or folder `output` would be inside ("inside"), or with files in the folder `output` would replace
    ("folder"). `where` is the path of `taken`'s claim that is in the way (that folder, for "folder")."""

    output: Output
    taken: Output
    how: Clash
    where: str


def outputs(
    pages: Mapping[str, str],
    assets: Iterable[str],
    tag_slugs: Iterable[str],
    content_dir: str = "",
    *,
    search: bool = True,
    feeds: bool = True,
    llms: bool = False,
    aliases: Iterable[tuple[str, str]] = (),
    cards: Iterable[str] = (),
) -> list[Output]:
    """Every path of a site with its owner, the claims that win first: what hubgen writes (including every
    reserved name), then pages (id -> file under the project) in id order, then, with `llms`, each page's
    Markdown twin (claimed by its page), then the social cards of the pages in `cards` (ids; "" the home
    page, generated when no page has that id), then the files copied from content/ (relative to it) in path
    order, then the redirect pages of `aliases` ((output path, where the alias is written)) in their order.
    The home page is generated unless a page has the id ""."""
    aliases = list(aliases)
    made = _generated(pages, tag_slugs, search, feeds, llms, bool(aliases))
    found = [Output(path, "generated", what) for path, what in made]
    found += [Output(page_file(page_id), "page", file) for page_id, file in sorted(pages.items())]
    if llms:
        found += [Output(twin_file(page_id), "page", file) for page_id, file in sorted(pages.items())]
    for page_id in sorted(cards):
        file = pages.get(page_id)
        found.append(
            Output(card_file(page_id), "page", file)
            if file
            else Output(card_file(page_id), "generated", "the home page's social card")
        )
    prefix = content_dir.rstrip("/") + "/" if content_dir else ""
    found += [Output(rel, "asset", prefix + rel) for rel in sorted(assets)]
    found += [Output(path, "alias", where) for path, where in aliases]
    return found


def _generated(
    pages: Mapping[str, str], tag_slugs: Iterable[str], search: bool, feeds: bool, llms: bool, redirects: bool
) -> Iterable[tuple[str, str]]:
    if "" not in pages:
        yield HOME_FILE, "the generated home page"
    slugs = sorted(tag_slugs)
    if slugs:
        yield TAGS_INDEX_FILE, "the tags page"
    for slug in slugs:
        yield tag_dir(slug) + HOME_FILE, "a tag's page"
    yield from reserved(search=search, feeds=feeds, tagged=bool(slugs), llms=llms, redirects=redirects).items()


def reserved(*, search: bool, feeds: bool, tagged: bool, llms: bool = False, redirects: bool = False) -> dict[str, str]:
    """The reserved names this site writes (see the module's docstring): path -> what hubgen writes there."""
    unused = {
        SITEMAP_FILE: not feeds,
        FEED_FILE: not feeds,
        INDEX_DIR + "/": not search,
        TAGS_DIR + "/": not tagged,
        REDIRECTS_FILE: not redirects,
        LLMS_FILE: not llms,
        LLMS_FULL_FILE: not llms,
    }
    return {path: what for path, what in RESERVED.items() if not unused.get(path, False)}


def collisions(claims: Iterable[Output]) -> list[Collision]:
    """Each claim that meets an earlier one (the earlier one keeps the path). Paths are compared as a file
    system that ignores case and Unicode normal form would; two generated paths never collide (they are laid
    out above not to)."""
    files: dict[str, Output] = {}  # folded path of a file, or of a folder hubgen fills -> its claim
    folders: dict[str, Output] = {}  # folded path of a folder some claim needs -> the first such claim
    found: list[Collision] = []
    for claim in claims:
        key = fold(claim.path.rstrip("/"))
        parents = _parents(key)
        clash = _clash(claim, key, parents, files, folders)
        if clash is not None and not claim.owner == clash.taken.owner == "generated":
            found.append(clash)
            continue
        files.setdefault(key, claim)
        for parent in parents:
            if parent in folders:
                break  # and so are the folders above it
            folders[parent] = claim
    return found


def _clash(
    claim: Output, key: str, parents: list[str], files: Mapping[str, Output], folders: Mapping[str, Output]
) -> Collision | None:
    if key in files:
        return Collision(claim, files[key], "same", files[key].path)
    for parent in parents:
        if parent in files:
            return Collision(claim, files[parent], "inside", files[parent].path)
    if key in folders:
        taken = folders[key]
        return Collision(claim, taken, "folder", "/".join(taken.path.split("/")[: key.count("/") + 1]) + "/")
    return None


def collision_place(found: Collision, path: str, goes: str, holding: str) -> str:
    """Where `path` would land, for a message: `goes` (what is there), inside a file, or where a folder must
    be (`holding` what), and a note when only case or Unicode form makes the two paths one."""
    if found.how == "same":
        place = goes
    elif found.how == "inside":
        place = f"inside {found.where}, {goes}"
    else:
        place = f"which must be the folder {found.where}, holding {holding}"
    exact = found.where.rstrip("/")
    if not (exact == path or path.startswith(exact + "/")):
        place += " (names are compared ignoring case, as on macOS and Windows)"
    return place


def fold(path: str) -> str:
    """A path as a case-insensitive, normalisation-insensitive file system sees it."""
    return path.lower() if path.isascii() else unicodedata.normalize("NFC", path).casefold()


def _parents(path: str) -> list[str]:
    """The folders holding a path, innermost first: "a/b/c" -> ["a/b", "a"]."""
    found = []
    end = path.rfind("/")
    while end > 0:
        path = path[:end]
        found.append(path)
        end = path.rfind("/")
    return found


@dataclass(frozen=True)
class Stored:
    """A page's HTML, left in the build cache's render store under `key` (a social card: in its card store)."""

    key: str
    store: Literal["render", "cards"] = "render"


class OutputCollision(Exception):
    """Two things would be written to one output path."""


@dataclass
class Site:
    """Everything a build writes: generated files, files copied from content/ as they are, and pages whose
    HTML the build cache holds (`stored`: output path -> cache key), read from it only to be written, and
    social cards likewise (`cards`: output path -> key in the card store; `hubgen serve`, which keeps no
    store, draws a card when it is asked for)."""

    files: dict[str, bytes] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)
    stored: dict[str, str] = field(default_factory=dict)
    store: Path | None = None  # the build cache's folder, when pages are stored
    cards: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, data: bytes | Stored) -> None:
        if path in self.files or path in self.copies or path in self.stored or path in self.cards:
            raise OutputCollision(path)
        if isinstance(data, Stored):
            (self.cards if data.store == "cards" else self.stored)[path] = data.key
        else:
            self.files[path] = data


def refuse_collisions(site: Site, page_ids: Iterable[str], reserved_names: Mapping[str, str]) -> None:
    """The last line of defence, by the rule `check` applies, so a site that passed it is whole: a page or
    copied file where another output, a folder of one, or a reserved name goes raises OutputCollision."""
    pages = {page_file(page_id) for page_id in page_ids}
    made = sorted(path for path in (*site.files, *site.stored, *site.cards) if path not in pages)
    claims = [
        *(Output(path, "generated", path) for path in [*made, *reserved_names]),
        *(Output(path, "page", path) for path in sorted(pages)),
        *(Output(path, "asset", path) for path in sorted(site.copies)),
    ]
    found = collisions(claims)
    if found:
        raise OutputCollision(found[0].output.path)
