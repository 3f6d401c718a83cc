"""A learning path as an article shows it: its position and the steps it lists. The hub page lists every
step as the path's map (an ordered list drawn as a rail: numbered nodes, the line between them, related
pages beside each step), so one list serves readers, screen readers and search alike.

An article shows its whole path only when the path is short (`path_window`); of a longer one it shows the
first and last steps and those around its own, so a page's size does not grow with its path's length (a
600-step path would otherwise put 600 links on each of its 600 pages). The hub page lists every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hubgen.core.graph import LinkGraph
from hubgen.core.layout import page_dir
from hubgen.core.links import relative_url

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
    key = relative_url(here, page_dir(path.steps[0]))  # where reading progress on the path is kept
    view = {"hub_title": hub_title, "position": step + 1, "length": len(path.steps), "steps": steps}
    return view | {"all_url": all_url, "key": key}


def window_steps(
    graph: LinkGraph, steps: Sequence[str], shown: Sequence[int], current: int, url_for: Callable[[str], str]
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
