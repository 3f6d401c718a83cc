"""Front matter: the YAML block between `---` lines at the top of a page.

`split_front_matter` finds the block; `parse_front_matter` composes it with PyYAML's safe loader (so every
key and list item keeps its line and column), checks each key's type and returns `FrontMatter` plus
diagnostics. Decisions, documented in the README:
- `related`, `tags`, `aliases` and `steps` accept a single string as a one-item list.
- Numbers and dates where a string is expected are read as their text (`title: 1984`).
- An empty value (`prev:`) is the same as no key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml

from hubgen.base.yamlread import Limits, YamlLimit, compose
from hubgen.core.diagnostics import Diagnostic, diagnostic, did_you_mean

# Front matter is read by checks that never copy an alias out, so only aliases, depth and size are capped.
LIMITS = Limits(max_bytes=2**20)  # values are type-checked as built: an alias is never copied out

STRING_KEYS = ("title", "summary", "hub", "prev", "next", "image")
LIST_KEYS = ("related", "tags", "aliases", "steps")
KNOWN_KEYS = (*STRING_KEYS, "type", *LIST_KEYS, "draft", "updated")
PAGE_TYPES = ("article", "hub", "track")

Position = tuple[int, int]


@dataclass(frozen=True)
class FrontMatter:
    """Checked front-matter values, with the (line, column) of each value and of each list item."""

    values: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    item_positions: dict[str, tuple[Position, ...]] = field(default_factory=dict)
    body_line: int = 1  # the file line the Markdown body starts on

    def position(self, key: str, index: int | None = None) -> Position:
        if index is not None and key in self.item_positions:
            return self.item_positions[key][index]
        return self.positions.get(key, (1, 1))


@dataclass(frozen=True)
class Split:
    yaml_text: str | None  # None: the page has no front matter
    body: str  # the Markdown after the block, with the block's lines blanked so line numbers hold
    body_line: int
    unclosed: bool = False


def split_front_matter(text: str) -> Split:
    """Cut the `---` block off the top of a page. `text` has \\n line endings."""
    if not (text.startswith("---\n") or text == "---" or text.startswith("---\r")):
        return Split(None, text, 1)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            body = "\n" * (index + 1) + "\n".join(lines[index + 1 :])
            return Split(yaml_text, body, index + 2)
    return Split(None, text, 1, unclosed=True)


def parse_front_matter(split: Split, file: str) -> tuple[FrontMatter, list[Diagnostic]]:
    if split.unclosed:
        hint = "close the block with a line of three dashes: ---"
        message = "front matter starts with --- but is never closed"
        return FrontMatter(), [diagnostic("frontmatter-unclosed", file, 1, 1, message, hint)]
    if split.yaml_text is None:
        return FrontMatter(), []
    try:
        root = compose(split.yaml_text, LIMITS)
    except yaml.YAMLError as error:
        return FrontMatter(body_line=split.body_line), [_yaml_error(error, file, split.yaml_text)]
    if root is None:
        return FrontMatter(body_line=split.body_line), []
    if not isinstance(root, yaml.MappingNode):
        message = "front matter must be a mapping of keys (title: ..., hub: ...)"
        return FrontMatter(body_line=split.body_line), [
            diagnostic("frontmatter-not-mapping", file, *_pos(root), message)
        ]
    return _read_mapping(root, file, split.body_line)


def _read_mapping(root: yaml.MappingNode, file: str, body_line: int) -> tuple[FrontMatter, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    positions: dict[str, Position] = {}
    items: dict[str, tuple[Position, ...]] = {}
    loader = yaml.constructor.SafeConstructor()  # values only: no parser to make (nor its cycles to collect)
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: never a key hubgen knows, and never printed
            message = "a front-matter key must be a plain name, not a list or a mapping"
            problems.append(diagnostic("frontmatter-type", file, *_pos(key_node), message))
            continue
        key = str(key_node.value)
        if key in positions:
            message = f"'{key}' is given twice; the last one wins"
            problems.append(diagnostic("frontmatter-duplicate-key", file, *_pos(key_node), message))
        if key not in KNOWN_KEYS:
            hint = did_you_mean(key, KNOWN_KEYS) or "known keys: " + ", ".join(KNOWN_KEYS)
            problems.append(
                diagnostic("frontmatter-unknown-key", file, *_pos(key_node), f"unknown front-matter key '{key}'", hint)
            )
            continue
        try:
            raw = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError as error:
            problems.append(_yaml_error(error, file, ""))
            continue
        except (ValueError, OverflowError) as error:  # a date that does not exist: `updated: 2026-02-30`
            message = f"'{key}' is not a valid value: {error}"
            problems.append(diagnostic("frontmatter-type", file, *_pos(value_node), message, _type_hint(key)))
            continue
        checked = _check_value(key, raw, value_node, file, problems)
        if checked is None:
            continue
        values[key] = checked
        positions[key] = _pos(value_node)
        if key in LIST_KEYS:
            items[key] = _item_positions(value_node, len(checked))
    return FrontMatter(values, positions, items, body_line), problems


def _check_value(key: str, raw: Any, node: yaml.Node, file: str, problems: list[Diagnostic]) -> Any:
    """The value in its checked form, or None (absent or wrong, with a problem added)."""
    if raw is None or raw == "" or raw == []:
        return None
    wrong = _wrong_type(key, raw)
    if wrong:
        problems.append(diagnostic("frontmatter-type", file, *_pos(node), f"'{key}' must be {wrong}", _type_hint(key)))
        return None
    if key in STRING_KEYS:
        return _text(raw).strip()
    if key in LIST_KEYS:
        return tuple(_text(item).strip() for item in ([raw] if not isinstance(raw, list) else raw))
    if key == "updated":
        return _date(raw)
    return raw


def _wrong_type(key: str, raw: Any) -> str:
    """What the value should have been, or '' when it is acceptable."""
    if key in STRING_KEYS and not _is_scalar(raw):
        return "a single value (a string)"
    if key in LIST_KEYS and not (_is_scalar(raw) or (isinstance(raw, list) and all(map(_is_scalar, raw)))):
        return _LIST_KINDS[key]
    if key == "type" and raw not in PAGE_TYPES:
        return "'article', 'hub' or 'track'" + (f", not {raw!r}" if _is_scalar(raw) else "")
    if key == "draft" and not isinstance(raw, bool):
        return "true or false"
    if key == "updated" and _date(raw) is None:
        return "a date (YYYY-MM-DD)"
    return ""


_LIST_KINDS = {
    "related": "a list of page references",
    "tags": "a list of tag names",
    "aliases": "a list of old ids or site paths",
    "steps": "a list of page references, in reading order",
}


def _type_hint(key: str) -> str:
    examples = {
        "aliases": "aliases:\n      - old-page-id\n      - /old/site/path/",
        "related": "related:\n      - some-page\n      - other-hub/another-page",
        "tags": "tags: [neural networks, training]",
        "steps": "steps:\n      - first-page\n      - other-hub/second-page",
        "updated": "updated: 2026-05-01",
        "type": "type: hub",
        "draft": "draft: true",
    }
    return "for example: " + examples.get(key, f"{key}: some-page")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | dt.date) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _date(value: Any) -> str | None:
    """An ISO date string (YYYY-MM-DD) from a YAML date, datetime or string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def _item_positions(node: yaml.Node, count: int) -> tuple[Position, ...]:
    if isinstance(node, yaml.SequenceNode):
        return tuple(_pos(item) for item in node.value)
    return (_pos(node),) * count


def _pos(node: yaml.Node) -> Position:
    # +1 for 1-based, +1 more for the opening --- line the YAML text starts after.
    return node.start_mark.line + 2, node.start_mark.column + 1


def _yaml_error(error: yaml.YAMLError, file: str, yaml_text: str) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 2, mark.column + 1) if mark else (1, 1)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = f"invalid YAML in front matter: {problem}" + (f" ({context})" if context else "")
    lines = yaml_text.split("\n")
    if isinstance(error, YamlLimit):
        return diagnostic("frontmatter-syntax", file, line, column, message, error.hint)
    has_tab = mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]
    if "could not determine a constructor" in problem:
        return diagnostic(
            "frontmatter-syntax",
            file,
            line,
            column,
            message,
            "YAML tags (!!python/..., !custom) are not allowed: front matter is read with a safe loader",
        )
    hint = (
        "YAML does not allow tabs for indentation; use spaces"
        if has_tab
        else ("quote values that contain ': ' or start with a special character, e.g. title: \"A: B\"")
    )
    return diagnostic("frontmatter-syntax", file, line, column, message, hint)
