"""Each link is reported where the author changes it: at its destination (the URL inside `(...)`), also
when its text wraps over lines; a reference-style link at its use; an autolink or bare URL at the URL; raw
HTML at the href/src value. Lines and columns count from 1; columns count code points (characters), as
everywhere in hubgen's diagnostics, so `é` is one column and a tab is one column.
"""

from __future__ import annotations

import pytest

from hubgen.session import check

BASE: dict[str, bytes] = {
    "content/index.md": b"---\ntitle: Home\n---\nSee [the hub](h/index.md).\n",
    "content/h/index.md": b"---\ntitle: Hub\ntype: hub\n---\nRead [A](a.md).\n",
}
HEAD = "---\ntitle: A\nhub: h\n---\n"  # the body starts on line 5


def broken(make_hub, body: str, head: str = HEAD, newline: str = "\n") -> list[tuple[int, int, str]]:
    """(line, column, code) of the link diagnostics of page a.md holding `body`."""
    text = (head + body).replace("\n", newline).encode("utf-8")
    project = make_hub({**BASE, "content/h/a.md": text})
    codes = ("broken-link", "missing-image", "broken-anchor")
    return [(d.line, d.column, d.code) for d in check(project).diagnostics if d.code in codes]


def test_text_wrapped_over_two_lines_is_reported_at_the_url(make_hub) -> None:
    assert broken(make_hub, "See [the first\npage](nope.md) now.\n") == [(6, 7, "broken-link")]


def test_text_wrapped_over_three_lines_is_reported_at_the_url(make_hub) -> None:
    body = "Intro [one\ntwo\nthree four](gone.md#x) and [b](nope.md).\n"
    assert broken(make_hub, body) == [(7, 13, "broken-link"), (7, 32, "broken-link")]


def test_destination_on_its_own_line(make_hub) -> None:
    assert broken(make_hub, "[text](\n   nope.md\n)\n") == [(6, 4, "broken-link")]


def test_angle_bracket_destination_points_inside_the_brackets(make_hub) -> None:
    assert broken(make_hub, "A [x](<no pe.md>) b [y]( <n.md> ).\n") == [(5, 8, "broken-link"), (5, 27, "broken-link")]


def test_title_after_the_destination(make_hub) -> None:
    body = '[x](nope.md "a title") [y](no.md\n  "a title\n  on two lines")\n'
    assert broken(make_hub, body) == [(5, 5, "broken-link"), (5, 28, "broken-link")]


def test_images_at_their_source(make_hub) -> None:
    body = "![alt](gone.png) and ![wrapped\nalt](none.png)\n"
    assert broken(make_hub, body) == [(5, 8, "missing-image"), (6, 6, "missing-image")]


def test_nested_brackets_and_an_image_inside_link_text(make_hub) -> None:
    body = "[a [b] c](nope.md) [![i](gone.png)](no.md)\n"
    assert broken(make_hub, body) == [(5, 11, "broken-link"), (5, 26, "missing-image"), (5, 37, "broken-link")]


def test_the_same_link_many_times_on_one_line_each_at_its_own_column(make_hub) -> None:
    body = "[x](nope.md) " * 5 + "\n"
    assert broken(make_hub, body) == [(5, 5 + 13 * i, "broken-link") for i in range(5)]


def test_reference_style_link_at_its_use(make_hub) -> None:
    body = "Go [there][ref] or [ref].\n\n[ref]: nope.md\n"
    assert broken(make_hub, body) == [(5, 4, "broken-link"), (5, 20, "broken-link")]


def test_autolink_and_bare_url_at_the_url(make_hub) -> None:
    body = "<nope.md> is not a link; [a](#gone) <https://x.example/> www.example.org\n"
    assert broken(make_hub, body) == [(5, 30, "broken-anchor")]


def test_raw_html_at_the_attribute_value(make_hub) -> None:
    body = 'Text <a title="href=x" href="nope.md">x</a>.\n\n<div>\n  <img alt="a"\n     src=\'gone.png\'>\n</div>\n'
    assert broken(make_hub, body) == [(5, 30, "broken-link"), (9, 11, "missing-image")]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_crlf_files_count_the_same_columns(make_hub, newline: str) -> None:
    assert broken(make_hub, "a [b\nc](nope.md)\n", newline=newline) == [(6, 4, "broken-link")]


def test_front_matter_lines_are_counted(make_hub) -> None:
    head = "---\ntitle: A\nhub: h\nsummary: >\n  two\n  lines\n---\n"
    assert broken(make_hub, "[x](nope.md)\n", head=head) == [(8, 5, "broken-link")]


def test_tabs_and_non_ascii_are_one_column_each(make_hub) -> None:
    body = "é\tü [ß](nope.md)\n\n- item\n\t[x](no.md)\n"
    assert broken(make_hub, body) == [(5, 9, "broken-link"), (8, 6, "broken-link")]


def test_quotes_lists_and_table_cells(make_hub) -> None:
    body = (
        "> quoted [q](nope.md)\n> > [d](no.md)\n\n"
        "1. [a](x.md)\n   [b](y.md)\n\n"
        "| [c](c.md) | [c](c.md) |\n|---|---|\n| a | [c](c.md) |\n"
    )
    assert broken(make_hub, body) == [
        (5, 14, "broken-link"),
        (6, 9, "broken-link"),
        (8, 8, "broken-link"),
        (9, 8, "broken-link"),
        (11, 7, "broken-link"),
        (11, 19, "broken-link"),
        (13, 11, "broken-link"),
    ]


def test_a_link_in_a_heading_and_after_a_multi_line_code_span(make_hub) -> None:
    body = "## Title [h](nope.md) ##\n\nText `code\nspan` [x](no.md)\n"
    assert broken(make_hub, body) == [(5, 14, "broken-link"), (8, 11, "broken-link")]
