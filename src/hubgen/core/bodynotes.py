"""Problems the parse finds in a body itself, placed in the file: a formula the converter rejects
(`math-syntax`), a quote that names no GitHub alert (`alert-unknown`). The plugins that find them leave
`meta["note"] = (code, message, hint)` on the token; these functions turn each into a `Note` at the first
character of what it is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from hubgen.core.positions import SourceMap


@dataclass(frozen=True)
class Note:
    """A problem in the body itself, where it is (validation makes it a diagnostic of that code)."""

    code: str
    line: int
    column: int
    message: str
    hint: str = ""


def inline_notes(inline: Token, where: SourceMap) -> list[Note]:
    """The notes left on an inline token's children, each at the first character of what it is about."""
    found = []
    for child in inline.children or ():
        if child.meta.get("note"):
            code, message, hint = child.meta["note"]
            blank = len(child.content) - len(child.content.lstrip())  # a formula's first character, not its $
            found.append(Note(code, *where.where(child.meta.get("at", 0) + len(child.markup) + blank), message, hint))
    return found


def block_note(token: Token, lines: Sequence[str]) -> Note:
    """A block's note (a display formula's), at the first character of its content."""
    assert token.map is not None
    code, message, hint = token.meta["note"]
    content = token.content
    stripped = content.lstrip()
    first = token.map[0] + (1 if token.type == "math_block" else 2)  # a fence's content starts after ```
    line = first + content[: len(content) - len(stripped)].count("\n")
    head = stripped.split("\n", 1)[0].rstrip()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    column = text.find(head) + 1 if head and head in text else 1
    return Note(code, line, column, message, hint)
