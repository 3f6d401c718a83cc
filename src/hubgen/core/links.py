"""What a link in a page body points at, and the relative URL that reaches it.

Links resolve as on GitHub, in file space: relative to the folder of the Markdown file that holds them,
`../foundations/what-is-ai.md#some-heading`. Site-absolute links (`/neural-networks/x/`) resolve from the
content root, with the base URL's sub-path stripped. Page URLs (`x/`, `x/index.html`), a folder holding
an index.md and asset files are found too. Everything else is `missing`, with the closest name as a hint.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, unquote

import mdurl

from hubgen.core.aliases import alias_key
from hubgen.core.layout import HOME_FILE
from hubgen.core.layout import page_dir as page_dir  # where a page goes is layout.py's; re-exported

TargetKind = Literal["page", "asset", "generated", "external", "other-scheme", "unsafe", "missing", "folder"]

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
# markdown-it leaves reserved characters percent-encoded; in a path they only ever name a file (`a%23b.md`
# is the file `a#b.md`). %2F stays encoded: it is not a folder separator.
_RESERVED_ESCAPE = re.compile(r"%(2[346BCbc]|3[ABDFabdf]|40)")
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpeg|webp|avif);", re.IGNORECASE)


@dataclass(frozen=True)
class LinkTarget:
    kind: TargetKind
    path: str = ""  # page id, asset path, generated output path, or the path that was looked for
    fragment: str | None = None  # decoded, None when the link has no '#'
    query: str = ""  # with its '?', kept as written
    same_page: bool = False  # the href has no path (`#x`, `?q`): path "" then means this page, not home
    alias: str = ""  # the page was reached through this alias of it (`link-via-alias`)


@dataclass(frozen=True)
class SiteIndex:
    """What links can point at: built once per graph."""

    page_by_rel: Mapping[str, str]  # "neural-networks/index.md" -> "neural-networks"
    page_ids: Collection[str]
    assets: Collection[str]
    folders: Collection[str]
    generated: Collection[str]  # folders of generated pages: "tags", "tags/ai"
    base_path: str  # "/" or "/learn/"
    spellings: Mapping[str, str] = field(default_factory=dict)  # NFC form -> the name on disk, where they differ
    html_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)  # HTML asset -> the ids it declares
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # image asset -> width, height
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias key ("basics/old") -> the page it leads to


def resolve_href(href: str, folder: str, site: SiteIndex, kind: str = "link") -> LinkTarget:
    """Resolve `href` (percent-decoded) written in a file in `folder` (relative to content/)."""
    if href.startswith("//"):
        return LinkTarget("external", href)
    scheme = _SCHEME.match(href) or _SCHEME.match(_CONTROL.sub("", href).strip())
    if scheme:
        if scheme.group(0)[:-1].lower() in ("http", "https"):
            return LinkTarget("external", href)
        return LinkTarget("unsafe" if is_unsafe_url(href, kind) else "other-scheme", href)
    path, query, fragment = _split(href)
    if not path:
        return LinkTarget("page", "", fragment, query, same_page=True)
    path = _RESERVED_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), path)
    kind, found = _lookup(_normalise(path, folder, site.base_path), path.endswith("/"), site)
    if kind in ("missing", "folder") and found and site.aliases:
        key = alias_key(found)
        if key in site.aliases:
            return LinkTarget("page", site.aliases[key], fragment, query, alias=key)
    return LinkTarget(kind, found, fragment, query)


def decode_url(url: str) -> str:
    """Percent-decoded as markdown-it does (reserved characters stay encoded), unless that would break UTF-8
    (`%%BASE_URL%%`): then as written, so messages and positions show what the author typed."""
    decoded = mdurl.decode(url)
    if "\ufffd" not in decoded or "\ufffd" in url:
        return decoded
    return _ESCAPE.sub(_ascii_only, url)  # markdown-it wrote a lone '%' as %25: undo just that kind


_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_RESERVED = set(";/?:@&=+$,#")


def _ascii_only(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char.isascii() and char.isprintable() and char not in _RESERVED else match.group(0)


def is_unsafe_url(href: str, kind: str) -> bool:
    """javascript:, vbscript: and data: URLs (data: images aside) are never rendered as links. Tabs,
    newlines and other control characters are dropped first, as browsers do (`jav&#x09;ascript:`)."""
    url = _CONTROL.sub("", href).strip()
    scheme = _SCHEME.match(url)
    if not scheme or scheme.group(0)[:-1].lower() not in _UNSAFE_SCHEMES:
        return False
    return not (kind == "image" and _SAFE_DATA_IMAGE.match(url))


def _split(href: str) -> tuple[str, str, str | None]:
    fragment = None
    if "#" in href:
        href, fragment = href.split("#", 1)
    query = ""
    if "?" in href:
        href, query = href.split("?", 1)
        query = "?" + query
    return href, query, fragment


def _normalise(path: str, folder: str, base_path: str) -> str | None:
    """The path relative to content/, or None when it climbs out of it."""
    if path.startswith("/"):
        if base_path != "/" and (path + "/").startswith(base_path):
            path = path[len(base_path) - 1 :]
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(folder, path)
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".." or normal.startswith("../"):
        return None
    return "" if normal == "." else normal


def _lookup(path: str | None, trailing_slash: bool, site: SiteIndex) -> tuple[TargetKind, str]:
    if path is None:
        return "missing", ""
    path = site.spellings.get(unicodedata.normalize("NFC", path), path)
    if path in site.page_by_rel:
        return "page", site.page_by_rel[path]
    if not trailing_slash and path in site.assets:
        return "asset", path
    stem = path[: -len(HOME_FILE)].rstrip("/") if path.endswith(HOME_FILE) else path
    if stem in site.page_ids:
        return "page", stem
    if stem in site.generated:
        return "generated", stem
    if path in site.folders:
        index = posixpath.join(path, HOME_FILE) if path else HOME_FILE
        return ("asset", index) if index in site.assets else ("folder", path)
    return "missing", path


def suggest(path: str, site: SiteIndex, folder: str | None = None) -> str:
    """A hint for a missing target: the same path in another case, or the closest name. With `folder`
    (the linking file's folder, for a relative link) names are shown, and compared, relative to it."""

    def shown(rel: str) -> str:
        return rel if folder is None else posixpath.relpath(rel, folder or ".")

    candidates = [*site.page_by_rel, *site.assets]
    folded = {c.casefold(): c for c in candidates}
    if path.casefold() in folded:
        return f"file names are case-sensitive: did you mean '{shown(folded[path.casefold()])}'?"
    if not path.endswith(".md") and path + ".md" in site.page_by_rel:
        return f"did you mean '{shown(path + '.md')}'?"
    by_name = {shown(c): c for c in candidates}
    match = difflib.get_close_matches(shown(path), list(by_name), n=1, cutoff=0.6)
    if match:
        return f"did you mean '{match[0]}'?"
    name = posixpath.basename(path)
    same_name = sorted(shown(c) for c in candidates if posixpath.basename(c) == name)
    return f"a file of that name is at '{same_name[0]}'" if same_name else ""


def relative_url(from_dir: str, to_path: str) -> str:
    """URL from a page's folder ("a/b/") to a site path ("c/", "img/x.png", "" for the root)."""
    if from_dir and not to_path.startswith(from_dir):
        # Not below the page's folder: one step up from its parent folder, which the page shares with its
        # siblings (every page of a path links to every step of it, so the parent's URLs are remembered).
        return url_from_parent(parent_folder(from_dir), to_path)
    return _from_folder(from_dir, to_path)


def parent_folder(folder: str) -> str:
    """The folder holding a page's folder: "a/" for "a/b/", "" for "a/"."""
    return folder[: folder.rstrip("/").rfind("/") + 1]


def url_from_parent(parent: str, to_path: str) -> str:
    """relative_url from any page folder in `parent` to a site path that is not below that page's folder."""
    return "../" + _from_folder(parent, to_path).removeprefix("./")


@lru_cache(maxsize=65536)
def _from_folder(from_dir: str, to_path: str) -> str:
    source = _segments(from_dir)
    target = to_path.split("/")
    common = 0
    while common < len(source) and common < len(target) - 1 and source[common] == target[common]:
        common += 1
    ups = "../" * (len(source) - common)
    rest = _quoted("/".join(target[common:]))
    if not ups and ":" in rest.split("/", 1)[0]:  # `c:d/` would read as the scheme `c:`
        rest = "./" + rest
    return ups + rest or "./"


@lru_cache(maxsize=4096)
def _segments(folder: str) -> tuple[str, ...]:
    return tuple(part for part in folder.split("/") if part)


@lru_cache(maxsize=65536)
def _quoted(path: str) -> str:
    """Percent-encode a path (every page links to the same few dozen neighbours: worth remembering)."""
    return quote(path, safe="/!$&'()*+,;=:@~")


def fragment_url(fragment: str | None) -> str:
    return "" if fragment is None else "#" + quote(fragment, safe="!$&'()*+,;=:@/?~")


_FOOTNOTE_ID = re.compile(r"^fn(ref)?\d+(:\d+)?$")


def find_anchor(anchors: Collection[str], fragment: str) -> str | None:
    """The id a fragment lands on in a page with these `anchors`, or None. As GitHub does, a fragment that
    matches no id exactly is tried again in lower case (heading ids are lower case, so `#Some-Heading` works;
    `#abc` never finds `id="ABC"`)."""
    for candidate in dict.fromkeys((fragment, unquote(fragment), fragment.lower(), unquote(fragment).lower())):
        if candidate in ("", "top") or candidate in anchors or _FOOTNOTE_ID.match(candidate):
            return candidate
    return None
