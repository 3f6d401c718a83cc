"""How a parsed body becomes HTML: every URL becomes a numbered slot at parse time (filled by
`markdown.render_markdown` once the graph knows what each link means), raw HTML has its href/src values
routed the same way, and fenced code goes to Pygments."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from typing import Any, Literal

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from hubgen.core.highlight import fence_info, highlight_code
from hubgen.core.links import decode_url, is_unsafe_url

LinkKind = Literal["link", "image"]
# url as written (percent-encoded as in the HTML) -> url to write, or None to drop the attribute (unsafe)
Resolver = Callable[[str, LinkKind], str | None]
# an image's URL as written -> its (width, height) in pixels, or None when unknown
Measure = Callable[[str], tuple[int, int] | None]

SLOT_OPEN, SLOT_CLOSE = "\x02", "\x03"
# "\x02N\x03": the URL of slot N; "\x02=N\x03", in an <img> tag: its width and height, if slot N's file is known
SLOT = re.compile("\x02(=?)(\\d+)\x03")


def without_title(tokens: list[Token]) -> list[Token]:
    """A leading `# ` title is left out of the body: the theme prints the title."""
    if len(tokens) > 2 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        return tokens[3:]
    return tokens


def slot_maker(urls: list[tuple[str, LinkKind]]) -> Resolver:
    """A resolver for parse time: an unsafe URL is dropped for good, any other becomes a slot."""

    def slot(raw: str, kind: LinkKind) -> str | None:
        if is_unsafe_url(decode_url(raw), kind):
            return None
        urls.append((raw, kind))
        return f"{SLOT_OPEN}{len(urls) - 1}{SLOT_CLOSE}"

    return slot


def _render_link_open(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    token = tokens[idx]
    href = env["resolve"](str(token.attrs.get("href", "")), "link")
    attrs = {k: v for k, v in token.attrs.items() if k != "href"}
    if href is not None:
        attrs = {"href": href, **attrs}
    return self.renderToken([token.copy(attrs=attrs)], 0, options, env)


def _render_image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]) -> str:
    token = tokens[idx]
    src = env["resolve"](str(token.attrs.get("src", "")), "image") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    attrs = {"src": src, "alt": alt}
    env["images"] = env.get("images", 0) + 1
    if env["images"] > 1:  # the first image is likely on the first screen: the browser fetches it at once
        attrs["loading"] = "lazy"
    attrs |= {k: v for k, v in token.attrs.items() if k not in ("src", "alt")}
    scheme = scheme_only(str(token.attrs.get("src", "")))
    if scheme:  # shown in that colour scheme only (the theme's CSS), as on GitHub
        attrs["class"] = f"{attrs['class']} {scheme}" if attrs.get("class") else scheme
    html = str(self.renderToken([token.copy(attrs=attrs)], 0, options, env))
    slot = SLOT.fullmatch(src)
    return f"<img{SLOT_OPEN}={slot.group(2)}{SLOT_CLOSE}{html[4:]}" if slot and html.startswith("<img") else html


_HTML_URL = re.compile(
    r"""((?<![\w-])(?:xlink:)?(?:href|src|action|formaction|poster)\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""",
    re.IGNORECASE,
)


_SRCSET = re.compile(r"""((?<![\w-])srcset\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""", re.IGNORECASE)
# A srcset candidate's URL: after the start or a comma and any spaces, up to a space or comma (its width or
# density descriptor, if any, follows a space). A URL holding a comma (a data: URL) is not read whole.
_SRCSET_URL = re.compile(r"(?:^|,)\s*([^\s,]+)")


def srcset_urls(value: str) -> list[tuple[int, str]]:
    """(offset in `value`, URL) of each candidate of a srcset attribute (`a.png 1x, b.png 2x`)."""
    return [(match.start(1), match.group(1)) for match in _SRCSET_URL.finditer(value)]


def _rewrite_srcset(value: str, resolve: Resolver) -> str:
    """A srcset with each candidate's URL resolved as an image; a candidate with an unsafe URL is dropped."""
    kept: list[str] = []
    for candidate in value.split(","):
        url, space, descriptor = candidate.strip().partition(" ")
        new = resolve(url, "image") if url else None
        if new is not None:
            kept.append(new + space + descriptor.strip() if descriptor.strip() else new)
    return ", ".join(kept)


SCHEMES = ("gh-dark-mode-only", "gh-light-mode-only")  # GitHub's fragments for an image shown in one scheme


def scheme_only(url: str) -> str:
    """`gh-dark-mode-only` or `gh-light-mode-only` when an image URL ends in that fragment, as GitHub reads it;
    else ""."""
    fragment = url.rpartition("#")[2] if "#" in url else ""
    return fragment if fragment in SCHEMES else ""


def rewrite_html_urls(snippet: str, resolve: Resolver) -> str:
    """Rewrite href=, src= and srcset= values inside raw HTML; an unsafe URL loses its attribute (or, in a
    srcset, its candidate)."""

    def replace_srcset(match: re.Match[str]) -> str:
        raw = match.group(2)
        value = raw[1:-1] if raw[0] in "\"'" else raw
        return f'{match.group(1)}"{escape(_rewrite_srcset(unescape(value), resolve), quote=True)}"'

    def replace(match: re.Match[str]) -> str:
        raw = match.group(2)
        quoted = raw[0] in "\"'"
        value = raw[1:-1] if quoted else raw
        kind: LinkKind = "image" if match.group(1).strip().lower().startswith("src") else "link"
        new = resolve(unescape(value), kind)
        if new is None:
            return ""
        return f'{match.group(1)}"{escape(new, quote=True)}"'

    return _SRCSET.sub(replace_srcset, _HTML_URL.sub(replace, snippet))


def _render_html(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]) -> str:
    return rewrite_html_urls(tokens[idx].content, env["resolve"])


def _render_fence(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]) -> str:
    token = tokens[idx]
    if "mathml" in token.meta:  # a ```math fence, converted at parse time
        return str(token.meta["mathml"])
    if token.type == "code_block":
        return highlight_code(token.content, "")
    language, asked = fence_info(token.info, token.content.count("\n") + 1)
    return highlight_code(token.content, language, asked)


RENDER_RULES: dict[str, Callable[..., str]] = {
    "link_open": _render_link_open,
    "image": _render_image,
    "html_block": _render_html,
    "html_inline": _render_html,
    "fence": _render_fence,
    "code_block": _render_fence,
}
