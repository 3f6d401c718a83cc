"""Figures: an image alone in its paragraph becomes `<figure>` with a `<figcaption>` when it has a caption,
as authors write one on GitHub: an italic line right under it (in the same paragraph or the next), or the
image's title (`![alt](plot.png "Loss per epoch")`). One pass over the block tokens, after inline parsing;
the caption keeps its inline markup and links (their positions too: its token keeps the paragraph's text)."""

from __future__ import annotations

from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token


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
    children = inline.children or []
    if not children or children[0].type != "image":
        return None
    image = children[0]
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
    title = str(image.attrs.get("title", "") or "")
    if title.strip():
        del image.attrs["title"]
        text = Token("text", "", 0)
        text.content = title
        caption = Token("inline", "", 0)
        caption.children = [text]
        return _figure(tokens[index], inline, image, caption), 3
    return None


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


def _figure(paragraph: Token, inline: Token, image: Token, caption: Token) -> list[Token]:
    picture = inline.copy(children=[image])

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
