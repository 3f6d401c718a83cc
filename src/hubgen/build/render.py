"""Render: the graph -> every output file, in memory. Jinja with autoescape and StrictUndefined; a project's
own `templates/` overrides the built-in theme file by file. All internal URLs are relative, so one build
works at any mount point; only canonical URLs (and, later, sitemap and feeds) are absolute.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2 import Environment
from markupsafe import Markup

from hubgen import __version__
from hubgen.base.cache import key_for
from hubgen.build.cards import card_facts
from hubgen.build.llms import llms_files
from hubgen.build.pathview import path_anchors, path_view
from hubgen.build.redirects import redirect_files
from hubgen.build.seo import json_ld, og_locale, seo_files
from hubgen.build.theme import make_environment, static_files, template_dirs, templates_digest
from hubgen.build.wayviews import Ways
from hubgen.core.aliasrules import redirected
from hubgen.core.bodyhtml import LinkKind
from hubgen.core.config import SiteConfig, favicon_path
from hubgen.core.configvalues import FAVICON_TYPES
from hubgen.core.graph import LinkGraph, tag_slug
from hubgen.core.layout import (
    CARD_HEIGHT,
    CARD_WIDTH,
    FEED_FILE,
    HOME_FILE,
    NOT_FOUND_FILE,
    TAGS_DIR,
    TAGS_INDEX_FILE,
    Site,
    Stored,
    card_file,
    has_card,
    page_dir,
    refuse_collisions,
    reserved,
    tag_dir,
    twin_file,
)
from hubgen.core.links import (
    LinkTarget,
    decode_url,
    find_anchor,
    fragment_url,
    relative_url,
    resolve_href,
)
from hubgen.core.load import Page
from hubgen.core.markdown import render_markdown
from hubgen.core.socialimage import own_image

ASSET_KEYS = (("css", "style.css"), ("code_css", "code.css"), ("js", "hubgen.js"))
HOME_TITLE = "Home"
TEMPLATE_FOR = {"home": "home.html", "hub": "hub.html", "article": "article.html", "track": "track.html"}


@dataclass(frozen=True)
class Theme:
    """The templates (the project's overrides over the built-in theme), compiled once per session, and the
    static files they use, with the fingerprinted name of each."""

    env: Environment
    static: dict[str, bytes]  # output path -> bytes
    assets: dict[str, str]  # name -> output path ("style.css" -> "_static/style.0a1b2c3d4e.css")
    digest: str  # of every template and static file

    @classmethod
    def load(cls, project_dir: Path, templates_dir: str) -> Theme:
        dirs = template_dirs(project_dir, templates_dir)
        static = static_files(dirs, project_dir)
        assets = {name: path for name, (path, _) in static.items()}
        assets |= inline_icon(static.get(DEFAULT_FAVICON, ("", b""))[1])
        env = make_environment(dirs, project_dir)
        return cls(env, dict(static.values()), assets, templates_digest(dirs, project_dir))

    def salt(self, config: SiteConfig) -> str:
        """What every page's HTML depends on besides its view: templates, settings, asset names, hubgen."""
        return key_for(repr(config), repr(sorted(self.assets.items())), self.digest)


def assemble_site(
    graph: LinkGraph,
    content_dir: Path,
    static: Mapping[str, bytes],
    rendered: Iterable[tuple[str, bytes | Stored]],
    seo: Iterable[tuple[str, str | bytes]] | None = None,
    refuse: bool = True,
) -> Site:
    """Every output in one Site, always in the same order, so build and serve find the same collisions:
    the theme's static files, the copied content files, the rendered pages, then sitemap, robots and feed,
    the aliases' redirects and the llms files (`seo`, when the caller has them already). Unless `refuse` is
    False (`hubgen serve`, re-rendering a site whose paths have not changed since it passed), a collision
    raises OutputCollision."""
    site = Site()
    for path, data in sorted(static.items()):
        site.add(path, data)
    for rel in graph.site.assets:
        site.copies[rel] = content_dir / rel
    for path, output in rendered:
        site.add(path, output)
    if seo is None:
        seo = [*seo_files(graph), *redirect_files(graph), *llms_files(graph, content_dir)[0]]
    for path, text in seo:
        site.add(path, text if isinstance(text, bytes) else text.encode())
    if refuse:
        config = graph.config
        names = reserved(
            search=config.search,
            feeds=bool(config.site_url),
            tagged=bool(graph.tags),
            llms=config.llms,
            redirects=bool(redirected(graph)),
        )
        refuse_collisions(site, graph.pages, names)
    return site


DEFAULT_FAVICON = "favicon.svg"  # the theme's icon, in its static/ folder
INLINE_ICON = "favicon.svg:inline"  # in Theme.assets: the theme's icon as a data: URL, when it is small
INLINE_ICON_BYTES = 2048


def inline_icon(svg: bytes) -> dict[str, str]:
    """{INLINE_ICON: a data: URL of the theme's SVG icon} when it is small enough to inline in every page;
    {} otherwise (the pages then link its file)."""
    if not svg or len(svg) > INLINE_ICON_BYTES:
        return {}
    return {INLINE_ICON: "data:image/svg+xml," + quote(svg.decode("utf-8", "replace").strip(), safe=" /:=;,'()")}


def favicon_link(config: SiteConfig, assets: Mapping[str, str]) -> tuple[str, str]:
    """(URL from the site's root, or a data: URL; MIME type) of the icon every page links: the `favicon`
    setting's file in content/ (copied to the same path), else the theme's own, inlined when small so that
    it costs no request; ("", "") when there is neither. A page that names its icon is not asked for
    /favicon.ico by browsers, so no site needs one."""
    chosen = favicon_path(config)
    if chosen:
        return chosen, FAVICON_TYPES[posixpath.splitext(chosen.lower())[1]]
    for key in (INLINE_ICON, DEFAULT_FAVICON):
        if key in assets:
            return assets[key], FAVICON_TYPES[".svg"]
    return "", ""


class PageRenderer:
    """Builds each page's view (the template contract in the README's Templates section) and renders it."""

    def __init__(self, graph: LinkGraph, env: Environment, assets: dict[str, str], salt: str = "") -> None:
        self.graph = graph
        self.salt = salt  # what every page's HTML depends on besides its view (Theme.salt); "": pages are not keyed
        self.env = env
        self.assets = assets
        self.config = graph.config
        self.ways = Ways(graph)
        self._anchors: dict[int, str] | None = None  # each path's fragment on its hub page, made when needed
        self.favicon = favicon_link(self.config, assets)

    # -- public ------------------------------------------------------------------------------------

    def page(self, page_id: str) -> bytes:
        page = self.graph.pages[page_id]
        return self._render(TEMPLATE_FOR[page.type], page_dir(page_id), self.view(page_id))

    def keyed_page(self, page_id: str, cached: Collection[str]) -> tuple[str, bytes | None]:
        """(key, HTML) of a page, the key a digest of the salt and its view ("" without a salt); the HTML is
        None when the key is in `cached`: the page would render as it did before."""
        template = TEMPLATE_FOR[self.graph.pages[page_id].type]
        view = self.view(page_id)
        key = key_for(self.salt, template, repr(view)) if self.salt else ""
        return key, None if key in cached else self._render(template, page_dir(page_id), view)

    def view(self, page_id: str) -> dict[str, Any]:
        """A page's view; without the body, nothing is rendered (`hubgen serve` compares these)."""
        page = self.graph.pages[page_id]
        here = page_dir(page_id)
        return self._base_view(page, here) | self._kind_view(page, here)

    def generated(self) -> Iterable[tuple[str, bytes]]:
        """The home page (when content/ has none), tag pages, the tags index and 404.html."""
        for output, template, here, view in self.generated_views():
            yield output, self.render_view(template, here, view)

    def render_view(self, template: str, here: str | None, view: dict[str, Any]) -> bytes:
        return self._render(template, here, view)

    def generated_views(self) -> Iterable[tuple[str, str, str | None, dict[str, Any]]]:
        """(output, template, here, view) of each generated page, unrendered."""
        if "" not in self.graph.pages:  # no content/index.md: a home page that lists the hubs, so "Home" links work
            view = self._generated_view("home", self.config.title, "") | {
                "breadcrumb": [],
                "summary": self.config.description,
                "hubs": self.ways.hub_cards(""),
                "track_list": self.ways.track_list(""),
            }
            view["image"] = self._card_image("", self.config.title, "")
            yield HOME_FILE, "home.html", "", view
        if self.graph.tags:  # tags/ is hubgen's: `check` reports a page or file there (layout.py)
            here = TAGS_DIR + "/"
            tag_list = [
                {"name": t.name, "url": relative_url(here, tag_dir(t.slug)), "count": len(t.pages)}
                for t in self.graph.tags.values()
            ]
            view = self._generated_view("tags", "Tags", here) | {"tag_list": tag_list}
            yield TAGS_INDEX_FILE, "tags.html", here, view
        for tag in self.graph.tags.values():
            here = tag_dir(tag.slug)
            pages = [self.ways.card(p, here) | {"hub_title": self.ways.hub_title(p)} for p in tag.pages]
            view = self._generated_view("tag", tag.name, here) | {"pages": pages}
            view["breadcrumb"].append({"title": "Tags", "url": relative_url(here, TAGS_DIR + "/")})
            yield here + HOME_FILE, "tag.html", here, view
        yield NOT_FOUND_FILE, "404.html", None, self._generated_view("404", "Page not found", None)

    # -- views -------------------------------------------------------------------------------------

    def _render(self, template: str, here: str | None, view: dict[str, Any]) -> bytes:
        root = relative_url(here, "") if here is not None else self.config.base_path
        assets = {key: root + self.assets[name] for key, name in ASSET_KEYS}
        context = {
            "site": {
                "title": self.config.title,
                "description": self.config.description,
                "language": self.config.language,
                "locale": og_locale(self.config.language),
            },
            "root": root,
            "assets": assets,
            "generator": f"hubgen {__version__}",
            "feed": root + FEED_FILE if self.config.site_url else "",
            "favicon": self._favicon(root),
            "search": self.config.search,
            "has_tags": bool(self.graph.tags),
            "page": view,
        }
        try:
            return self.env.get_template(template).render(context).encode()
        except jinja2.TemplateError:
            raise
        except Exception as error:  # {{ 1 // 0 }} in a project's template: the template's fault, not hubgen's
            raise jinja2.TemplateRuntimeError(f"{type(error).__name__}: {error}") from error

    def _favicon(self, root: str) -> dict[str, str] | None:
        url, kind = self.favicon
        if not url:
            return None
        return {"url": url if url.startswith("data:") else root + url, "type": kind}

    def _empty_view(self) -> dict[str, Any]:
        return {
            "kind": "",
            "id": "",
            "title": "",
            "summary": "",
            "html": Markup(""),
            "toc": [],
            "canonical": "",
            "markdown": "",
            "breadcrumb": [],
            "hub": None,
            "prev": None,
            "next": None,
            "path": None,
            "related": [],
            "backlinks": [],
            "mentions": [],
            "tags": [],
            "updated": None,
            "paths": [],
            "others": [],
            "hubs": [],
            "pages": [],
            "tag_list": [],
            "tracks": [],
            "steps": [],
            "track_list": [],
            "jsonld": Markup(""),
            "image": None,
            "title_id": "",
        }

    def _generated_view(self, kind: str, title: str, here: str | None) -> dict[str, Any]:
        view = self._empty_view() | {"kind": kind, "title": title}
        if here is not None:
            view["breadcrumb"] = [{"title": HOME_TITLE, "url": relative_url(here, "")}]
            view["canonical"] = self._canonical(here)
        return view

    def _base_view(self, page: Page, here: str) -> dict[str, Any]:
        graph = self.graph
        prev_id, next_id = graph.prev_of(page.id), graph.next_of(page.id)
        related = [r for r in graph.related[page.id] if r not in (prev_id, next_id)]  # neighbours are shown once
        image = self._image(page, here)
        body = render_markdown(page.body, self._resolver(page, here), self.config.markdown.html, self._measure(page))
        return self._empty_view() | {
            "kind": page.type,
            "id": page.id,
            "title": page.title,
            "summary": page.summary,
            "html": Markup(body),
            "toc": [{"level": h.level, "id": h.id, "text": h.text} for h in page.body.headings if h.level in (2, 3)],
            "canonical": self._canonical(here),
            "markdown": relative_url(here, twin_file(page.id)) if self.config.llms and not page.draft else "",
            "breadcrumb": self._breadcrumb(page, here),
            "hub": self.ways.link(graph.hub_of[page.id], here) if graph.hub_of.get(page.id) else None,
            "prev": self.ways.card(prev_id, here) if prev_id else None,
            "next": self.ways.card(next_id, here) if next_id else None,
            "path": self._path(page.id, here),
            "related": [self.ways.card(r, here) | {"hub_title": self.ways.hub_title(r)} for r in related],
            "backlinks": [self.ways.link(b, here) for b in graph.backlinks.get(page.id, ())],
            "mentions": self.ways.mentions(page.id, {prev_id, next_id, *related}, here),
            "tags": [{"name": name, "url": relative_url(here, tag_dir(slug))} for slug, name in self._tags(page)],
            "updated": page.updated,
            "jsonld": json_ld(
                graph, page, graph.hub_chain(page.id), image["url"] if image and "://" in image["url"] else ""
            ),
            "image": image,
            "title_id": page.body.title_id,
            "tracks": self.ways.track_nav(page.id, here),
        }

    def _kind_view(self, page: Page, here: str) -> dict[str, Any]:
        graph = self.graph
        if page.type == "hub":
            paths = graph.paths_of(page.id)
            on_path = {step for path in paths for step in path.steps}
            others = [m for m in graph.members(page.id) if m not in on_path]
            others.sort(key=lambda m: (graph.pages[m].title.casefold(), m))
            return {
                "paths": [
                    [self.ways.step(step, number, path.steps, here) for number, step in enumerate(path.steps, 1)]
                    for path in paths
                ],
                "others": [self.ways.card(m, here) for m in others],
            }
        if page.type == "home":
            return {"hubs": self.ways.hub_cards(here), "track_list": self.ways.track_list(here)}
        if page.type == "track":
            return {"steps": self.ways.track_steps(page.id, here)}
        return {}

    def _breadcrumb(self, page: Page, here: str) -> list[dict[str, Any]]:
        if page.type == "home":
            return []
        crumbs = [{"title": HOME_TITLE, "url": relative_url(here, "")}]
        return crumbs + [self.ways.link(h, here) for h in self.graph.hub_chain(page.id)]

    def _path(self, page_id: str, here: str) -> dict[str, Any] | None:
        if self._anchors is None:
            self._anchors = path_anchors(self.graph)
        view = path_view(self.graph, page_id, here, self.config.title, self._anchors)
        return view | {"next_hub": self.ways.next_hub(page_id, here)} if view else None

    def _tags(self, page: Page) -> list[tuple[str, str]]:
        slugs = dict.fromkeys(tag_slug(name) for name in page.front.values.get("tags", ()))
        return [(slug, self.graph.tags[slug].name) for slug in sorted(slugs) if slug in self.graph.tags]

    def _image(self, page: Page, here: str) -> dict[str, Any] | None:
        """`page.image`: the page's own `image`, else its social card, else None (cards off, or a draft)."""
        own = own_image(self.graph, page)
        if own is not None:
            url = own.url or self._site_url(here, own.path)
            width, height = own.size or (0, 0)
            return {"url": url, "width": width, "height": height, "alt": page.title}
        if not has_card(page.draft, page.front.values, self.config.social_cards):
            return None
        facts = card_facts(self.graph, page.id)
        hub = facts.context if page.type != "home" else ""
        return self._card_image(page.id, page.title, hub, facts.step, here)

    def _card_image(self, page_id: str, title: str, hub: str, step: str = "", here: str = "") -> dict[str, Any] | None:
        """A drawn card's `page.image`; its alt text says what the card shows ("Alpha (step 1 of 3, in Basics),
        on Test Hub")."""
        if not self.config.social_cards:
            return None
        where = ", ".join(part for part in (step[:1].lower() + step[1:], f"in {hub}" if hub else "") if part)
        alt = f"{title}{f' ({where})' if where else ''}"
        alt += f", on {self.config.title}" if title != self.config.title else ""
        url = self._site_url(here, card_file(page_id))
        return {"url": url, "width": CARD_WIDTH, "height": CARD_HEIGHT, "alt": alt}

    def _site_url(self, here: str, path: str) -> str:
        """A file of the site: absolute with base_url (social sites need it), else relative to the page."""
        site_url = self.config.site_url
        return site_url + relative_url("", path).removeprefix("./") if site_url else relative_url(here, path)

    def _canonical(self, here: str) -> str:
        site_url = self.config.site_url
        return site_url + relative_url("", here).removeprefix("./") if site_url else ""

    # -- links in the body -------------------------------------------------------------------------

    def _resolver(self, page: Page, here: str) -> Any:
        known = {item.link.href: item.target for item in self.graph.links[page.id]}

        def resolve(raw: str, kind: LinkKind) -> str | None:
            href = decode_url(raw)
            target = known.get(href) or resolve_href(href, page.folder, self.graph.site, kind)
            return self._url_for(target, raw, page, here)

        return resolve

    def _measure(self, page: Page) -> Callable[[str], tuple[int, int] | None]:
        """An image's width and height from its file in content/, read when the content was loaded."""
        site = self.graph.site

        def measure(raw: str) -> tuple[int, int] | None:
            target = resolve_href(decode_url(raw), page.folder, site, "image")
            return site.image_sizes.get(target.path) if target.kind == "asset" else None

        return measure

    def _url_for(self, target: LinkTarget, raw: str, page: Page, here: str) -> str | None:
        if target.kind == "unsafe":
            return None
        if target.kind == "page" and (target.same_page or target.path in self.graph.pages):
            target_id = page.id if target.same_page else target.path
            fragment = target.fragment
            if fragment is not None:
                fragment = find_anchor(self.graph.pages[target_id].body.anchors, fragment) or fragment
            if target_id == page.id and not target.query:
                return fragment_url(fragment) if fragment is not None else "./"
            return relative_url(here, page_dir(target_id)) + target.query + fragment_url(fragment)
        if target.kind == "asset":
            return relative_url(here, target.path) + target.query + fragment_url(target.fragment)
        if target.kind == "generated":
            folder = target.path + "/" if target.path else ""
            return relative_url(here, folder) + target.query + fragment_url(target.fragment)
        return raw
