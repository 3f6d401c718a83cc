"""Learning-path maps: inline SVG drawn at build time, so a reader needs no JavaScript to see them.

`hub_map` draws a hub's paths side by side (each path a column of steps, in order), with related links
between steps as dashed curves; `compact_map` is the one-row version for an article's sidebar, the
current step highlighted. Every step is a link. The ordered lists beside them stay the accessible form,
so the pictures are hidden from assistive technology.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from hubgen.graph import LinkGraph

COLUMN = 380  # width of one path's column
ROW = 52  # height of one step
RADIUS = 11
LABEL_CHARS = 40

UrlFor = Callable[[str], str]


def hub_map(graph: LinkGraph, hub_id: str, url_for: UrlFor, current: str | None = None) -> Markup:
    paths = [path.steps for path in graph.paths_of(hub_id)]
    if not paths:
        return Markup("")
    where = {step: (column, row) for column, steps in enumerate(paths) for row, step in enumerate(steps)}
    width = COLUMN * len(paths) + 20
    height = ROW * max(len(steps) for steps in paths) + 10
    parts = [_open_svg(width, height, "pathmap")]
    parts += [_related_curve(where[a], where[b]) for a, b in _related_pairs(graph, where)]
    for column, steps in enumerate(paths):
        parts += [_edge(_centre(column, row), _centre(column, row + 1)) for row in range(len(steps) - 1)]
        parts += [
            _node(graph, step, _centre(column, row), row + 1, url_for, step == current)
            for row, step in enumerate(steps)
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def compact_map(steps: Sequence[str], current: str, urls: Sequence[str], titles: Sequence[str]) -> Markup:
    """One dot per step in a row, the current one larger and filled; `urls` of the steps from the page."""
    gap = 22
    width = gap * len(steps) + 8
    parts = [_open_svg(width, 28, "pathmap pathmap-compact")]
    parts.append(f'<line class="pm-edge" x1="{gap // 2 + 4}" y1="14" x2="{width - gap // 2 - 4}" y2="14"/>')
    for index, (step, url, title) in enumerate(zip(steps, urls, titles, strict=True)):
        x = gap * index + gap // 2 + 4
        cls = "pm-node pm-current" if step == current else "pm-node"
        radius = 7 if step == current else 5
        parts.append(
            f'<a href="{escape(url)}" tabindex="-1"><title>{index + 1}. {escape(title)}</title>'
            f'<circle class="{cls}" cx="{x}" cy="14" r="{radius}"/></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open_svg(width: int, height: int, css_class: str) -> str:
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false">'
    )


def _centre(column: int, row: int) -> tuple[int, int]:
    return 52 + column * COLUMN, 26 + row * ROW


def _node(graph: LinkGraph, step: str, at: tuple[int, int], number: int, url_for: UrlFor, current: bool) -> str:
    title = graph.pages[step].title
    label = title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"
    cls = "pm-node pm-current" if current else "pm-node"
    x, y = at
    return (
        f'<a href="{escape(url_for(step))}" tabindex="-1"><title>{escape(title)}</title>'
        f'<circle class="{cls}" cx="{x}" cy="{y}" r="{RADIUS}"/>'
        f'<text class="pm-number" x="{x}" y="{y + 4}" text-anchor="middle">{number}</text>'
        f'<text class="pm-label{" pm-label-current" if current else ""}" x="{x + RADIUS + 10}" y="{y + 5}">'
        f"{escape(label)}</text></a>"
    )


def _edge(start: tuple[int, int], end: tuple[int, int]) -> str:
    return f'<line class="pm-edge" x1="{start[0]}" y1="{start[1] + RADIUS}" x2="{end[0]}" y2="{end[1] - RADIUS}"/>'


def _related_pairs(graph: LinkGraph, where: dict[str, tuple[int, int]]) -> list[tuple[str, str]]:
    """Related links between two steps of the map that are not already neighbours, each pair once."""
    pairs: set[tuple[str, str]] = set()
    for source in where:
        for target in graph.related.get(source, ()):
            if target in where and graph.next_of(source) != target and graph.prev_of(source) != target:
                pairs.add((min(source, target), max(source, target)))
    return sorted(pairs)


def _related_curve(a: tuple[int, int], b: tuple[int, int]) -> str:
    (x1, y1), (x2, y2) = _centre(*a), _centre(*b)
    bend = min(44, 16 + 6 * abs(b[1] - a[1]))
    control = min(x1, x2) - bend
    return f'<path class="pm-related" d="M{x1 - RADIUS},{y1} C{control},{y1} {control},{y2} {x2 - RADIUS},{y2}"/>'
