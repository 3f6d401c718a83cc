"""Redirects for aliases: a small HTML page at each alias, and `_redirects` for hosts that redirect properly.

The page works on any static host and under any sub-path: its refresh and its plain link are relative URLs
(as every internal URL hubgen writes), `rel=canonical` names the page's absolute URL when `base_url` is set,
and `noindex` keeps it out of search engines; it has no `data-pagefind-body` and is never indexed. The
`_redirects` file is the format Netlify and Cloudflare Pages read: one `FROM TO 301` line per alias, both
paths from the host's root (the base path included), percent-encoded so no space or `:name` reads as syntax.
"""

from __future__ import annotations

from urllib.parse import quote

from hubgen.base.sinks import for_xml
from hubgen.build.seo import absolute_url
from hubgen.core.aliases import Alias, alias_dir, alias_site_path
from hubgen.core.aliasrules import redirected
from hubgen.core.graph import LinkGraph
from hubgen.core.layout import REDIRECTS_FILE, page_dir
from hubgen.core.links import relative_url

_PATH_SAFE = "/-._~!$&'()+,;=@"  # no ':' or '*': hosts' redirect files read those as placeholders
TITLE_CHARS = 200  # of the page's title on each redirect page: a page has up to 100 aliases


def redirect_files(graph: LinkGraph) -> list[tuple[str, str]]:
    """(output path, text) of each alias's redirect page, then `_redirects`; nothing without aliases."""
    aliases = redirected(graph)
    if not aliases:
        return []
    pages = [(alias.output, redirect_page(graph, alias)) for alias in aliases]
    return [*pages, (REDIRECTS_FILE, redirects_file(graph, aliases))]


def redirect_page(graph: LinkGraph, alias: Alias) -> str:
    page = graph.pages[alias.page]
    url = for_xml(relative_url(alias_dir(alias.path), page_dir(alias.page)))
    canonical = for_xml(absolute_url(graph, alias.page)) or url
    title = for_xml(page.title if len(page.title) <= TITLE_CHARS else page.title[:TITLE_CHARS] + "…")
    return (
        "<!doctype html>\n"
        f'<html lang="{for_xml(graph.config.language)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>Moved: {title}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{canonical}">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page has moved to <a href="{url}">{title}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )


def redirects_file(graph: LinkGraph, aliases: list[Alias]) -> str:
    base = graph.config.base_path
    lines = [
        f"{_host_path(base + alias_site_path(alias.path))} {_host_path(base + page_dir(alias.page))} 301"
        for alias in aliases
    ]
    return "\n".join(lines) + "\n"


def _host_path(path: str) -> str:
    return quote(path, safe=_PATH_SAFE)
