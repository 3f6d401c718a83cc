"""Being found and shared: sitemap.xml, robots.txt, an Atom feed and JSON-LD structured data.

Pure functions of the graph. Sitemaps, feeds and JSON-LD need absolute URLs, so they are made only
when `base_url` is set (robots.txt always exists; it names the sitemap when there is one). Dates come
from pages (front matter `updated`, else git), never from the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from hubgen.base.sinks import for_xml
from hubgen.core.graph import LinkGraph
from hubgen.core.layout import FEED_FILE, ROBOTS_FILE, SITEMAP_FILE, page_dir
from hubgen.core.links import relative_url
from hubgen.core.load import Page

FEED_ENTRIES = 30
_PATH_SAFE = "/!$&'*+,;=:@~"


def seo_files(graph: LinkGraph) -> list[tuple[str, str]]:
    """(output path, text) of robots.txt, and of sitemap.xml and the feed when base_url is set."""
    files = [(ROBOTS_FILE, robots_txt(graph))]
    if graph.config.site_url:
        files += [(SITEMAP_FILE, sitemap_xml(graph)), (FEED_FILE, atom_feed(graph))]
    return files


def absolute_url(graph: LinkGraph, page_id: str) -> str:
    """The page's public URL, or '' without base_url."""
    site_url = graph.config.site_url
    return site_url + relative_url("", page_dir(page_id)).removeprefix("./") if site_url else ""


def sitemap_xml(graph: LinkGraph) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page_id, page in graph.pages.items():
        lastmod = f"<lastmod>{for_xml(page.updated)}</lastmod>" if page.updated else ""
        lines.append(f"  <url><loc>{for_xml(absolute_url(graph, page_id))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(graph: LinkGraph) -> str:
    text = "User-agent: *\nAllow: /\n"
    if graph.config.site_url:
        text += f"\nSitemap: {graph.config.site_url}{SITEMAP_FILE}\n"
    return text


def atom_feed(graph: LinkGraph) -> str:
    """The most recently updated articles, newest first, pages of one date in id order (hubs, the home page
    and articles without a date are left out). Each entry's id is its page's URL, unique to it and never
    the feed's own id (the site's URL, the home page's)."""
    dated = [(p.updated, p) for p in graph.pages.values() if p.type == "article" and p.updated]
    by_id = sorted(((updated, page) for updated, page in dated if updated), key=lambda e: e[1].id)
    entries = sorted(by_id, key=lambda e: e[0], reverse=True)[:FEED_ENTRIES]  # a stable sort: ids stay in order
    site_url = graph.config.site_url
    newest = entries[0][0] if entries else "1970-01-01"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{for_xml(graph.config.language)}">',
        f"  <title>{for_xml(graph.config.title)}</title>",
        f"  <id>{for_xml(site_url)}</id>",
        f'  <link rel="alternate" type="text/html" href="{for_xml(site_url)}"/>',
        f'  <link rel="self" type="application/atom+xml" href="{for_xml(site_url + FEED_FILE)}"/>',
        f"  <updated>{for_xml(newest)}T00:00:00Z</updated>",
        f"  <author><name>{for_xml(graph.config.title)}</name></author>",
    ]
    for updated, page in entries:
        url = for_xml(absolute_url(graph, page.id))
        lines += [
            "  <entry>",
            f"    <title>{for_xml(page.title)}</title>",
            f"    <id>{url}</id>",
            f'    <link rel="alternate" type="text/html" href="{url}"/>',
            f"    <updated>{for_xml(updated)}T00:00:00Z</updated>",
            f"    <summary>{for_xml(page.summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------- JSON-LD


def json_ld(graph: LinkGraph, page: Page, breadcrumb: Sequence[str], image: str = "") -> Markup:
    """`<script type="application/ld+json">` content for a page: safe to place inside <script>. `image`: the
    absolute URL of its picture when shared, if any."""
    items = list(_structured_data(graph, page, breadcrumb, image))
    if not items:
        return Markup("")
    return Markup(script_json(items[0] if len(items) == 1 else items))


def script_json(data: Any) -> str:
    """JSON that cannot end a <script> element or open a comment: <, > and & are escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _structured_data(graph: LinkGraph, page: Page, breadcrumb: Sequence[str], image: str) -> Iterable[dict[str, Any]]:
    url = absolute_url(graph, page.id)
    if not url:
        return
    if page.type == "article":
        yield _article(graph, page, url, image)
    if page.type != "home":
        yield _breadcrumbs(graph, page, breadcrumb)
    if page.body.faq:
        yield {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {"@type": "Question", "name": q.question, "acceptedAnswer": {"@type": "Answer", "text": q.answer}}
                for q in page.body.faq
            ],
        }
    if page.type == "hub":
        steps = [step for path in graph.paths_of(page.id) for step in path.steps]
        if steps:
            yield _item_list(graph, f"{page.title}: learning path", steps)
    track = graph.track(page.id) if page.type == "track" else None
    if track is not None and track.steps:  # the steps' own URLs: the track's fragment is no page of its own
        yield _item_list(graph, page.title, track.steps)


def _item_list(graph: LinkGraph, name: str, steps: Sequence[str]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": name,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(steps),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": absolute_url(graph, s), "name": graph.pages[s].title}
            for i, s in enumerate(steps, 1)
        ],
    }


def _article(graph: LinkGraph, page: Page, url: str, image: str) -> dict[str, Any]:
    config = graph.config
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title[:110],
        "description": page.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": graph.config.language,
        "isPartOf": {"@type": "WebSite", "name": graph.config.title, "url": graph.config.site_url},
    }
    if image:
        article["image"] = image
    author = _party(graph, "Person", config.author.name, config.author.url, config.author.logo, "image")
    publisher = _party(
        graph, "Organization", config.publisher.name, config.publisher.url, config.publisher.logo, "logo"
    )
    article |= {"author": author} if author else {}
    article |= {"publisher": publisher} if publisher else {}
    if page.published:
        article["datePublished"] = page.published
    if page.updated:
        article["dateModified"] = page.updated
    return article


def _party(graph: LinkGraph, kind: str, name: str, url: str, picture: str, key: str) -> dict[str, Any]:
    """The author (a Person, its picture as `image`) or publisher (an Organization, its `logo`) from the
    settings; {} when neither its name nor its URL is set. A picture given as a path on the site is made
    absolute."""
    if not name and not url:
        return {}
    party: dict[str, Any] = {"@type": kind}
    party |= {"name": name} if name else {}
    party |= {"url": url} if url else {}
    if picture:
        absolute = picture if "://" in picture else graph.config.site_url + quote(picture, safe=_PATH_SAFE)
        party[key] = {"@type": "ImageObject", "url": absolute}
    return party


# Default regions for `og:locale` when `language` has none: the country most readers of each language share
# pages from (Facebook's and Open Graph's own list of locales); a language not listed is given without one.
DEFAULT_REGION = {
    "en": "US", "fr": "FR", "de": "DE", "es": "ES", "it": "IT", "pt": "BR", "nl": "NL", "sv": "SE", "da": "DK",
    "nb": "NO", "nn": "NO", "no": "NO", "fi": "FI", "pl": "PL", "cs": "CZ", "sk": "SK", "ru": "RU", "uk": "UA",
    "tr": "TR", "el": "GR", "ja": "JP", "ko": "KR", "zh": "CN", "ar": "AR", "he": "IL", "hi": "IN", "id": "ID",
    "vi": "VN", "th": "TH", "ro": "RO", "hu": "HU", "bg": "BG", "hr": "HR", "ca": "ES", "et": "EE", "lt": "LT",
    "lv": "LV", "sl": "SI", "sr": "RS", "ms": "MY", "fa": "IR", "bn": "IN", "ta": "IN",
}  # fmt: skip
_SCRIPT_REGION = {"hant": "TW", "hans": "CN"}


def og_locale(language: str) -> str:
    """`og:locale` (language_TERRITORY) for a language tag: `en` -> `en_US`, `en-GB` -> `en_GB`, `zh-Hant`
    -> `zh_TW`; a tag's own region wins, then the table above, else the language alone (`eo`, `es-419`)."""
    parts = language.replace("_", "-").split("-")
    lang = parts[0].lower()
    if any(len(p) == 3 and p.isdigit() for p in parts[1:]):  # es-419, Latin America: no country to name
        return lang
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    region = region or next((_SCRIPT_REGION[p.lower()] for p in parts[1:] if p.lower() in _SCRIPT_REGION), "")
    region = region or DEFAULT_REGION.get(lang, "")
    return f"{lang}_{region}" if region else lang


def _breadcrumbs(graph: LinkGraph, page: Page, chain: Sequence[str]) -> dict[str, Any]:
    """Home › hubs › the page; `chain` is the hub ids between home and the page."""
    names = ["Home", *(graph.pages[h].title for h in chain), page.title]
    urls = [graph.config.site_url, *(absolute_url(graph, h) for h in chain), absolute_url(graph, page.id)]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(zip(names, urls, strict=True), 1)
        ],
    }
