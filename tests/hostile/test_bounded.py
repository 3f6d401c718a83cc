"""Hostile pages check in time linear (or n log n) in their size, and still say exactly what they should.

Each page below is built by a tiny generator; the checks assert an absolute bound (generous: the machine
is shared) and the exact diagnostics. `test_time_grows_linearly` checks the growth itself: four times
the page may take about four times as long, never the sixteen a quadratic step would. Duplicated
diagnostics are kept, one per link, as they always were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hubkit import BASE, article

from hubgen import session
from hubgen.core.markdown import parse_markdown

PAGE = "content/h/x.md"
FIRST = 5  # the body's first line, after article()'s front matter
Found = list[tuple[str, int, int]]


def check_page(make_hub: Callable[..., Path], body: str, name: str = "hub") -> tuple[Found, float]:
    """(code, line, column) of page x.md's diagnostics (orphan-page aside), and the seconds `check` took."""
    project = make_hub({**BASE, PAGE: article(body=body)}, name=name)
    start = time.monotonic()
    result = session.check(project)
    seconds = time.monotonic() - start
    return [
        (d.code, d.line, d.column) for d in result.diagnostics if d.file == PAGE and d.code != "orphan-page"
    ], seconds


def columns(parts: list[str], offset: int) -> list[int]:
    """The column of `offset` within each of `parts`, written one after another on one line."""
    found, at = [], 1
    for part in parts:
        found.append(at + offset)
        at += len(part)
    return found


def test_1500_copies_of_one_broken_link_on_one_line(make_hub) -> None:
    parts = ["[x](nope.md) "] * 1500  # 19 KB: the page, which took over a minute
    found, seconds = check_page(make_hub, "".join(parts) + "\n")
    assert found == [("broken-link", FIRST, column) for column in columns(parts, 4)]
    assert seconds < 5


def test_bare_urls_in_one_paragraph_then_a_link(make_hub) -> None:
    distinct = " ".join(f"https://example.com/{i}" for i in range(1500))
    same = "https://example.com/x " * 1500
    body = f"{distinct} [x](nope.md)\n\n{same}[y](no.md)\n\n" + "a:// " * 20000 + "\n"
    found, seconds = check_page(make_hub, body)
    assert found == [("broken-link", FIRST, len(distinct) + 6), ("broken-link", FIRST + 2, len(same) + 5)]
    assert seconds < 5


def test_reference_definitions_and_uses(make_hub) -> None:
    n = 3000
    body = "".join(f"[r{i}]\n" for i in range(n)) + "\n" + "".join(f"[r{i}]: nope{i}.md\n" for i in range(n))
    found, seconds = check_page(make_hub, body)
    assert found == [("broken-link", FIRST + i, 1) for i in range(n)]
    assert seconds < 5


def test_images_on_one_line(make_hub) -> None:
    parts = [f"![a](gone{i}.png) " for i in range(3000)]
    found, seconds = check_page(make_hub, "".join(parts) + "\n")
    assert found == [("missing-image", FIRST, column) for column in columns(parts, 5)]
    assert seconds < 5


def test_inline_html_links_on_one_line_and_in_a_block(make_hub) -> None:
    parts = [f'<a href="n{i}.md">x</a> ' for i in range(3000)]
    block = "".join(f'<a\n  href="b{i}.md">x</a>\n' for i in range(3000))
    found, seconds = check_page(make_hub, "Text " + "".join(parts) + "\n\n<div>\n" + block + "</div>\n")
    inline = [("broken-link", FIRST, column + 5) for column in columns(parts, 9)]
    in_block = [("broken-link", FIRST + 4 + 2 * i, 9) for i in range(3000)]
    assert found == inline + in_block
    assert seconds < 5


def test_many_headings_with_one_slug_stay_linear_and_match_github(make_hub) -> None:
    n = 5000
    links = "".join(f"[x](#same-{i})\n" for i in range(1, n)) + f"[x](#same)\n[x](#same-{n})\n"
    found, seconds = check_page(make_hub, "## Same\n\n" * n + links)
    assert found == [("broken-anchor", FIRST + 2 * n + n, 5)]  # #same .. #same-4999 exist, #same-5000 does not
    assert seconds < 5


def test_broken_anchors_to_a_page_of_many_headings(make_hub) -> None:
    n = 5000
    found, seconds = check_page(make_hub, "".join(f"## H{i}\n\n" for i in range(n)) + "[x](#nope)\n" * n)
    assert found == [("broken-anchor", FIRST + 2 * n + i, 5) for i in range(n)]
    assert seconds < 5


def test_100000_ignore_comments(make_hub) -> None:
    n = 100_000
    body = "<!-- hubgen-ignore -->\n" * n + "[x](nope.md) <!-- hubgen-ignore -->\n\n[y](no.md)\n"
    found, seconds = check_page(make_hub, body)
    assert found == [("broken-link", FIRST + n + 2, 5)]
    assert seconds < 10


def test_a_one_megabyte_line(make_hub) -> None:
    found, seconds = check_page(make_hub, "word " * 200_000 + "[x](nope.md)\n")
    assert found == [("broken-link", FIRST, 1_000_000 + 5)]
    assert seconds < 5


def test_deep_nesting_is_cut_by_markdown_its_limit(make_hub) -> None:
    quotes = ">" * 10_000 + " [x](nope.md)\n\n"  # past markdown-it's nesting limit: not read, and said so
    brackets = "[" * 10_000 + "x](no.md)" + "]" * 10_000 + "\n\n"
    lists = "".join("  " * i + "- x\n" for i in range(2000)) + "\n[y](gone.md)\n"  # markdown-it drops the rest
    found, seconds = check_page(make_hub, quotes + brackets + lists)
    cut = [("markdown-too-deep", FIRST, 1), ("markdown-too-deep", FIRST + 4 + 9, 1)]  # the tenth list
    assert found == [cut[0], ("broken-link", FIRST + 2, 10_004), cut[1]]
    assert seconds < 5


def test_50000_footnotes(make_hub) -> None:
    n = 50_000
    body = "".join(f"x[^{i}]\n" for i in range(n)) + "\n" + "".join(f"[^{i}]: note\n" for i in range(n))
    found, seconds = check_page(make_hub, body + "[x](#fn1) [y](#fnref2) [z](nope.md)\n")
    assert found == [("broken-link", FIRST + 2 * n + 1, 28)]
    assert seconds < 10


def test_a_long_faq() -> None:
    body = "## Common questions\n\n" + "".join(f"### Q{i}?\n\nAnswer {i}.\n\nMore.\n\n" for i in range(20_000))
    start = time.monotonic()
    faq = parse_markdown(body, render=False).faq
    assert time.monotonic() - start < 5
    assert len(faq) == 20_000 and faq[-1].question == "Q19999?" and faq[-1].answer == "Answer 19999. More."


GENERATORS: dict[str, Callable[[int], str]] = {
    "same link on one line": lambda n: "[x](nope.md) " * n,
    "same bare URL": lambda n: "https://example.com/x " * n,
    "distinct bare URLs": lambda n: " ".join(f"https://example.com/{i}" for i in range(n)),
    "images": lambda n: "![a](x.png) " * n,
    "inline html": lambda n: '<a href="x.md">x</a> ' * n,
    "references": lambda n: "[r]\n" * n + "\n[r]: nope.md\n",
    "headings": lambda n: "## Same\n\n" * n + "[x](#same-1)\n" * n,
    "ignore comments": lambda n: "<!-- hubgen-ignore -->\n" * (10 * n),
    "schemes": lambda n: "a:// " * (4 * n),
}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_time_grows_linearly(make_hub, name: str) -> None:
    n = 4000
    small = min(check_page(make_hub, GENERATORS[name](n), f"s{i}")[1] for i in range(2))
    large = check_page(make_hub, GENERATORS[name](4 * n), "large")[1]
    assert large < 8 * small + 0.3, (small, large)  # linear: about 4x; a quadratic step: 16x


def test_lists_nested_past_the_limit_say_where_reading_stopped(make_hub) -> None:
    nested = "".join("  " * i + "- x\n" for i in range(12)) + "\n[z](nope.md)\n"  # the link is never read
    assert check_page(make_hub, nested)[0] == [("markdown-too-deep", FIRST + 9, 1)]
    shallower = "".join("  " * i + "- x\n" for i in range(9)) + "\n[z](nope.md)\n"
    assert check_page(make_hub, shallower, "shallow")[0] == [("broken-link", FIRST + 10, 5)]
