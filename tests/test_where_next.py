"""The learning path in the reader's hand, as built HTML: the hub page's map (one list, drawn as a rail, with
each step's related pages), an article's rail and sidebar list, its one "where next" block (each neighbour
once, then related pages, then "Mentioned in" with the sentence around each link), the hand-off to the next
hub at the end of a path, and the hooks the theme's script paints progress into."""

from __future__ import annotations

from helpers import build_site, read_html
from hubgen.core.markdown import parse_markdown
from hubgen.core.mentions import SIDE, sentence_around


def _hub(text: str, **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\n{extra}---\n{text}\n"


FILES = {
    "hubgen.yaml": "title: Paths\n",
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/basics/index.md": _hub("The basics.", title="Basics", type="hub", next="more"),
    "content/basics/a.md": _hub("Start here. Then [the middle step](b.md) explains more.", title="A", next="b"),
    "content/basics/b.md": _hub("Middle.", title="B", next="c", related="[a, c, x, more/y]"),
    "content/basics/c.md": _hub("The end, after [A](a.md).", title="C", related="[x]"),
    "content/basics/x.md": _hub("Off path. It builds on [step B](b.md), which it extends.", title="X", related="[b]"),
    "content/more/index.md": _hub("More.", title="More", type="hub"),
    "content/more/y.md": _hub("Further. Compare [B](../basics/b.md).", title="Y", next="z"),
    "content/more/z.md": _hub("Last.", title="Z"),
}


def test_the_hub_page_draws_each_path_as_one_list_with_its_see_also(make_hub) -> None:
    site = build_site(make_hub(FILES))
    hub = read_html(site, "basics/index.html")
    assert hub.one("main").select_one("svg") is None, "the map is the list, not a second copy"
    steps = hub.select("ol.steps li.step")
    assert [s.one(".step-title a").text for s in steps] == ["A", "B", "C"]
    assert [s.one(".step-node").text for s in steps] == ["1", "2", "3"]
    assert hub.one("ol.steps")["data-progress-list"] == "a/"
    also = [(a.text, a["href"]) for a in steps[1].select(".step-also a")]
    assert also == [("X", "x/"), ("Y in More", "../more/y/")], "neighbours A and C left out; another hub named"
    assert steps[2].one(".step-also a").text == "X"
    assert hub.one("[data-progress]")["data-progress"] == "a/"
    assert hub.one("[data-progress]")["data-progress-total"] == "3"
    assert hub.select_one("[data-progress-continue]") is not None
    assert hub.one(".legend").text
    assert hub.one(".path-then a")["href"] == "../more/"


def test_an_article_has_a_rail_and_its_path_list_with_the_current_step(make_hub) -> None:
    site = build_site(make_hub(FILES))
    page = read_html(site, "basics/b/index.html")
    rail = page.one("nav.rail")
    assert rail.one(".rail-prev")["href"] == "../a/"
    assert rail.one(".rail-next")["href"] == "../c/"
    assert rail.one("summary .rail-where").text == "Step 2 of 3"
    assert rail.one("[data-progress-short]")["data-progress-short"] == "../a/"
    for where in (rail, page.one(".path-block")):
        items = where.select("ol.pathlist li")
        assert [i.text.strip() for i in items] == ["A", "B", "C"]
        assert items[1].one("[aria-current=step]").text == "B"
        assert where.one("ol.pathlist")["data-progress-list"] == "../a/"
    first = read_html(site, "basics/a/index.html").one("nav.rail")
    assert first.select_one("a.rail-prev") is None and first.select_one(".rail-none") is not None
    assert read_html(site, "basics/x/index.html").select_one("nav.rail") is None, "off the path: no rail"


def test_where_next_shows_each_neighbour_once_then_related_then_mentions(make_hub) -> None:
    site = build_site(make_hub(FILES))
    block = read_html(site, "basics/b/index.html").one("section.where-next")
    assert block.one("a.next-card")["href"] == "../c/"
    assert "step 3 of 3" in block.one(".next-label").text
    assert block.one(".prev-link a")["href"] == "../a/"
    hrefs = [a["href"] for a in block.select("a")]
    assert hrefs.count("../a/") == 1 and hrefs.count("../c/") == 1, hrefs
    assert [c.one(".card-title a").text for c in block.select(".cards .card")] == ["X", "Y"]
    assert [c.one(".card-meta").text for c in block.select(".cards .card")] == ["Basics", "More"]
    mentions = block.select(".mentions li")
    assert [m.one("a").text for m in mentions] == [], "A, X and Y link here but are shown above already"
    c_page = read_html(site, "basics/a/index.html").one("section.where-next")
    quoted = {m.one("a").text: m.one("q").text for m in c_page.select(".mentions li")}
    assert quoted == {"C": "The end, after A."}, "B (next) is not repeated; C quotes its sentence"


def test_the_last_step_hands_the_reader_to_the_next_hub(make_hub) -> None:
    site = build_site(make_hub(FILES))
    end = read_html(site, "basics/c/index.html").one("section.where-next")
    card = end.one(".path-end a.next-card")
    assert card["href"] == "../../more/y/"
    assert "More" in card.one(".next-label").text and card.one(".next-title").text == "Y"
    assert end.one(".path-end [data-progress]")["data-progress-total"] == "3"
    assert end.one(".path-end-back a")["href"] == "../"
    assert read_html(site, "basics/c/index.html").one("nav.rail .rail-next")["href"] == "../../more/y/"
    last = read_html(site, "more/z/index.html").one("section.where-next")
    assert last.select_one(".next-card") is None, "the hubs' path ends here: back to the hub only"
    assert last.one(".path-end-back a")["href"] == "../"


def test_home_hub_cards_carry_their_paths_for_progress(make_hub) -> None:
    site = build_site(make_hub(FILES))
    cards = read_html(site, "index.html").select(".hub-card")
    assert [c.one(".card-title a").text for c in cards] == ["Basics", "More"]
    marks = [c.one("[data-progress-of]") for c in cards]
    assert [(m["data-progress-of"], m["data-progress-total"]) for m in marks] == [("basics/a/", "3"), ("more/y/", "2")]


def test_a_mention_quotes_the_sentence_around_the_link_and_nothing_more() -> None:
    body = parse_markdown("First sentence. A link to [the page](p.md) sits here. Third one.\n")
    assert body.links[0].context == "A link to the page sits here."
    assert parse_markdown("See [out](https://example.org/).\n").links[0].context == ""
    text = "word " * 100_000
    quoted = sentence_around(text, 250_000, 250_004)
    assert quoted.startswith("…") and quoted.endswith("…") and len(quoted) <= 2 * SIDE + 10
