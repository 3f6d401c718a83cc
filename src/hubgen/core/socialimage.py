"""A page's picture when shared: its own `image` front matter, checked like an image link, or the social card
hubgen draws for it (build/cards.py).

`image` is either an https URL, used as it is, or a PNG, JPEG, GIF or WebP file of the site, written as an
image link is (relative to the page's file, or from content/'s root with a leading `/`). A file that does not
exist is `missing-image`; anything else (an SVG, which social sites do not show, a page, an http or other
URL) is `image-invalid`, each at the value's line and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hubgen.core.diagnostics import Diagnostic, diagnostic
from hubgen.core.graph import LinkGraph
from hubgen.core.links import decode_url, resolve_href, suggest
from hubgen.core.load import Page

SHARED_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")  # what Facebook, LinkedIn, Mastodon and X show


@dataclass(frozen=True)
class OwnImage:
    """A page's own `image`: an https URL, or a file of the site (its path there and, when known, its size)."""

    url: str = ""
    path: str = ""
    size: tuple[int, int] | None = None


def own_image(graph: LinkGraph, page: Page) -> OwnImage | None:
    """The page's usable `image`, or None (none given, or one `check_image` reports)."""
    value = page.front.values.get("image")
    if not value:
        return None
    found = _resolve(graph, page, str(value))
    return found if isinstance(found, OwnImage) else None


def check_image(graph: LinkGraph, page_id: str) -> Iterable[Diagnostic]:
    page = graph.pages[page_id]
    value = page.front.values.get("image")
    if value:
        found = _resolve(graph, page, str(value))
        if not isinstance(found, OwnImage):
            yield diagnostic(found[0], page.file, *page.front.position("image"), found[1], found[2])


def _resolve(graph: LinkGraph, page: Page, value: str) -> OwnImage | tuple[str, str, str]:
    shown = value if len(value) <= 80 else value[:77] + "..."
    if value.lower().startswith("https://") and len(value) <= 2000:
        return OwnImage(url=value)
    target = resolve_href(decode_url(value), page.folder, graph.site, "image")
    if target.kind == "asset" and target.path.lower().endswith(SHARED_TYPES):
        return OwnImage(path=target.path, size=graph.site.image_sizes.get(target.path))
    if target.kind in ("missing", "folder"):
        folder = None if value.startswith("/") else page.folder
        hint = suggest(target.path, graph.site, folder) if target.path else "the path climbs out of the content folder"
        return "missing-image", f"image '{shown}' does not exist", hint
    hint = "a PNG, JPEG, GIF or WebP file of the site (social sites show no SVG), or an https URL"
    return "image-invalid", f"image '{shown}' cannot be shown when the page is shared", hint
