"""An image's width and height from the head of its file (PNG, GIF, JPEG, WebP, SVG), so a page can reserve
its place before the image loads. The bytes come from a pull request: only the first `FIRST` bytes of a
regular file are read (`read_regular`), `HEAD` for a JPEG whose metadata comes before its size; every read is
bounds-checked, and a size that is absent, zero or beyond `MAX_SIDE` means "unknown" (no attributes), never an
exception.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from hubgen.base.files import read_regular

FIRST = 4096  # what PNG, GIF, WebP and SVG need (and most JPEGs)
HEAD = 64 * 1024  # JPEG's size frame follows its metadata segments; a camera's EXIF fits in 64 KiB
MAX_SIDE = 100_000
IMAGE_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".webp", ".svg")
_SVG_ATTR = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_LENGTH = re.compile(rb"\s*(\d+(?:\.\d+)?)\s*(px)?\s*")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of the image file at `path`, or None when it cannot be told."""
    if not path.name.lower().endswith(IMAGE_SUFFIXES):
        return None
    try:
        head = read_regular(path, FIRST, whole=False)
        size = size_from_head(head)
        if size is None and head.startswith(b"\xff\xd8") and len(head) == FIRST:  # a JPEG's metadata first
            size = size_from_head(read_regular(path, HEAD, whole=False))
    except OSError:
        return None
    if size is None or not all(0 < side <= MAX_SIDE for side in size):
        return None
    return size


def size_from_head(head: bytes) -> tuple[int, int] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return width, height
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    return _svg(head)


def _jpeg(head: bytes) -> tuple[int, int] | None:
    """Walk the segments to the first start-of-frame marker (SOF0-15 but DHT, JPG and DAC)."""
    position = 2
    while position + 4 <= len(head):
        if head[position] != 0xFF:
            return None
        marker = head[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", head[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[position + 5 : position + 9])
            return width, height
        if length < 2:
            return None
        position += 2 + length
    return None


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def _svg(head: bytes) -> tuple[int, int] | None:
    """The root <svg>'s width and height in px (or unitless), else its viewBox's."""
    start = head.find(b"<svg")
    end = head.find(b">", start, start + 8192) if start >= 0 else -1
    if end < 0:
        return None
    attrs = {name.lower(): value for name, value in _SVG_ATTR.findall(head[start + 4 : end])}
    width, height = _length(attrs.get(b"width")), _length(attrs.get(b"height"))
    if width and height:
        return width, height
    box = attrs.get(b"viewbox", b"").replace(b",", b" ").split()
    if len(box) == 4:
        try:
            box_width, box_height = float(box[2]), float(box[3])
        except ValueError:
            return None
        if 0 < box_width <= MAX_SIDE and 0 < box_height <= MAX_SIDE:
            return round(box_width), round(box_height)
    return None


def _length(value: bytes | None) -> int | None:
    match = _LENGTH.fullmatch(value) if value is not None else None
    return round(float(match.group(1))) if match and float(match.group(1)) <= MAX_SIDE else None
