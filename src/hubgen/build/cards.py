"""Social cards: the picture a link to a page shows when it is shared, drawn at build time with Pillow.

One 1200×630 PNG per published page (articles, hubs, the home page; never drafts, aliases or a page whose
front matter names its own `image`), at `card.png` beside the page's index.html: the page's hub, its title
(wrapped, at most `TITLE_LINES` lines, the last cut with "…"), the site's name and, for an article on a
learning path, "Step k of n" (for a hub, its number of pages), in the theme's light colours.

Output is a function of what the card shows (`CardFacts`) and of the versions of Pillow, FreeType and zlib,
which are in each card's cache key: the font is the one Pillow ships (`ImageFont.load_default`), never a
system font, so the same facts make the same bytes on every machine with the same Pillow. Cards are kept in
the build cache's `cards` store under that key, so a warm build draws none; workers store what they draw
themselves, a batch at a time, so a site's cards never gather in one process (as rendered pages do).

Speed: the canvas is an 8-bit image whose values are palette indices (mode "L", made "P" just before saving),
the background with the site's name is drawn once per process, each text is rasterised once into a mask
whose levels map to a 16-step ramp between its background and its colour, and the PNG is written with zlib
level 1 (no filtering for palette images): about 1.5 ms a card.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features
from PIL.Image import ImagePointHandler

from hubgen.base.cache import BuildCache, key_for
from hubgen.base.progress import Progress
from hubgen.core.graph import LinkGraph
from hubgen.core.layout import CARD_HEIGHT, CARD_WIDTH, Stored, card_file, has_card

CARD_VERSION = 1  # bump when the drawing changes: every card gets a new key
POOL_THRESHOLD = 400  # fewer cards to draw than this are drawn in-process: forking costs more than it saves
BATCH = 200  # cards drawn between two stores into the cache
TITLE_LINES = 4
MAX_TEXT = 300  # characters of any text considered at all (a title is cut long before it would be drawn)

# The theme's light palette (templates/static/style.css): --bg, --accent-soft, --accent, --fg, --muted.
WHITE, SOFT, ACCENT, FG, MUTED = (
    (255, 255, 255),
    (0xED, 0xF3, 0xFE),
    (0x0B, 0x5B, 0xD3),
    (0x1D, 0x23, 0x2B),
    (
        0x59,
        0x62,
        0x6D,
    ),
)
_BASE = (WHITE, SOFT, ACCENT, FG, MUTED)  # palette indices 0..4
_RAMPS = ((0, FG), (0, ACCENT), (1, FG), (1, MUTED))  # (background index, colour): palette 16.., 32.., ...
TITLE_INK, CONTEXT_INK, SITE_INK, STEP_INK = 0, 1, 2, 3
_LEVELS = 16

MARGIN = 80
TEXT_WIDTH = CARD_WIDTH - 2 * MARGIN
FOOTER_TOP = 500


@dataclass(frozen=True)
class CardFacts:
    """Everything a card shows: a card is a function of these (and of the drawing code and libraries)."""

    title: str
    context: str  # the hub's title (on the home page, the site's description)
    step: str  # "Step 3 of 7", "12 pages" or ""
    site: str


def cards_of(graph: LinkGraph) -> dict[str, CardFacts]:
    """Output path -> facts of every card the site gets (`social_cards` on), in the graph's order, the home
    page's first when hubgen generates it."""
    config = graph.config
    if not config.social_cards:
        return {}
    found: dict[str, CardFacts] = {}
    if "" not in graph.pages:
        found[card_file("")] = CardFacts(config.title, config.description, "", config.title)
    for page_id, page in graph.pages.items():
        if has_card(page.draft, page.front.values, True):
            found[card_file(page_id)] = card_facts(graph, page_id)
    return found


def card_facts(graph: LinkGraph, page_id: str) -> CardFacts:
    page, config = graph.pages[page_id], graph.config
    if page.type == "home":
        return CardFacts(page.title, config.description, "", config.title)
    hub = graph.hub_of.get(page_id)
    context = graph.pages[hub].title if hub else ""
    step = ""
    if page.type == "hub":
        count = len(graph.members(page_id))
        step = f"{count} page" + ("" if count == 1 else "s") if count else ""
    elif page_id in graph.position:
        index, number = graph.position[page_id]
        step = f"Step {number + 1} of {len(graph.paths[index].steps)}"
    return CardFacts(page.title, context, step, config.title)


@functools.cache
def _libraries() -> str:
    """What the bytes of a card depend on besides its facts and this module."""
    import PIL

    return f"card {CARD_VERSION} pillow {PIL.__version__} freetype {features.version('freetype2')} " + (
        f"zlib {zlib.ZLIB_RUNTIME_VERSION}"
    )


def card_key(facts: CardFacts) -> str:
    return key_for(_libraries(), facts.title, facts.context, facts.step, facts.site)


# -------------------------------------------------------------------------------------------- drawing


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


@functools.cache
def _palette() -> bytes:
    colours = list(_BASE) + [WHITE] * (16 - len(_BASE))
    for background, ink in _RAMPS:
        start = _BASE[background]
        colours += [_mix(start, ink, level / (_LEVELS - 1)) for level in range(_LEVELS)]
    return bytes(channel for colour in colours for channel in colour)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


class _Ramp(ImagePointHandler):
    """Mask level (0..255) -> palette index: 0 is the background's own index, the others the ink's ramp. A
    point handler, so the table is used as it is (`Image.point` would round each of its 256 entries again
    on every call: a third of a card's time)."""

    def __init__(self, ink: int) -> None:
        background, start = _RAMPS[ink][0], 16 + ink * _LEVELS
        self.table = [background if v == 0 else start + max(1, round(v * (_LEVELS - 1) / 255)) for v in range(256)]

    def point(self, im: Image.Image) -> Image.Image:
        return im._new(im.im.point(self.table, None))


@functools.cache
def _lut(ink: int) -> _Ramp:
    return _Ramp(ink)


@functools.lru_cache(maxsize=4)
def _background(site: str) -> Image.Image:
    """The canvas every card of a site starts from: the accent bar, the footer band and the site's name. It is
    one pixel wider than the card: column 0 is each row's PNG filter byte (0, none), so the canvas's bytes are
    the PNG's image data as they are."""
    canvas = Image.new("L", (STRIDE, CARD_HEIGHT), 0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((1, 0, STRIDE - 1, 13), fill=2)
    draw.rectangle((1, FOOTER_TOP, STRIDE - 1, CARD_HEIGHT - 1), fill=1)
    draw.rectangle((1 + MARGIN, FOOTER_TOP + 52, 1 + MARGIN + 15, FOOTER_TOP + 67), fill=2)
    font = _font(36)
    _text(canvas, (MARGIN + 32, FOOTER_TOP + 40), _fit(site, font, TEXT_WIDTH - 360), font, SITE_INK)
    return canvas


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


def draw_card(facts: CardFacts) -> bytes:
    """The card's PNG."""
    facts = CardFacts(*(drawable(text) for text in (facts.title, facts.context, facts.step, facts.site)))
    site = facts.site
    canvas = _background(site).copy()
    rows: list[tuple[int, int]] = []  # the rows text was drawn in: only those are compressed for this card
    if facts.context.strip():
        rows.append(_paste(canvas, (MARGIN, 64), _shared(_fit(facts.context, _font(34), TEXT_WIDTH), 34, CONTEXT_INK)))
    size, lines = _title_lines(facts.title)
    y = 128
    for line in lines:
        rows.append(_paste(canvas, (MARGIN, y), _patch(line, _font(size), TITLE_INK)))
        y += round(size * 1.22)
    if facts.step:
        step = _fit(facts.step, _font(32), 320)
        x = CARD_WIDTH - MARGIN - round(_font(32).getlength(step))
        rows.append(_paste(canvas, (x, FOOTER_TOP + 42), _shared(step, 32, STEP_INK)))
    return _png(canvas, site, rows)


Patch = tuple[Image.Image | None, int, int]  # a text's pixels (palette indices), and its offset from where it is put


def _text(canvas: Image.Image, at: tuple[int, int], text: str, font: Font, ink: int) -> tuple[int, int]:
    return _paste(canvas, at, _patch(text, font, ink))


def _paste(canvas: Image.Image, at: tuple[int, int], patch: Patch) -> tuple[int, int]:
    """A text's patch with its top left at `at` on the card; the rows it covers."""
    pixels, left, top = patch
    if pixels is None:
        return (0, 0)
    canvas.paste(pixels, (1 + at[0] + left, at[1] + top))
    return at[1] + top, at[1] + top + pixels.height


@functools.lru_cache(maxsize=1024)
def _shared(text: str, size: int, ink: int) -> Patch:
    """The patch of a text many cards show (a hub's title, "Step 2 of 5"), made once."""
    return _patch(text, _font(size), ink)


def _patch(text: str, font: Font, ink: int) -> Patch:
    """`text` antialiased: its mask's levels become palette indices of the ink's ramp."""
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    if right <= left or bottom <= top:
        return None, 0, 0
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255)
    return mask.point(_lut(ink)), left, top


# ----------------------------------------------------------------------------------------------- PNG

STRIDE = CARD_WIDTH + 1  # a row of image data: its filter byte, then one byte (a palette index) a pixel
BAND = 16  # rows drawn in are compressed in whole bands of this many rows, so the others repeat from card to card
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(canvas: Image.Image, site: str, drawn: Iterable[tuple[int, int]]) -> bytes:
    """A palette PNG of the canvas (its bytes are the image data). Its zlib stream is pieced together from
    deflate segments, each ended with a full flush (byte-aligned, no back-references across it): the rows no
    text was drawn in are the background's, compressed once per site and band; only the others are
    compressed for this card."""
    bands = _bands(drawn)
    pieces: list[bytes] = [b"\x78\x01"]
    adler, start = 1, 0
    for first, end in [*bands, (CARD_HEIGHT, CARD_HEIGHT)]:
        if first > start:
            packed, checksum = _plain_rows(site, start, first)
            pieces.append(packed)
            adler = _adler_combine(adler, checksum, (first - start) * STRIDE)
        if end > first:
            rows = canvas.crop((0, first, STRIDE, end)).tobytes()
            pieces.append(_deflate(rows))
            adler = _adler_combine(adler, zlib.adler32(rows), (end - first) * STRIDE)
        start = end
    pieces += [b"\x03\x00", adler.to_bytes(4, "big")]  # an empty final block, then the stream's checksum
    header = CARD_WIDTH.to_bytes(4, "big") + CARD_HEIGHT.to_bytes(4, "big") + bytes((8, 3, 0, 0, 0))
    return b"".join(
        (_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"PLTE", _palette()), _chunk(b"IDAT", b"".join(pieces)),
         _chunk(b"IEND", b""))
    )  # fmt: skip


def _bands(drawn: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The rows drawn in, widened to whole bands and merged, in order."""
    marked: set[int] = set()
    for top, bottom in drawn:
        marked.update(range(max(0, top) // BAND, (min(bottom, CARD_HEIGHT) + BAND - 1) // BAND))
    bands: list[tuple[int, int]] = []
    for band in sorted(marked):
        first, end = band * BAND, min((band + 1) * BAND, CARD_HEIGHT)
        if bands and bands[-1][1] == first:
            bands[-1] = (bands[-1][0], end)
        else:
            bands.append((first, end))
    return bands


@functools.lru_cache(maxsize=512)
def _plain_rows(site: str, start: int, end: int) -> tuple[bytes, int]:
    """The background's rows `start` to `end`, deflated, and their Adler-32."""
    rows = _background(site).tobytes()[start * STRIDE : end * STRIDE]
    return _deflate(rows), zlib.adler32(rows)


def _deflate(rows: bytes | memoryview) -> bytes:
    """Raw deflate of `rows` (run-length matching: palette rows are runs), ended by a full flush."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return packer.compress(rows) + packer.flush(zlib.Z_FULL_FLUSH)


def _adler_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 of two pieces of data from each one's and the second's length (zlib's adler32_combine)."""
    base = 65521
    rest = length % base
    low = ((first & 0xFFFF) + (second & 0xFFFF) + base - 1) % base
    high = (rest * (first & 0xFFFF) + (first >> 16) + (second >> 16) + base - rest) % base
    return (high << 16) | low


def _chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def _title_lines(title: str) -> tuple[int, list[str]]:
    """The title's font size and lines: large when it fits in two lines, smaller up to `TITLE_LINES`, the
    last line cut with "…" when even that is not enough."""
    words = " ".join(title[:MAX_TEXT].split()).split(" ")
    for size, most in ((72, 2), (60, 3)):
        lines = _wrap(words, size, most + 1)
        if len(lines) <= most:
            return size, lines
    font = _font(52)
    lines = _wrap(words, 52, TITLE_LINES + 1)
    if len(lines) > TITLE_LINES:
        lines = [*lines[: TITLE_LINES - 1], _fit(" ".join(lines[TITLE_LINES - 1 :]), font, TEXT_WIDTH, force=True)]
    return 52, lines


def _wrap(words: list[str], size: int, most: int) -> list[str]:
    """Words in lines no wider than the text area (a word wider than a line is cut there), stopping once
    there are `most` lines. A line's width is its words' and spaces' (each word measured once)."""
    font, space = _font(size), _width(" ", size)
    lines: list[str] = []
    line, width = "", 0.0
    for word in words:
        wide = _width(word, size)
        if line and width + space + wide <= TEXT_WIDTH:
            line, width = f"{line} {word}", width + space + wide
            continue
        if line:
            lines.append(line)
        line, width = word, wide
        while width > TEXT_WIDTH and len(lines) < most:
            cut = _longest(line, font, TEXT_WIDTH)
            lines.append(line[:cut])
            line = line[cut:]
            width = font.getlength(line)
        if len(lines) >= most:
            return lines
    return [*lines, line] if line else lines


@functools.lru_cache(maxsize=8192)
def _width(word: str, size: int) -> float:
    return _font(size).getlength(word)


def _longest(text: str, font: Font, width: int) -> int:
    """How many of the first characters of `text` fit in `width` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _fit(text: str, font: Font, width: int, force: bool = False) -> str:
    """One line of `text` no wider than `width`, cut with "…" when it is wider (or, with `force`, always)."""
    text = " ".join(text[:MAX_TEXT].split())
    if not force and font.getlength(text) <= width:
        return text
    cut = _longest(text + "…", font, width) - 1
    while cut > 0 and font.getlength(text[:cut].rstrip() + "…") > width:
        cut -= 1
    return text[:cut].rstrip() + "…"


# ---------------------------------------------------------------------------------------- drawing many


def card_outputs(
    cards: Mapping[str, CardFacts], store: Path | None, jobs: int, progress: Progress
) -> tuple[list[tuple[str, bytes | Stored]], int]:
    """(output path, card) of every card, and how many were drawn now. With a build cache folder (`store`),
    each card is left in its `cards` store (`Stored`), drawn only when the store does not hold its key
    already; without one (`build --no-cache`) every card is drawn and returned."""
    keys = {path: card_key(facts) for path, facts in cards.items()}
    if store is None:
        drawn = [(path, draw_card(facts)) for path, facts in cards.items()]
        return list[tuple[str, bytes | Stored]](drawn), len(drawn)
    cache = BuildCache(store).entries("cards")
    try:
        held = cache.present(keys.values())
        todo = {key: cards[path] for path, key in keys.items() if key not in held}
        stored = _draw_all(list(todo.items()), store, jobs, progress)
        if not stored:  # the store refused them (a read-only cache): the cards go into the site as bytes
            made = {key: draw_card(facts) for key, facts in todo.items()}
            return [(path, made.get(key) or Stored(key, "cards")) for path, key in keys.items()], len(todo)
        cache.prune(keys.values())
    finally:
        cache.close()
    return [(path, Stored(key, "cards")) for path, key in keys.items()], len(todo)


_TODO: list[tuple[str, CardFacts]] = []  # set in the parent just before the fork: workers take slices of it
_STORE: Path | None = None


def _draw_all(todo: list[tuple[str, CardFacts]], store: Path, jobs: int, progress: Progress) -> bool:
    """Draw and store every (key, facts) of `todo`, in forked workers when there are enough; whether all
    were stored."""
    global _TODO, _STORE
    spans = [(start, min(start + BATCH, len(todo))) for start in range(0, len(todo), BATCH)]
    if jobs <= 1 or len(todo) < POOL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return all(_report(progress, len(todo), (_store_batch(todo[a:b], store) for a, b in spans), spans))
    _TODO, _STORE = todo, store
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return all(_report(progress, len(todo), pool.map(_draw_span, spans), spans))
    finally:
        _TODO, _STORE = [], None


def _report(progress: Progress, total: int, results: Iterable[bool], spans: list[tuple[int, int]]) -> Iterator[bool]:
    for (_, end), ok in zip(spans, results, strict=True):
        progress("cards", end, total)
        yield ok


def _draw_span(span: tuple[int, int]) -> bool:
    assert _STORE is not None
    return _store_batch(_TODO[span[0] : span[1]], _STORE)


def _store_batch(batch: list[tuple[str, CardFacts]], store: Path) -> bool:
    made = {key: draw_card(facts) for key, facts in batch}
    cache = BuildCache(store).entries("cards")
    try:
        return cache.put_many(made)
    finally:
        cache.close()


class CardDrawer:
    """`hubgen serve`: cards drawn when they are asked for, the last few kept (a site's cards are never all
    in memory); a card whose facts changed has a new key, so it is drawn again."""

    def __init__(self, most: int = 64) -> None:
        self.facts: dict[str, CardFacts] = {}  # key -> facts, for the cards of the site being served
        self._keys: dict[CardFacts, str] = {}  # and back (a key is a digest: made once per facts)
        self._drawn: dict[str, bytes] = {}
        self._most = most
        self._lock = threading.Lock()  # the server's request threads ask at once

    def update(self, cards: Mapping[str, CardFacts]) -> dict[str, str]:
        """Output path -> key of each card; the facts kept are those of these cards."""
        known = self._keys
        self._keys = {facts: known.get(facts) or card_key(facts) for facts in cards.values()}
        self.facts = {key: facts for facts, key in self._keys.items()}
        return {path: self._keys[facts] for path, facts in cards.items()}

    def card(self, key: str) -> bytes | None:
        facts = self.facts.get(key)
        if facts is None:
            return None
        with self._lock:
            if key not in self._drawn:
                if len(self._drawn) >= self._most:
                    del self._drawn[next(iter(self._drawn))]
                self._drawn[key] = draw_card(facts)
            return self._drawn[key]
