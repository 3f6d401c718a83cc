"""Social cards: the picture a link to a page shows when it is shared, drawn at build time with Pillow.

One 1200×630 PNG per published page (articles, hubs, the home page; never drafts, aliases or a page whose
front matter names its own `image`), at `card.png` beside the page's index.html: the page's hub, its title
(wrapped, at most four lines, the last cut with "…": cardtext.py sets the text), the site's name and, for an
article on a learning path, "Step k of n" (for a hub, its number of pages), in the theme's light colours.

Output is a function of what the card shows (`CardFacts`) and of the versions of Pillow, FreeType and
Python's zlib, which are in each card's cache key: the font is the one Pillow ships
(`ImageFont.load_default`), never a system font, so the same facts make the same bytes on every machine with
the same libraries. Cards are kept in the build cache's `cards` store under that key, so a warm build draws
none; they are stored a batch at a time as workers draw them, so a site's cards never gather in memory.

Speed (about 0.5 ms a card, a fifth of what Pillow's own drawing and PNG writer took): the card is a 4-bit
palette PNG written here; its canvas holds palette indices; the background with the site's name is drawn
once per process; each glyph is rasterised once per process and size, and a line of text is set from
them, its coverage then mapped to a few shades between its background and its colour; and only the rows
text was drawn in are compressed for each card (zlib's run-length mode), the others' deflated bytes
being the background's, made once (see `_png`).
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, features
from PIL.Image import ImagePointHandler

from hubgen.base.cache import BuildCache, key_for
from hubgen.base.progress import Progress
from hubgen.build.cardtext import MARGIN, TEXT_WIDTH, Patch, drawable, fit, measure, set_line, title_lines
from hubgen.core.graph import LinkGraph
from hubgen.core.layout import CARD_HEIGHT, CARD_WIDTH, Stored, card_file, has_card

CARD_VERSION = 1  # bump when the drawing changes: every card gets a new key
POOL_THRESHOLD = 400  # fewer cards to draw than this are drawn in-process: forking costs more than it saves
BATCH = 100  # cards drawn between two stores into the cache (and a worker's share of the work)

# The theme's light palette (templates/static/style.css): --bg, --accent-soft, --accent, --fg, --muted.
WHITE = (0xFF, 0xFF, 0xFF)
SOFT = (0xED, 0xF3, 0xFE)
ACCENT = (0x0B, 0x5B, 0xD3)
FG = (0x1D, 0x23, 0x2B)
MUTED = (0x59, 0x62, 0x6D)
_BASE = (WHITE, SOFT, ACCENT, FG, MUTED)  # palette indices 0..4
# Each text's ink: (its background's index, its colour's index, how many shades between them). The card is a
# 4-bit PNG, so the 16 colours are the five above and 11 shades: most for the title, the largest text.
_RAMPS = ((0, 3, 6), (0, 2, 2), (1, 3, 2), (1, 4, 1))
TITLE_INK, CONTEXT_INK, SITE_INK, STEP_INK = 0, 1, 2, 3

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


@functools.cache
def _palette() -> bytes:
    colours = list(_BASE)
    for background, ink, shades in _RAMPS:
        colours += [_mix(_BASE[background], _BASE[ink], level / (shades + 1)) for level in range(1, shades + 1)]
    assert len(colours) == 16
    return bytes(channel for colour in colours for channel in colour)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


class _Ramp(ImagePointHandler):
    """Mask level (0..255) -> palette index: 0 is the background's own index, the others the ink's ramp. A
    point handler, so the table is used as it is (`Image.point` would round each of its 256 entries again
    on every call: a third of a card's time)."""

    def __init__(self, ink: int) -> None:
        background, colour, shades = _RAMPS[ink]
        first = len(_BASE) + sum(ramp[2] for ramp in _RAMPS[:ink])  # the index of this ink's first shade
        steps = [background, *range(first, first + shades), colour]
        self.table = [steps[round(v * (shades + 1) / 255)] for v in range(256)]

    def point(self, im: Image.Image) -> Image.Image:
        return im._new(im.im.point(self.table, None))


@functools.cache
def _lut(ink: int) -> _Ramp:
    return _Ramp(ink)


@functools.lru_cache(maxsize=4)
def _background(site: str) -> Image.Image:
    """The canvas every card of a site starts from: the accent bar, the footer band and the site's name. Its
    pixels are palette indices, and it is two pixels wider than the card: packed two pixels a byte, columns 0
    and 1 are each row's PNG filter byte (0, none), so the packed canvas is the PNG's image data as it is."""
    canvas = Image.new("L", (LEFT + CARD_WIDTH, CARD_HEIGHT), 0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((LEFT, 0, LEFT + CARD_WIDTH - 1, 13), fill=2)
    draw.rectangle((LEFT, FOOTER_TOP, LEFT + CARD_WIDTH - 1, CARD_HEIGHT - 1), fill=1)
    draw.rectangle((LEFT + MARGIN, FOOTER_TOP + 52, LEFT + MARGIN + 15, FOOTER_TOP + 67), fill=2)
    _paste(canvas, (MARGIN + 32, FOOTER_TOP + 40), set_line(fit(site, 36, TEXT_WIDTH - 360), 36, _lut(SITE_INK)))
    return canvas


def draw_card(facts: CardFacts) -> bytes:
    """The card's PNG."""
    facts = CardFacts(*(drawable(text) for text in (facts.title, facts.context, facts.step, facts.site)))
    canvas = _background(facts.site).copy()
    rows: list[tuple[int, int]] = []  # the rows text was drawn in: only those are compressed for this card
    if facts.context:
        rows.append(_paste(canvas, (MARGIN, 64), _shared(fit(facts.context, 34, TEXT_WIDTH), 34, CONTEXT_INK)))
    size, lines = title_lines(facts.title)
    y = 128
    for line in lines:
        rows.append(_paste(canvas, (MARGIN, y), set_line(line, size, _lut(TITLE_INK))))
        y += round(size * 1.22)
    if facts.step:
        step = fit(facts.step, 32, 320)
        x = CARD_WIDTH - MARGIN - round(measure(step, 32))
        rows.append(_paste(canvas, (x, FOOTER_TOP + 42), _shared(step, 32, STEP_INK)))
    return _png(canvas, facts.site, rows)


def _paste(canvas: Image.Image, at: tuple[int, int], patch: Patch) -> tuple[int, int]:
    """A text's patch with its top left at `at` on the card; the rows it covers."""
    pixels, left, top = patch
    if pixels is None:
        return (0, 0)
    canvas.paste(pixels, (LEFT + at[0] + left, at[1] + top))
    return at[1] + top, at[1] + top + pixels.height


@functools.lru_cache(maxsize=256)
def _shared(text: str, size: int, ink: int) -> Patch:
    """The patch of a text many cards show (a hub's title, "Step 2 of 5"), made once (at most 256 are kept,
    each at most a line of the card: 10 MB)."""
    return set_line(text, size, _lut(ink))


LEFT = 2  # the canvas's columns before the card's: the filter byte, packed
STRIDE = (LEFT + CARD_WIDTH) // 2  # a row of image data: its filter byte, then two pixels (palette indices) a byte
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
            rows = canvas.crop((0, first, LEFT + CARD_WIDTH, end)).tobytes("raw", "L;4")
            pieces.append(_deflate(rows))
            adler = _adler_combine(adler, zlib.adler32(rows), (end - first) * STRIDE)
        start = end
    pieces += [b"\x03\x00", adler.to_bytes(4, "big")]  # an empty final block, then the stream's checksum
    header = CARD_WIDTH.to_bytes(4, "big") + CARD_HEIGHT.to_bytes(4, "big") + bytes((4, 3, 0, 0, 0))
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
    rows = _background(site).crop((0, start, LEFT + CARD_WIDTH, end)).tobytes("raw", "L;4")
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


# ---------------------------------------------------------------------------------------- drawing many


def card_outputs(
    cards: Mapping[str, CardFacts], store: Path | None, jobs: int, progress: Progress
) -> tuple[list[tuple[str, bytes | Stored]], int]:
    """(output path, card) of every card, and how many were drawn now. With a build cache folder (`store`),
    each card is left in its `cards` store (`Stored`), drawn only when the store does not hold its key
    already; without one (`build --no-cache`), or when the store will not take them, the cards drawn are
    returned as bytes."""
    keys = {path: card_key(facts) for path, facts in cards.items()}
    cache = BuildCache(store).entries("cards") if store is not None else None
    loose: dict[str, bytes] = {}  # cards no store holds
    try:
        held = cache.present(keys.values()) if cache is not None else set()
        todo = list({key: cards[path] for path, key in keys.items() if key not in held}.items())
        for done, made in _drawn(todo, jobs):
            if cache is None or not cache.put_many(made):
                loose |= made
            progress("cards", done, len(todo))
        if cache is not None:
            cache.prune(keys.values())
    finally:
        if cache is not None:
            cache.close()
    return [(path, loose.get(key) or Stored(key, "cards")) for path, key in keys.items()], len(todo)


_TODO: list[tuple[str, CardFacts]] = []  # set in the parent just before the fork: workers take slices of it


def _drawn(todo: list[tuple[str, CardFacts]], jobs: int) -> Iterator[tuple[int, dict[str, bytes]]]:
    """(cards drawn so far, key -> PNG of the next batch of them): in forked workers when there are enough
    cards to pay for them, else here. Only this process stores them (one writer: SQLite makes concurrent ones
    wait), a batch at a time, so a site's cards never gather in memory."""
    global _TODO
    spans = [(start, min(start + BATCH, len(todo))) for start in range(0, len(todo), BATCH)]
    if jobs <= 1 or len(todo) < POOL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        for start, end in spans:
            yield end, _draw_span((start, end), todo)
        return
    _TODO = todo
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for (_, end), made in zip(spans, pool.map(_draw_span, spans), strict=True):
                yield end, made
    finally:
        _TODO = []


def _draw_span(span: tuple[int, int], todo: list[tuple[str, CardFacts]] | None = None) -> dict[str, bytes]:
    return {key: draw_card(facts) for key, facts in (_TODO if todo is None else todo)[span[0] : span[1]]}


class CardDrawer:
    """`hubgen serve`: cards drawn when they are asked for, the last few kept (a site's cards are never all
    in memory); a card whose facts changed has a new key, so it is drawn again."""

    def __init__(self, most: int = 64) -> None:
        self.facts: dict[str, CardFacts] = {}  # key -> facts, for the cards of the site being served
        self._keys: dict[CardFacts, str] = {}  # and back (a key is a digest: made once per facts)
        self.outputs: list[tuple[str, bytes | Stored]] = []  # the served site's cards, by path (`Session`)
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
