"""Text for the social cards: the characters the bundled font can draw, lines set from glyphs rasterised once,
and titles wrapped and cut to fit (build/cards.py draws the cards).

The font is the one Pillow ships (`ImageFont.load_default(size)`, Aileron): never a system font, so a card
looks, and its bytes are, the same on every machine. Widths are the sum of the glyphs' advances, as `set_line`
sets them, so what is measured is what is drawn. Every input is cut to `MAX_TEXT` characters first, and every
cache is bounded.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from PIL.Image import ImagePointHandler

from hubgen.core.layout import CARD_WIDTH

TITLE_LINES = 4
MAX_TEXT = 300  # characters of any text considered at all (a title is cut long before it would be drawn)
MARGIN = 80
TEXT_WIDTH = CARD_WIDTH - 2 * MARGIN

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def font(size: int) -> Font:
    return ImageFont.load_default(size=size)


# The glyphs of the font Pillow ships (Aileron, a subset): printable ASCII and these. Any other character is
# drawn as its letters without accents (NFKD: "Café" -> "Cafe"), or as `_SPELLED` spells it; what is left (other
# scripts) is drawn as the font's box. tests/test_cards.py checks the list against the font.
GLYPHS = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("©«°±´·»‘’“”…‹›⁄™")
_SPELLED = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
    "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "‐": "-", "‑": "-", "‒": "-", "–": "-",
    "—": "-", "―": "-", "„": "“", "‚": "‘", "×": "x", "→": "->", "←": "<-", "•": "·", "′": "'", "″": '"',
}  # fmt: skip


def drawable(text: str) -> str:
    """`text` in the characters the font has (see `GLYPHS`), whitespace runs as one space, at most
    `MAX_TEXT` characters."""
    text = " ".join(text[:MAX_TEXT].split())
    if all(char in GLYPHS for char in text):
        return text
    return "".join(_spelled(char) for char in text)


@functools.lru_cache(maxsize=4096)
def _spelled(char: str) -> str:
    if char in GLYPHS:
        return char
    if char in _SPELLED:
        return _SPELLED[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain if plain and all(c in GLYPHS for c in plain) else char


Patch = tuple[Image.Image | None, int, int]  # a text's pixels (palette indices), and its offset from where it is put
Glyph = tuple[Any, int, int, float]  # a character's coverage (Pillow's core image, or None), its offset, its advance


def set_line(text: str, size: int, ink: ImagePointHandler) -> Patch:
    """`text` antialiased, set from the glyphs one by one (each rasterised once per process and size; the pen
    moves by each one's advance), its coverage's levels then mapped by `ink` (to a card's palette indices)."""
    placed: list[tuple[Any, int, int]] = []
    pen = 0.0
    for char in text:
        mask, left, top, advance = _glyph(char, size)
        if mask is not None:
            placed.append((mask, round(pen) + left, top))
        pen += advance
    if not placed:
        return None, 0, 0
    x0, y0 = min(x for _, x, _ in placed), min(y for _, _, y in placed)
    width = max(x + mask.size[0] for mask, x, _ in placed) - x0
    height = max(y + mask.size[1] for mask, _, y in placed) - y0
    line = Image.new("L", (width, height), 0)
    core = line.im  # pasted into directly: Image.paste's checks cost ten times the copy of a glyph
    for mask, x, y in placed:
        x, y = x - x0, y - y0
        core.paste(mask, (x, y, x + mask.size[0], y + mask.size[1]), mask)  # overlaps: coverage adds up (nearly)
    return line.point(ink), x0, y0


@functools.lru_cache(maxsize=2048)
def _glyph(char: str, size: int) -> Glyph:
    face = font(size)
    left, top, right, bottom = (int(v) for v in face.getbbox(char))
    advance = face.getlength(char)
    if right <= left or bottom <= top:
        return None, 0, 0, advance
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, font=face, fill=255)
    return mask.im, left, top, advance


@functools.lru_cache(maxsize=8192)
def measure(text: str, size: int) -> float:
    """The width of `text` as `set_line` sets it."""
    return sum(_glyph(char, size)[3] for char in text)


def title_lines(title: str) -> tuple[int, list[str]]:
    """The title's font size and lines: large when it fits in two lines, smaller up to `TITLE_LINES`, the
    last line cut with "…" when even that is not enough."""
    words = title.split(" ")
    for size, most in ((72, 2), (60, 3)):
        lines = _wrap(words, size, most + 1)
        if len(lines) <= most:
            return size, lines
    lines = _wrap(words, 52, TITLE_LINES + 1)
    if len(lines) > TITLE_LINES:
        lines = [*lines[: TITLE_LINES - 1], fit(" ".join(lines[TITLE_LINES - 1 :]), 52, TEXT_WIDTH, force=True)]
    return 52, lines


def _wrap(words: list[str], size: int, most: int) -> list[str]:
    """Words in lines no wider than the text area (a word wider than a line is cut there), stopping once
    there are `most` lines."""
    space = measure(" ", size)
    lines: list[str] = []
    line, width = "", 0.0
    for word in words:
        wide = measure(word, size)
        if line and width + space + wide <= TEXT_WIDTH:
            line, width = f"{line} {word}", width + space + wide
            continue
        if line:
            lines.append(line)
        line, width = word, wide
        while width > TEXT_WIDTH and len(lines) < most:
            cut = _fitting(line, size, TEXT_WIDTH)
            lines.append(line[:cut])
            line = line[cut:]
            width = measure(line, size)
        if len(lines) >= most:
            return lines
    return [*lines, line] if line else lines


def _fitting(text: str, size: int, width: float) -> int:
    """How many of the first characters of `text` fit in `width` (at least one)."""
    pen = 0.0
    for count, char in enumerate(text):
        pen += _glyph(char, size)[3]
        if pen > width:
            return max(count, 1)
    return len(text)


def fit(text: str, size: int, width: float, force: bool = False) -> str:
    """One line of `text` no wider than `width`, cut with "…" when it is wider (or, with `force`, always)."""
    if not force and measure(text, size) <= width:
        return text
    cut = _fitting(text, size, width - measure("…", size))
    return text[:cut].rstrip() + "…"


# ----------------------------------------------------------------------------------------------- PNG
