"""GitHub-style heading ids, matching the npm package github-slugger 2.0.0.

github-slugger lower-cases the text (JS ``toLowerCase``), deletes every character
matched by its generated ``regex.js`` and turns each remaining U+0020 space into ``-``.
Runs of spaces or dashes are not collapsed and nothing is trimmed.

``regex.js`` is built from Unicode 13.0.0 data as the union of the general categories

    No, Pd, Ps, Pe, Pi, Pf, Po, Sm, Sc, Sk, So, Cc, Cf, Co, Cn, Zs, Zl, Zp

minus the characters with the Alphabetic property, minus ``' '`` and ``'-'``. So it keeps
letters (L*), marks (M*), Nd, Nl, Pc (``_`` and friends), surrogates (Cs), space and ``-``.

Python's :mod:`unicodedata` follows a newer Unicode version than 13.0, hence two tables
(checked code point by code point against github-slugger 2.0.0 under Unicode 17.0 data):

* :data:`_ALPHABETIC_SYMBOLS`: the only Alphabetic characters in the removed categories
  (circled/squared Latin letters, category So). They are kept.
* :data:`_UNASSIGNED_IN_13`: stretches of code points that github-slugger removes wholesale
  because they were unassigned (Cn) in Unicode 13.0, although later versions put letters,
  marks or digits there. Lower-casing still runs first, as in JS.

Known edge: lower-casing follows the running Python's Unicode data, as JS follows Node's ICU.
With Unicode < 16 (Python 3.11-3.13), U+A7CB and U+A7DC are unassigned and get removed, while
a Node with ICU 76+ lower-cases them to U+0264 / U+019B and keeps those.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

__all__ = ["Slugger", "slugify"]

#: General categories whose characters github-slugger deletes (apart from the exceptions).
_REMOVED_CATEGORIES: frozenset[str] = frozenset(
    {"No", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"} | {"Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"}
)

#: Alphabetic characters of category So (Other_Alphabetic): github-slugger keeps them.
_ALPHABETIC_SYMBOLS: tuple[tuple[int, int], ...] = (
    (0x24B6, 0x24E9),  # CIRCLED LATIN CAPITAL LETTER A .. CIRCLED LATIN SMALL LETTER Z
    (0x1F130, 0x1F149),  # SQUARED LATIN CAPITAL LETTER A..Z
    (0x1F150, 0x1F169),  # NEGATIVE CIRCLED LATIN CAPITAL LETTER A..Z
    (0x1F170, 0x1F189),  # NEGATIVE SQUARED LATIN CAPITAL LETTER A..Z
)

#: Ranges (inclusive) that github-slugger's regex removes entirely and that hold characters
#: assigned after Unicode 13.0 (up to 17.0) in categories it would otherwise keep.
_UNASSIGNED_IN_13: tuple[tuple[int, int], ...] = (
    (0x086B, 0x089F),
    (0x08B5, 0x08B5),
    (0x08C8, 0x08D2),
    (0x0C3A, 0x0C3C),
    (0x0C5B, 0x0C5F),
    (0x0CD7, 0x0CDD),
    (0x0CF3, 0x0CFF),
    (0x0ECE, 0x0ECF),
    (0x170D, 0x170D),
    (0x1715, 0x171F),
    (0x180E, 0x180F),
    (0x1AC1, 0x1AFF),
    (0x1B4C, 0x1B4F),
    (0x1C89, 0x1C8F),
    (0x1DFA, 0x1DFA),
    (0x2C2F, 0x2C2F),
    (0x2C5F, 0x2C5F),
    (0x9FFD, 0x9FFF),
    (0xA7C0, 0xA7C1),
    (0xA7CB, 0xA7F4),
    (0x10564, 0x105FF),
    (0x10768, 0x107FF),
    (0x1093A, 0x1097F),
    (0x10D3A, 0x10E7F),
    (0x10EB2, 0x10EFF),
    (0x10F51, 0x10FAF),
    (0x11070, 0x1107E),
    (0x110BB, 0x110CF),
    (0x1123F, 0x1127F),
    (0x11375, 0x113FF),
    (0x116CA, 0x116FF),
    (0x1173A, 0x117FF),
    (0x11A9E, 0x11ABF),
    (0x11AF9, 0x11BFF),
    (0x11DAA, 0x11EDF),
    (0x11EF7, 0x11FAF),
    (0x12544, 0x12FFF),
    (0x1342F, 0x143FF),
    (0x14647, 0x167FF),
    (0x16A6A, 0x16ACF),
    (0x16B90, 0x16E3F),
    (0x16E80, 0x16EFF),
    (0x16FF2, 0x16FFF),
    (0x187F8, 0x187FF),
    (0x18CD6, 0x18CFF),
    (0x18D09, 0x1AFFF),
    (0x1B11F, 0x1B14F),
    (0x1B153, 0x1B163),
    (0x1BC9F, 0x1D164),
    (0x1DAB0, 0x1DFFF),
    (0x1E02B, 0x1E0FF),
    (0x1E14F, 0x1E2BF),
    (0x1E2FA, 0x1E7FF),
    (0x2A6DE, 0x2A6FF),
    (0x2B735, 0x2B73F),
    (0x2CEA2, 0x2CEAF),
    (0x2EBE1, 0x2F7FF),
    (0x3134B, 0xE00FF),
)


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...], starts: list[int]) -> bool:
    i = bisect_right(starts, cp) - 1
    return i >= 0 and cp <= ranges[i][1]


_ALPHA_STARTS = [a for a, _ in _ALPHABETIC_SYMBOLS]
_UNASSIGNED_STARTS = [a for a, _ in _UNASSIGNED_IN_13]
_SPACE = ord(" ")
_DASH = ord("-")


def _removed(cp: int) -> bool:
    """Whether github-slugger's regex deletes code point ``cp``."""
    if cp in (_SPACE, _DASH) or _in_ranges(cp, _ALPHABETIC_SYMBOLS, _ALPHA_STARTS):
        return False
    if _in_ranges(cp, _UNASSIGNED_IN_13, _UNASSIGNED_STARTS):
        return True
    return unicodedata.category(chr(cp)) in _REMOVED_CATEGORIES


class _TranslateTable(dict[int, int | None]):
    """``str.translate`` table filled lazily: removed -> None, space -> '-', else itself."""

    def __missing__(self, cp: int) -> int | None:
        value: int | None = _DASH if cp == _SPACE else (None if _removed(cp) else cp)
        self[cp] = value
        return value


_TABLE = _TranslateTable()
for _cp in range(128):  # ASCII up front, so typical headings never miss.
    _TABLE[_cp]  # fills the entry through __missing__
del _cp


def slugify(text: str) -> str:
    """github-slugger's ``slug(value)`` without de-duplication."""
    return text.lower().translate(_TABLE)


class Slugger:
    """Unique slugs within one document, like github-slugger's ``GithubSlugger``."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """Slug for ``text``, suffixed ``-1``, ``-2``... when already handed out."""
        result = original = slugify(text)
        occurrences = self._occurrences
        while result in occurrences:
            occurrences[original] += 1
            result = f"{original}-{occurrences[original]}"
        occurrences[result] = 0
        return result

    def reserve(self, slug: str) -> None:
        """Take `slug` as it is (an explicit `{#id}`), so a later heading with that text gets a suffix."""
        self._occurrences.setdefault(slug, 0)

    def reset(self) -> None:
        """Forget all slugs handed out so far."""
        self._occurrences = {}
