"""`hubgen graph`: the link graph as JSON, Graphviz DOT or Mermaid, for people who want to study their hub.

Nodes are pages; edges are `hub` (membership), `next` (learning paths), `related`, `link` (inline links
between pages) and `track` (from a learning track to each of its steps; JSON lists each track's steps in
order). `--hub NAME` keeps the hub and its pages, and the edges among them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import pairwise

from hubgen.core.graph import LinkGraph

EdgeKind = str  # "hub" | "next" | "related" | "link" | "track"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind


def edges(graph: LinkGraph) -> list[Edge]:
    found: set[Edge] = set()
    for page_id, hub in graph.hub_of.items():
        if hub is not None:
            found.add(Edge(page_id, hub, "hub"))
    for path in graph.paths:
        found |= {Edge(a, b, "next") for a, b in pairwise(path.steps)}
    for track in graph.tracks:
        found |= {Edge(track.id, step, "track") for step in track.steps}
    for page_id, related in graph.related.items():
        found |= {Edge(page_id, target, "related") for target in related}
    for page_id, links in graph.links.items():
        for item in links:
            target = item.target
            if target.kind == "page" and not target.same_page and target.path in graph.pages and target.path != page_id:
                found.add(Edge(page_id, target.path, "link"))
    return sorted(found, key=lambda e: (e.source, e.kind, e.target))


def select(graph: LinkGraph, hub: str | None) -> tuple[list[str], list[Edge]]:
    """The pages and edges to export: all of them, or one hub's."""
    every = edges(graph)
    if hub is None:
        return list(graph.pages), every
    keep = {hub, *graph.members(hub)}
    return [p for p in graph.pages if p in keep], [e for e in every if e.source in keep and e.target in keep]


def to_json(graph: LinkGraph, hub: str | None = None) -> str:
    pages, found = select(graph, hub)
    kept = set(pages)
    document = {
        "pages": [
            {
                "id": p,
                "title": graph.pages[p].title,
                "type": graph.pages[p].type,
                "hub": graph.hub_of.get(p),
                "file": graph.pages[p].file,
                "summary": graph.pages[p].summary,
            }
            for p in pages
        ],
        "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in found],
        "paths": [
            {"hub": path.hub, "steps": list(path.steps)} for path in graph.paths if hub is None or path.hub == hub
        ],
        "tracks": [
            {"track": track.id, "steps": [step for step in track.steps if step in kept]}
            for track in graph.tracks
            if track.id in kept
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_DOT_STYLE = {
    "hub": 'style=dotted, color="#888888"',
    "next": 'penwidth=2, color="#0b5bd3"',
    "related": 'style=dashed, color="#176f30"',
    "link": 'color="#999999"',
    "track": 'style=bold, color="#7c4ddb"',
}


def to_dot(graph: LinkGraph, hub: str | None = None) -> str:
    pages, found = select(graph, hub)
    lines = ["digraph hub {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="sans-serif"];']
    for p in pages:
        shape = ", shape=folder" if graph.pages[p].type == "hub" else ""
        lines.append(f"  {_dot_id(p)} [label={_dot_id(graph.pages[p].title)}{shape}];")
    lines += [f"  {_dot_id(e.source)} -> {_dot_id(e.target)} [{_DOT_STYLE[e.kind]}];" for e in found]
    lines.append("}")
    return "\n".join(lines) + "\n"


# Line breaks and other control characters (C0, DEL, C1, the Unicode line and paragraph separators, the
# bidirectional overrides that reorder what a reader sees) end a DOT or Mermaid statement or garble the
# output: in a label they become a space.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _dot_id(text: str) -> str:
    """A DOT quoted string: backslash and quote escaped, control characters as spaces."""
    return '"' + _CONTROLS.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_MERMAID_ARROW = {"hub": "-.->", "next": "==>", "related": "-.-", "link": "-->", "track": "==>"}


def to_mermaid(graph: LinkGraph, hub: str | None = None) -> str:
    pages, found = select(graph, hub)
    names = {p: f"n{i}" for i, p in enumerate(pages)}
    lines = ["flowchart LR"]
    for p in pages:
        label = _mermaid_text(graph.pages[p].title)
        lines.append(f'  {names[p]}[["{label}"]]' if graph.pages[p].type == "hub" else f'  {names[p]}["{label}"]')
    lines += [f"  {names[e.source]} {_MERMAID_ARROW[e.kind]}|{e.kind}| {names[e.target]}" for e in found]
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: quotes and angle brackets as entity codes, control characters as
    spaces (a line break would end the node's statement)."""
    return _CONTROLS.sub(" ", text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


FORMATS = {"json": to_json, "dot": to_dot, "mermaid": to_mermaid}


def export(graph: LinkGraph, output_format: str, hub: str | None = None) -> str:
    return FORMATS[output_format](graph, hub)
