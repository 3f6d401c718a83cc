"""Aliases: old ids or site paths that now lead to a page (front matter `aliases`).

An alias is written as a page id (`basics/old-name`) or as a path from the site root (`/basics/old-name/`,
with or without the `base_url` sub-path); a trailing `/` is optional. The build writes a redirect page at
each: `<alias>/index.html`, or the path itself when it ends in `.html` (an old site's `2019/post.html`).
`read_alias` says where an alias goes or why it cannot be one; collisions with pages, files, generated
paths and other aliases are layout.py's one rule. Every check here is linear in the alias's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubgen.core.layout import HOME_FILE, page_dir

MAX_ALIASES = 100  # per page: each is a redirect page the build writes
MAX_ALIAS_BYTES = 1024  # an alias longer than this is malformed
MAX_SEGMENT_BYTES = 200  # as a page id's names (guard.MAX_NAME_BYTES)
# What a URL path or a host's redirect file reads as syntax, what a file listing or a diff shows other than it is
# (bidirectional overrides, line separators, zero-width characters), and ':' (a drive or a stream on Windows).
_FORBIDDEN = re.compile(
    '[\x00-\x1f\x7f-\x9f\\\\?#%*"<>|:\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff]'
)
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_PAGE_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class Alias:
    """`page.aliases` item `text`, at `line`:`column` of the page's file: `path` is where its redirect goes
    ("basics/old" for the folder basics/old/, "old/post.html" for that file), or "" with `problem` said."""

    page: str
    text: str
    line: int
    column: int
    path: str
    problem: str = ""

    @property
    def output(self) -> str:
        """The file its redirect page is written to."""
        return alias_output(self.path)


def read_alias(text: str, base_path: str) -> tuple[str, str]:
    """(path, "") for a well-formed alias, ("", why not) otherwise."""
    if _SCHEME.match(text) or text.startswith("//"):
        return "", "is a URL; an alias is a path on this site (an old id or /old/path/)"
    path = text
    if path.startswith("/") and base_path != "/" and (path + "/").startswith(base_path):
        path = path[len(base_path) - 1 :]
    path = path.strip("/")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_ALIAS_BYTES:
        return "", f"is longer than {MAX_ALIAS_BYTES} bytes"
    if not path:
        return "", "is the site root, which is the home page"
    bad = _FORBIDDEN.search(path)
    if bad:
        shown = repr(bad.group(0)) if bad.group(0).isprintable() else "an invisible or control"
        return (
            "",
            f"holds {shown} character, which a URL path, a host's redirect file or a file listing reads otherwise",
        )
    for segment in path.split("/"):
        if not segment or segment.startswith((".", ":")):
            return "", f"has the part '{segment}': empty, '.'/'..', hidden or ':'-led parts are not site paths"
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            return "", f"has a part longer than {MAX_SEGMENT_BYTES} bytes"
        if segment.endswith((".", " ")) or segment.split(".")[0].lower() in _WINDOWS_DEVICES:
            return "", f"has the part '{segment}', which Windows reads as another name or a device"
    if path.endswith((".md", "/" + HOME_FILE)) or path == HOME_FILE:
        return "", "names a file, not a page: write the old id (without .md or index.html)"
    return path, ""


def alias_output(path: str) -> str:
    """The redirect page's file: the path itself for an `.html` alias, else the folder's index.html."""
    return path if path.endswith(_PAGE_SUFFIXES) else page_dir(path) + HOME_FILE


def alias_dir(path: str) -> str:
    """The folder the redirect page is read from (relative URLs resolve from here)."""
    output = alias_output(path)
    return output[: output.rfind("/") + 1]


def alias_site_path(path: str) -> str:
    """What a reader requests for the alias, relative to the site root: "basics/old/" or "old/post.html"."""
    return path if path.endswith(_PAGE_SUFFIXES) else page_dir(path)


def alias_key(path: str) -> str:
    """How a link's path (relative to content/, `.md` or `index.html` kept) finds an alias: "basics/old"."""
    key = path.removesuffix(".md").removesuffix("/" + HOME_FILE).removesuffix("/index").removesuffix("/README")
    return key.strip("/")
