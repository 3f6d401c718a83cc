"""The one YAML reader: every YAML hubgen reads (front matter, hubgen.yaml) is composed here, within limits.

`compose(text, limits)` returns PyYAML's node graph (each node keeps its line and column), like
`yaml.compose` with the safe loader, but built from the parser's events without recursion, and it stops
with `YamlLimit` (a `yaml.MarkedYAMLError`, positioned) as soon as the text passes a limit:

- `max_bytes`: the text's size in UTF-8;
- `max_depth`: collections inside collections (a 1,000-deep `[[[...]]]` would overflow the stack);
- `max_aliases`: `*alias` references; an alias to a collection that contains it is refused too;
- `max_expanded`: values the document would hold if every alias were copied out ("billion laughs").

Tags are resolved as the safe loader resolves them; constructing a value (and refusing `!!python/...`)
is left to the caller, who constructs only what it checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, cast

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from yaml._yaml import Mark as CMark

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _mark(mark: yaml.Mark | CMark | None) -> yaml.Mark | None:
    """An event's mark as nodes and errors hold it. libyaml's parser yields its own `Mark` class, with the same
    name, line and column that every reader of a mark uses; types-PyYAML types nodes and errors with the pure
    Python `Mark` only."""
    return cast("yaml.Mark | None", mark)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int = 64
    max_aliases: int = 100
    max_expanded: int | None = None  # None: the caller never copies aliases out


class YamlLimit(yaml.MarkedYAMLError):
    """The text passed one of the reader's limits; `problem_mark` says where."""

    def __init__(self, problem: str, mark: yaml.Mark | None, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _Frame:
    """A collection being composed: its node, a mapping's key waiting for its value, and its expanded size."""

    __slots__ = ("anchor", "key", "node", "size")

    def __init__(self, node: CollectionNode, anchor: str | None) -> None:
        self.node, self.anchor, self.size = node, anchor, 1
        self.key: Node | None = None

    def add(self, child: Node) -> None:
        if isinstance(self.node, SequenceNode):
            self.node.value.append(child)
        elif self.key is None:
            self.key = child
        else:
            self.node.value.append((self.key, child))
            self.key = None


# Tags for plain scalars, as the safe loader resolves them. One for the process: a Loader made per document
# holds a parser and reference cycles that only the cyclic collector frees, and the CLI runs it rarely.
_RESOLVER = yaml.resolver.Resolver()
# Resolver.resolve(kind, value, implicit): types-PyYAML leaves it unannotated; this is its documented signature.
_resolve: Callable[[type[Node], str | None, bool | tuple[bool, bool]], str] = _RESOLVER.resolve


class _Composer:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Node, int | None]] = {}  # anchor -> (node, expanded size once closed)
        self.aliases = 0
        self.expanded = 0
        self.root: Node | None = None
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            ScalarEvent: self._scalar,
            SequenceStartEvent: self._open,
            MappingStartEvent: self._open,
            SequenceEndEvent: self._close,
            MappingEndEvent: self._close,
            AliasEvent: self._alias,
        }

    def feed(self, event: Event) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _scalar(self, event: ScalarEvent) -> None:
        tag = event.tag if event.tag not in (None, "!") else _resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, _mark(event.start_mark), _mark(event.end_mark), style=event.style)
        if event.anchor is not None:
            self._remember(event.anchor, node, 1, event)
        self._attach(node, 1, event)

    def _open(self, event: CollectionStartEvent) -> None:
        if len(self.stack) >= self.limits.max_depth:
            self._refuse(f"values nested more than {self.limits.max_depth} deep", event, "flatten the structure")
        kind: type[CollectionNode] = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
        tag = event.tag if event.tag not in (None, "!") else _resolve(kind, None, event.implicit)
        node = kind(tag, [], _mark(event.start_mark), None, flow_style=event.flow_style)
        self.expanded += 1
        if event.anchor is not None:
            self._remember(event.anchor, node, None, event)
        self.stack.append(_Frame(node, event.anchor))

    def _close(self, event: Event) -> None:
        frame = self.stack.pop()
        frame.node.end_mark = _mark(event.end_mark)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.node, frame.size)
        self._attach(frame.node, frame.size, event, counted=True)

    def _alias(self, event: AliasEvent) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            self._refuse(f"more than {self.limits.max_aliases} aliases", event, "write the values out")
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", _mark(event.start_mark)
            )
        node, size = self.anchors[event.anchor]
        if size is None:
            self._refuse(f"the alias *{event.anchor} refers to a value that contains it", event, "remove the alias")
        self._attach(node, size, event)

    def _remember(self, anchor: str, node: Node, size: int | None, event: Event) -> None:
        if anchor in self.anchors:
            first = self.anchors[anchor][0].start_mark
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                first,
                "second occurrence",
                _mark(event.start_mark),
            )
        self.anchors[anchor] = (node, size)

    def _attach(self, node: Node, size: int, event: Event, counted: bool = False) -> None:
        if not counted:
            self.expanded += size
        cap = self.limits.max_expanded
        if cap is not None and self.expanded > cap:
            self._refuse(f"expands to more than {cap:,} values (an alias bomb?)", event, "write the values out")
        if self.stack:
            self.stack[-1].size += size
            self.stack[-1].add(node)
        else:
            self.root = node

    def _refuse(self, problem: str, event: Event, hint: str) -> NoReturn:
        raise YamlLimit(problem, _mark(event.start_mark), hint)


def compose(text: str, limits: Limits) -> Node | None:
    """The document's root node (None for an empty document). Raises `yaml.YAMLError` (a `YamlLimit`
    for a passed limit) with the position of the problem."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise YamlLimit(f"{size:,} bytes, more than {limits.max_bytes:,}", None, "make the YAML smaller")
    composer = _Composer(limits)
    documents = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    None,
                    "but found another document",
                    _mark(event.start_mark),
                )
        elif isinstance(event, StreamEndEvent):
            break
        else:
            composer.feed(event)
    return composer.root
