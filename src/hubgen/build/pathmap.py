"""Learning-path maps: inline SVG drawn at build time, so a reader needs no JavaScript to see them.

`hub_map` draws a hub's paths side by side (each path a column of steps, in order), with related links
between steps as dashed curves; `compact_map` is the one-row version for an article's sidebar, the
current step highlighted; `track_map` draws a learning track's steps as one column. Every step is a
link. The ordered lists beside them stay the accessible form, so the pictures are hidden from assistive
technology.

An article shows its whole path only when the path is short (`path_window`); of a longer one it shows the
first and last steps and those around its own, so a page's size does not grow with its path's length (a
600-step path would otherwise put 600 links on each of its 600 pages). The hub page lists every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from hubgen.core.graph import LinkGraph, Track
from hubgen.core.layout import page_dir
from hubgen.core.links import relative_url

COLUMN = 380  # width of one path's column
ROW = 52  # height of one step
RADIUS = 11
LABEL_CHARS = 40

UrlFor = Callable[[str], str]
WHOLE_PATH = 9  # a path of at most this many steps is shown whole on its pages
AROUND = 2  # of a longer path: the steps this close to the current one, the first and the last


def path_window(length: int, current: int) -> list[int]:
    """The indexes of the steps an article at step `current` (from 0) shows of a path of `length` steps: all
    of a short path; else the first, the last and a run of 2 * AROUND + 1 steps around the current one
    (shifted to stay inside the path), a gap of a single step filled with that step. At most WHOLE_PATH."""
    if length <= WHOLE_PATH:
        return list(range(length))
    start = max(0, min(current - AROUND, length - 2 * AROUND - 1))
    shown = sorted({0, length - 1, *range(start, start + 2 * AROUND + 1)})
    filled = [shown[0]]
    for index in shown[1:]:
        if index - filled[-1] == 2:
            filled.append(index - 1)
        filled.append(index)
    return filled


def hub_map(graph: LinkGraph, hub_id: str, url_for: UrlFor) -> Markup:
    return columns_map(graph, [path.steps for path in graph.paths_of(hub_id)], url_for)


def track_map(graph: LinkGraph, track: Track, url_for: UrlFor) -> Markup:
    """A track's map on its page: its steps in one column, as a hub's path is drawn (steps from other hubs
    and all); `url_for` gives each step's link (the track's fragment on it)."""
    return columns_map(graph, [track.steps], url_for)


def columns_map(graph: LinkGraph, paths: Sequence[Sequence[str]], url_for: UrlFor) -> Markup:
    """Paths side by side, each a column of steps in order, with related links between steps as curves."""
    if not paths:
        return Markup("")
    where = {step: (column, row) for column, steps in enumerate(paths) for row, step in enumerate(steps)}
    width = COLUMN * len(paths) + 20
    height = ROW * max(len(steps) for steps in paths) + 10
    parts = [_open_svg(width, height, "pathmap")]
    parts += [_related_curve(where[a], where[b]) for a, b in _related_pairs(graph, where)]
    for column, steps in enumerate(paths):
        parts += [_edge(_centre(column, row), _centre(column, row + 1)) for row in range(len(steps) - 1)]
        parts += [_node(graph, step, _centre(column, row), row + 1, url_for) for row, step in enumerate(steps)]
    parts.append("</svg>")
    return Markup("".join(parts))


def path_view(
    graph: LinkGraph, page_id: str, here: str, site_title: str, anchors: Mapping[int, str]
) -> dict[str, Any] | None:
    """An article's `page.path` (see the README's Templates): its position and the steps it shows, the
    whole of a short path, a window of a long one, with `all_url` then leading to the hub page's full list
    (`anchors`: each path's fragment there, from `path_anchors`). None off any path."""
    if page_id not in graph.position:
        return None
    index, step = graph.position[page_id]
    path = graph.paths[index]
    shown = path_window(len(path.steps), step)
    steps = window_steps(graph, path.steps, shown, step, lambda s: relative_url(here, page_dir(s)))
    hub_title = graph.pages[path.hub].title if path.hub else site_title
    whole = len(shown) == len(path.steps)
    all_url = "" if whole or not path.hub else relative_url(here, page_dir(path.hub)) + anchors[index]
    view = {"hub_title": hub_title, "position": step + 1, "length": len(path.steps), "steps": steps}
    return view | {"all_url": all_url}


def window_steps(
    graph: LinkGraph, steps: Sequence[str], shown: Sequence[int], current: int, url_for: UrlFor
) -> list[dict[str, Any]]:
    """The `shown` steps (indexes from `path_window`) of a path or track, as its lists on a page show them."""
    return [
        {
            "title": graph.pages[steps[i]].title,
            "url": url_for(steps[i]),
            "current": i == current,
            "number": i + 1,
            "gap_before": n > 0 and i - shown[n - 1] > 1,
        }
        for n, i in enumerate(shown)
    ]


def path_anchors(graph: LinkGraph) -> dict[int, str]:
    """Each path's fragment on its hub's page (hub.html's ids): the hub's only path is `#learning-path`,
    else its paths are `#hg-path-1`, `#hg-path-2`... in order."""
    by_hub: dict[str | None, list[int]] = {}
    for index, path in enumerate(graph.paths):
        by_hub.setdefault(path.hub, []).append(index)
    anchors = {}
    for indexes in by_hub.values():
        for number, index in enumerate(indexes, 1):
            anchors[index] = "#learning-path" if len(indexes) == 1 else f"#hg-path-{number}"
    return anchors


def compact_map_of(graph: LinkGraph, page_id: str, here: str) -> Markup:
    """The compact map of the article's path (the same window as its list), or nothing off any path."""
    if page_id not in graph.position:
        return Markup("")
    index, step = graph.position[page_id]
    steps = graph.paths[index].steps
    shown = path_window(len(steps), step)
    ids = [steps[i] for i in shown]
    urls = [relative_url(here, page_dir(s)) for s in ids]
    titles = [graph.pages[s].title for s in ids]
    return compact_map(ids, page_id, urls, titles, None if len(shown) == len(steps) else [i + 1 for i in shown])


def compact_map(
    steps: Sequence[str],
    current: str,
    urls: Sequence[str],
    titles: Sequence[str],
    numbers: Sequence[int] | None = None,
) -> Markup:
    """One dot per step in a row, the current one larger and filled; `urls` of the steps from the page. With
    `numbers` (from 1), the steps are a window of a longer path: an ellipsis stands where steps are left out."""
    gap = 22
    numbers = numbers or range(1, len(steps) + 1)
    skips = [index > 0 and number - numbers[index - 1] > 1 for index, number in enumerate(numbers)]
    width = gap * (len(steps) + sum(skips)) + 8
    parts = [_open_svg(width, 28, "pathmap pathmap-compact")]
    parts.append(f'<line class="pm-edge" x1="{gap // 2 + 4}" y1="14" x2="{width - gap // 2 - 4}" y2="14"/>')
    column = 0
    for step, url, title, number, skip in zip(steps, urls, titles, numbers, skips, strict=True):
        if skip:
            parts.append(f'<text class="pm-gap" x="{gap * column + gap // 2 + 4}" y="18" text-anchor="middle">…</text>')
            column += 1
        x = gap * column + gap // 2 + 4
        cls = "pm-node pm-current" if step == current else "pm-node"
        radius = 7 if step == current else 5
        parts.append(
            f'<a href="{escape(url)}" tabindex="-1"><title>{number}. {escape(title)}</title>'
            f'<circle class="{cls}" cx="{x}" cy="14" r="{radius}"/></a>'
        )
        column += 1
    parts.append("</svg>")
    return Markup("".join(parts))


def _open_svg(width: int, height: int, css_class: str) -> str:
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false">'
    )


def _centre(column: int, row: int) -> tuple[int, int]:
    return 52 + column * COLUMN, 26 + row * ROW


def _node(graph: LinkGraph, step: str, at: tuple[int, int], number: int, url_for: UrlFor) -> str:
    title = graph.pages[step].title
    label = title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"
    x, y = at
    return (
        f'<a href="{escape(url_for(step))}" tabindex="-1"><title>{escape(title)}</title>'
        f'<circle class="pm-node" cx="{x}" cy="{y}" r="{RADIUS}"/>'
        f'<text class="pm-number" x="{x}" y="{y + 4}" text-anchor="middle">{number}</text>'
        f'<text class="pm-label" x="{x + RADIUS + 10}" y="{y + 5}">'
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
