"""Figures: an image alone in its paragraph becomes `<figure>` with a `<figcaption>` when it has a caption,
as authors write one on GitHub: an italic line right under it (in the same paragraph or the next), or the
image's title (`![alt](plot.png "Loss per epoch")`). One pass over the block tokens, after inline parsing;
the caption keeps its inline markup and links (their positions too: its token keeps the paragraph's text)."""

from __future__ import annotations

from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from hubgen.core.bodyhtml import SCHEMES, scheme_only


def figures_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("figures", _find_figures)


def _find_figures(state: Any) -> None:
    tokens: list[Token] = state.tokens
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        found = _figure_at(tokens, index)
        if found is None:
            out.append(tokens[index])
            index += 1
            continue
        made, used = found
        out += made
        index += used
    state.tokens = out


def _figure_at(tokens: list[Token], index: int) -> tuple[list[Token], int] | None:
    """The figure's tokens and how many tokens they replace, if a figure starts at `index`."""
    if not _plain_paragraph(tokens, index):
        return None
    inline = tokens[index + 1]
    images = _scheme_pair(inline.children or [])
    if not images:
        return None
    children = images[-1:] + (inline.children or [])[2 * len(images) - 1 :]  # the last image, then the rest
    image = children[0] if len(images) < 2 else images
    if len(children) > 2 and children[1].type == "softbreak" and _italic(children[2:]):
        caption = _inline_like(inline, children[3:-1])
        return _figure(tokens[index], inline, image, caption), 3
    if len(children) > 1:
        return None
    following = index + 3
    if _plain_paragraph(tokens, following) and _italic(tokens[following + 1].children or []):
        later = tokens[following + 1]
        caption = _inline_like(later, (later.children or [])[1:-1])
        return _figure(tokens[index], inline, image, caption), 6
    if isinstance(image, list):  # a pair of images takes its caption from the line under it only
        return None
    title = str(image.attrs.get("title", "") or "")
    if title.strip():
        del image.attrs["title"]
        text = Token("text", "", 0)
        text.content = title
        caption = Token("inline", "", 0)
        caption.children = [text]
        return _figure(tokens[index], inline, image, caption), 3
    return None


def _scheme_pair(children: list[Token]) -> list[Token]:
    """The images a paragraph starts with: one, or, as GitHub readers write an image for each colour scheme,
    two on consecutive lines whose URLs end in `#gh-light-mode-only` and `#gh-dark-mode-only`."""
    if not children or children[0].type != "image":
        return []
    pair = children[:3]
    if len(pair) == 3 and pair[1].type == "softbreak" and pair[2].type == "image":
        schemes = {scheme_only(str(image.attrs.get("src", ""))) for image in (pair[0], pair[2])}
        if schemes == set(SCHEMES):
            return [pair[0], pair[2]]
    return children[:1]


def _plain_paragraph(tokens: list[Token], index: int) -> bool:
    """A paragraph that shows as one (not a tight list item's, whose <p> is hidden)."""
    return (
        index + 2 < len(tokens)
        and tokens[index].type == "paragraph_open"
        and not tokens[index].hidden
        and tokens[index + 1].type == "inline"
        and tokens[index + 2].type == "paragraph_close"
    )


def _italic(children: list[Token]) -> bool:
    """Whether the tokens are exactly one emphasis: `*…*` or `_…_` from the first to the last."""
    if len(children) < 2 or children[0].type != "em_open" or children[-1].type != "em_close":
        return False
    depth = 0
    for child in children[:-1]:
        depth += child.nesting if child.type in ("em_open", "em_close") else 0
        if depth == 0:
            return False  # the first emphasis closes before the end: `*a* and *b*`
    return True


def _inline_like(inline: Token, children: list[Token]) -> Token:
    """An inline token over the same text and lines as `inline` (its links keep their positions)."""
    return inline.copy(children=children)


def _figure(paragraph: Token, inline: Token, image: Token | list[Token], caption: Token) -> list[Token]:
    """The figure's tokens; two images (one per colour scheme) stay on two lines, as written."""
    images = image if isinstance(image, list) else [image]
    between = [Token("softbreak", "br", 0)] * (len(images) - 1)
    picture = inline.copy(children=[images[0], *between, *images[1:]])

    def block(kind: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        return Token(kind, tag, nesting, map=paragraph.map, level=paragraph.level, block=True)

    return [
        block("figure_open", "figure", 1),
        picture,
        block("figcaption_open", "figcaption", 1),
        caption,
        block("figcaption_close", "figcaption", -1),
        block("figure_close", "figure", -1),
    ]
