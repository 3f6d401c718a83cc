"""A page's text as lines, edited by splicing: every edit is recorded against the original line and column
numbers (the ones hubgen's front matter and Markdown parsers report) and applied at the end, so the rest of
the file stays byte for byte: key order, comments, quoting, line endings (CRLF stays CRLF), a BOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BOM = "\ufeff"


@dataclass
class TextFile:
    lines: list[str]  # without their endings
    endings: list[str]  # "\n", "\r\n", or "" (the last line)
    bom: bool = False
    replacements: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # line -> (start, end, text)
    deleted: set[int] = field(default_factory=set)
    inserted: dict[int, list[str]] = field(default_factory=dict)  # after line n (0: before the first line)

    @classmethod
    def parse(cls, data: bytes) -> TextFile:
        text = data.decode("utf-8")
        bom = text.startswith(_BOM)
        parts = text.removeprefix(_BOM).split("\n")
        lines, endings = [], []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            crlf = part.endswith("\r") and not last
            lines.append(part[:-1] if crlf else part)
            endings.append("" if last else ("\r\n" if crlf else "\n"))
        return cls(lines, endings, bom)

    @property
    def newline(self) -> str:
        crlf = self.endings.count("\r\n")
        return "\r\n" if crlf and crlf >= self.endings.count("\n") else "\n"

    def line(self, number: int) -> str:
        """The text of a 1-based line."""
        return self.lines[number - 1]

    def replace(self, number: int, start: int, end: int, text: str) -> None:
        """Replace columns [start, end) (0-based) of a 1-based line."""
        spans = self.replacements.setdefault(number, [])
        if not any(span[:2] == (start, end) for span in spans):  # two links sharing one reference definition
            spans.append((start, end, text))

    def delete(self, number: int) -> None:
        self.deleted.add(number)

    def insert_after(self, number: int, text: str) -> None:
        self.inserted.setdefault(number, []).append(text)

    @property
    def changed(self) -> bool:
        return bool(self.replacements or self.deleted or self.inserted)

    def render(self) -> bytes:
        out: list[str] = [_BOM] if self.bom else []
        out += [text + self.newline for text in self.inserted.get(0, [])]
        for number, (text, ending) in enumerate(zip(self.lines, self.endings, strict=True), start=1):
            if number not in self.deleted:
                out.append(self._spliced(number, text) + ending)
            for added in self.inserted.get(number, []):
                out.append(added + (ending or self.newline))
        return "".join(out).encode("utf-8")

    def _spliced(self, number: int, text: str) -> str:
        for start, end, new in sorted(self.replacements.get(number, []), reverse=True):
            text = text[:start] + new + text[end:]
        return text


# ------------------------------------------------------------------------------------------ YAML scalars


def scalar_end(text: str, start: int, in_flow: bool = False) -> int:
    """Where the YAML scalar starting at column `start` of `text` ends (exclusive)."""
    quote = text[start : start + 1]
    if quote == '"':
        index = start + 1
        while index < len(text) and text[index] != '"':
            index += 2 if text[index] == "\\" else 1
        return min(index + 1, len(text))
    if quote == "'":
        index = start + 1
        while index < len(text):
            if text[index] == "'" and text[index + 1 : index + 2] != "'":
                return index + 1
            index += 2 if text[index] == "'" else 1
        return len(text)
    stop = re.compile(r"\s#|[,\]}]" if in_flow else r"\s#")
    found = stop.search(text, start)
    end = found.start() if found else len(text)
    return len(text[:end].rstrip())


def requote(old_token: str, value: str) -> str:
    """`value` in the quoting style of `old_token`."""
    if old_token.startswith('"'):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if old_token.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    return value


def yaml_scalar(value: str) -> str:
    """`value` as a plain YAML scalar when that reads back as the same string, else double-quoted."""
    import yaml

    try:
        plain = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain = False
    return value if plain and value.strip() == value else requote('"', value)


# ------------------------------------------------------------------------------------------ front matter


@dataclass
class FrontMatterEditor:
    """Key-level edits of a page's front matter block (top-level keys only)."""

    file: TextFile
    pending: dict[str, int] = field(default_factory=dict)  # key inserted -> the line it was inserted after

    @property
    def closing(self) -> int | None:
        """The 1-based line of the closing `---`, or None when the page has no front matter."""
        if not self.file.lines or self.file.lines[0].rstrip() != "---":
            return None
        for number in range(2, len(self.file.lines) + 1):
            if self.file.line(number).rstrip() in ("---", "..."):
                return number
        return None

    def key_line(self, key: str) -> int | None:
        closing = self.closing
        if closing is None:
            return None
        pattern = re.compile(rf"{re.escape(key)}[ \t]*:(?:[ \t]|$)")
        found = [n for n in range(2, closing) if pattern.match(self.file.line(n))]
        return found[-1] if found else None

    def value_span(self, key: str) -> tuple[int, int, int] | None:
        """(line, start, end) of a single-line scalar value, or of the empty space after `key:`."""
        number = self.key_line(key)
        if number is None:
            return None
        text = self.file.line(number)
        start = text.index(":") + 1
        while start < len(text) and text[start] in " \t":
            start += 1
        if start >= len(text) or text[start] == "#":
            return number, text.index(":") + 1, text.index(":") + 1
        return number, start, scalar_end(text, start)

    def set(self, key: str, value: str, after: tuple[str, ...] = ()) -> None:
        """Set a scalar key to `value` (already YAML text), adding the key when it is absent."""
        span = self.value_span(key)
        if span is None:
            self._add(key, value, after)
            return
        number, start, end = span
        token = self.file.line(number)[start:end]
        new = requote(token, value) if start != end else " " + value
        self.file.replace(number, start, end, new)

    def has(self, key: str) -> bool:
        """Whether the page has the key once the edits so far are applied."""
        number = self.key_line(key)
        return key in self.pending or (number is not None and number not in self.file.deleted)

    def remove(self, key: str) -> None:
        """Delete the key's line, and its continuation lines (a block list under it)."""
        number = self.key_line(key)
        if number is None:
            return
        for line in self.block(number):
            self.file.delete(line)

    def block(self, number: int) -> list[int]:
        """A key's line and the indented or `- ` lines that continue its value."""
        closing = self.closing or number + 1
        lines = [number]
        for following in range(number + 1, closing):
            text = self.file.line(following)
            if not text.strip() or (not text[0].isspace() and not text.startswith("-")):
                break
            lines.append(following)
        return lines

    def append_item(self, key: str, value: str) -> None:
        """Add `value` (already YAML text) to the list `key`, in the style the list is written in: a block
        list gets a `- ` line indented as its items, a flow list `[a, b]` one more item, a single value becomes
        a flow list; a missing key is added as a block list before the closing `---`."""
        number = self.key_line(key)
        if key in self.pending or number is None or number in self.file.deleted:
            self._add_block(key, value)
            return
        text = self.file.line(number)
        lines = self.block(number)
        items = [line for line in lines[1:] if self.file.line(line).lstrip().startswith("-")]
        if items:
            last = self.file.line(items[-1])
            indent = last[: len(last) - len(last.lstrip())]
            self.file.insert_after(lines[-1], f"{indent}- {value}")
            return
        span = self.value_span(key)
        assert span is not None
        _, start, end = span
        token = text[start:end]
        if token.startswith("[") and token.endswith("]"):
            close = start + len(token) - 1
            inside = text[start + 1 : close].strip()
            self.file.replace(number, close, close, f", {value}" if inside else value)
        elif start == end:
            self.file.replace(number, start, end, f" [{value}]")
        else:
            self.file.replace(number, start, end, f"[{token}, {value}]")

    def _add_block(self, key: str, value: str) -> None:
        """A block list `key:` with the item `value`, before the closing `---` (or in a new front matter);
        later items of the same key follow it."""
        item = f"  - {value}"
        if key in self.pending:
            at = self.pending[key]
            if at == 0:
                block = self.file.inserted[0]
                block.insert(len(block) - 1, item)
            else:
                self.file.insert_after(at, item)
            return
        closing = self.closing
        if closing is None:
            block = self.file.inserted.setdefault(0, [])
            if not block:
                block += ["---", "---"]
            block[len(block) - 1 : len(block) - 1] = [f"{key}:", item]
            self.pending[key] = 0
            return
        self.pending[key] = closing - 1
        self.file.insert_after(closing - 1, f"{key}:")
        self.file.insert_after(closing - 1, item)

    def _add(self, key: str, value: str, after: tuple[str, ...]) -> None:
        line = f"{key}: {value}"
        for anchor in after:
            if anchor in self.pending:
                self.pending[key] = self.pending[anchor]
                self.file.insert_after(self.pending[anchor], line)
                return
            number = self.key_line(anchor)
            if number is not None:
                self._insert(key, number, line)
                return
        closing = self.closing
        if closing is None:  # no front matter yet: make one
            block = self.file.inserted.setdefault(0, [])
            if not block:
                block += ["---", "---"]
            block.insert(len(block) - 1, line)
            self.pending[key] = 0
            return
        self._insert(key, closing - 1, line)

    def _insert(self, key: str, after_line: int, line: str) -> None:
        self.pending[key] = after_line
        self.file.insert_after(after_line, line)
