"""The views of where a reader goes on from a page: the home page's hub and track cards, a hub's steps with
their "See also", an article's "Mentioned in", the hand-off to the next hub at the end of a path, and the
tracks a page is on. Every page a view shows is looked up through `graph.pages`, so the render memo sees
which pages each view depends on (`deps.Watched`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hubgen.build.pathview import path_window, window_steps
from hubgen.core.graph import LinkGraph
from hubgen.core.layout import page_dir
from hubgen.core.links import relative_url

SEE_ALSO = 6  # a hub page's step shows at most this many of the step's related pages


class Ways:
    """Cards and links of a graph's pages as seen from a page's folder (`here`), and the views built of them."""

    def __init__(self, graph: LinkGraph) -> None:
        self.graph = graph

    def card(self, page_id: str, here: str) -> dict[str, Any]:
        page = self.graph.pages[page_id]
        return {"title": page.title, "url": relative_url(here, page_dir(page_id)), "summary": page.summary}

    def link(self, page_id: str | None, here: str) -> dict[str, Any]:
        assert page_id is not None
        return {"title": self.graph.pages[page_id].title, "url": relative_url(here, page_dir(page_id))}

    def hub_title(self, page_id: str) -> str:
        hub = self.graph.hub_of.get(page_id)
        return self.graph.pages[hub].title if hub else ""

    def hub_cards(self, here: str) -> list[dict[str, Any]]:
        """The home page's hub cards: each with its article count, and its paths' steps (`steps`) and first
        steps (`keys`, where reading progress is kept) for the progress the theme's script shows."""
        cards = []
        for hub in self.graph.hub_order():
            paths = self.graph.paths_of(hub)
            keys = [relative_url(here, page_dir(path.steps[0])) for path in paths]
            steps = sum(len(path.steps) for path in paths)
            cards.append(self.card(hub, here) | {"count": len(self.graph.members(hub)), "steps": steps, "keys": keys})
        return cards

    def step(self, page_id: str, number: int, steps: Sequence[str], here: str) -> dict[str, Any]:
        """A step of a path on its hub page: its card, its number and `see_also`, its related pages that are
        not its neighbours on the path, each with its number on the path or, in another hub, that hub's title."""
        graph = self.graph
        neighbours = {graph.prev_of(page_id), graph.next_of(page_id)}
        numbers = {step: n for n, step in enumerate(steps, 1)}
        hub = graph.hub_of.get(page_id)

        def same(other: str) -> bool:  # in this hub: no need to name it
            return graph.hub_of.get(other) == hub

        see_also = [
            self.link(r, here)
            | {"number": numbers.get(r, 0), "hub_title": "" if r in numbers or same(r) else self.hub_title(r)}
            for r in graph.related[page_id][:SEE_ALSO]
            if r not in neighbours
        ]
        return self.card(page_id, here) | {"number": number, "see_also": see_also}

    def mentions(self, page_id: str, shown: Collection[str | None], here: str) -> list[dict[str, Any]]:
        """Pages that link here or name it as related, except those `shown` already, each with the sentence
        around its first link here (`context`, empty for a `related` entry alone) and its hub's title."""
        mentions = []
        for source in self.graph.backlinks.get(page_id, ()):
            if source in shown:
                continue
            context = next(
                (
                    item.link.context
                    for item in self.graph.links[source]
                    if item.target.kind == "page" and item.target.path == page_id and item.link.context
                ),
                "",
            )
            mentions.append(self.card(source, here) | {"hub_title": self.hub_title(source), "context": context})
        return mentions

    def next_hub(self, page_id: str, here: str) -> dict[str, Any] | None:
        """On the last step of a hub's path, when the hubs form a path too: the next hub, and the first step
        of its first path (`first`, None if it has no path): where the reader goes on."""
        graph = self.graph
        index, step = graph.position[page_id]
        path = graph.paths[index]
        following = graph.next_of(path.hub) if path.hub and step == len(path.steps) - 1 else None
        if following is None:
            return None
        paths = graph.paths_of(following)
        first = self.card(paths[0].steps[0], here) if paths else None
        return self.link(following, here) | {"first": first}

    # -- learning tracks (see the README's "Learning tracks") ----------------------------------------

    def track_list(self, here: str) -> list[dict[str, Any]]:
        """The home page's tracks, by title, each with its number of steps."""
        return [self.card(t.id, here) | {"count": len(t.steps)} for t in self.graph.track_order()]

    def track_steps(self, track_id: str, here: str) -> list[dict[str, Any]]:
        """A track page's steps in order, each linking to the step with the track's fragment (`#track-...`)."""
        graph = self.graph
        track = graph.track(track_id)
        if track is None:
            return []
        return [
            self.card(s, here)
            | {
                "url": relative_url(here, page_dir(s)) + "#" + track.anchor,
                "hub_title": self.hub_title(s),
                "kind": graph.pages[s].type,
                "number": n,
                "see_also": [],  # the step macro shows a hub step's related pages; a track shows none
            }
            for n, s in enumerate(track.steps, 1)
        ]

    def track_nav(self, page_id: str, here: str) -> list[dict[str, Any]]:
        """`page.tracks`: each track the page is a step of, with its place on it, its previous and next steps
        and a window of its steps (as a path's, `path_window`), their links carrying the track's fragment."""
        graph, found = self.graph, []
        for track, index in graph.tracks_of(page_id):
            steps, anchor = track.steps, track.anchor

            def on_track(step: str, anchor: str = anchor) -> str:
                return relative_url(here, page_dir(step)) + "#" + anchor

            shown = path_window(len(steps), index)
            window = window_steps(graph, steps, shown, index, on_track)
            neighbours = {
                key: self.card(steps[i], here) | {"url": on_track(steps[i])} if 0 <= i < len(steps) else None
                for key, i in (("prev", index - 1), ("next", index + 1))
            }
            found.append(
                {
                    "title": graph.pages[track.id].title,
                    "url": relative_url(here, page_dir(track.id)),
                    "anchor": anchor,
                    "position": index + 1,
                    "length": len(steps),
                    "steps": window,
                    "key": relative_url(here, page_dir(track.id)),  # where reading progress on it is kept
                    "all_url": "" if len(shown) == len(steps) else relative_url(here, page_dir(track.id)),
                }
                | neighbours
            )
        return found
