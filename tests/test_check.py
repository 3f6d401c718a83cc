"""`hubgen check`: front matter, configuration, references and learning paths.

Each test builds a small hub that triggers one diagnostic code and asserts the exact
(file, line, column, code) tuples, the severity, and that message and hint help. The link and anchor
checks live in test_check_links.py; the output formats, settings and CLI in test_check_cli.py.
"""

from __future__ import annotations

import pytest

from hubgen.core.diagnostics import CODES, Diagnostic
from hubgen.session import CheckResult, check

# A clean hub: home -> hub -> a -> b (a learning path), every page linked or on a path.
BASE: dict[str, str | bytes | None] = {
    "content/index.md": """\
        ---
        title: Home
        ---
        Start with [the hub](hub/index.md).
        """,
    "content/hub/index.md": """\
        ---
        title: The Hub
        type: hub
        ---
        Read [A](a.md) first.
        """,
    "content/hub/a.md": """\
        ---
        title: Page A
        next: b
        ---
        # Page A

        Text of A.
        """,
    "content/hub/b.md": """\
        ---
        title: Page B
        prev: a
        ---
        Text of B.
        """,
}


def run(make_hub, files: dict[str, str | bytes | None], **options) -> CheckResult:
    return check(make_hub({**BASE, **files}), **options)


def found(result: CheckResult) -> list[tuple[str, int, int, str]]:
    return [(d.file, d.line, d.column, d.code) for d in result.diagnostics]


def single(result: CheckResult, code: str) -> Diagnostic:
    matching = [d for d in result.diagnostics if d.code == code]
    assert len(matching) == 1, found(result)
    return matching[0]


# ------------------------------------------------------------------------------------------------ clean


def test_a_clean_hub_says_nothing(make_hub):
    result = check(make_hub(BASE))
    assert result.diagnostics == ()
    assert (result.errors, result.warnings, result.pages) == (0, 0, 4)
    assert result.graph is not None
    assert result.graph.paths[0].steps == ("hub/a", "hub/b")


def test_title_from_the_first_heading_is_enough(make_hub):
    result = run(make_hub, {"content/hub/b.md": "---\nprev: a\n---\n# Heading Title\n\nText.\n"})
    assert found(result) == []
    assert result.graph is not None
    assert result.graph.pages["hub/b"].title == "Heading Title"


# ------------------------------------------------------------------------------------------ front matter


def test_frontmatter_syntax_points_at_the_yaml_error(make_hub):
    page = """\
        ---
        title: Page A
        summary: Ratio: 3 to 1
        next: b
        ---
        Text of A without a heading.
        """
    result = run(make_hub, {"content/hub/a.md": page})
    # Not also missing-title: a front matter that cannot be read may hold one.
    assert found(result) == [("content/hub/a.md", 3, 15, "frontmatter-syntax")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "invalid YAML" in item.message and "mapping values" in item.message
    assert "quote" in item.hint


def test_frontmatter_syntax_on_a_later_line_with_a_tab(make_hub):
    page = "---\ntitle: Page A\nrelated:\n\t- b\nnext: b\n---\n# Page A\n"
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", 4, 1, "frontmatter-syntax")]
    assert "tabs" in result.diagnostics[0].hint


def test_frontmatter_unclosed(make_hub):
    page = """\
        ---
        title: Page A
        next: b

        Text, and the block is never closed.
        """
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", 1, 1, "frontmatter-unclosed")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "---" in item.hint


@pytest.mark.parametrize("yaml_text", ["- title\n- next", "just a sentence"])
def test_frontmatter_not_a_mapping(make_hub, yaml_text):
    page = f"---\n{yaml_text}\n---\n# Page A\n"
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", 2, 1, "frontmatter-not-mapping")]
    assert result.diagnostics[0].severity == "error"
    assert "mapping" in result.diagnostics[0].message


@pytest.mark.parametrize(
    ("line", "position", "key", "expected"),
    [
        ("draft: maybe", (4, 8), "draft", "true or false"),
        ("type: blog", (4, 7), "type", "'blog'"),
        ("title: [a, b]", (4, 8), "title", "a single value"),
        ("updated: someday", (4, 10), "updated", "a date"),
        ("related: {b: 1}", (4, 10), "related", "a list of page references"),
        ("tags: [ai, [nested]]", (4, 7), "tags", "a list of tag names"),
    ],
)
def test_frontmatter_type(make_hub, line, position, key, expected):
    page = f"---\nsummary: About A.\nnext: b\n{line}\n---\n# Page A\n"
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", *position, "frontmatter-type")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert item.message.startswith(f"'{key}' must be")
    assert expected in item.message
    assert item.hint.startswith("for example:")


def test_a_single_related_string_is_a_one_item_list(make_hub):
    # c is on no path and nothing links to it: only `related: c` (a plain string) keeps it from being an orphan.
    files = {
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\nrelated: c\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Page C\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == []
    assert result.graph is not None
    assert result.graph.related["hub/a"] == ("hub/c",)
    assert result.graph.backlinks["hub/c"] == ("hub/a",)


def test_frontmatter_unknown_key_with_did_you_mean(make_hub):
    page = "---\ntitle: Page A\nnext: b\nrelatd: [b]\n---\nText.\n"
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", 4, 1, "frontmatter-unknown-key")]
    item = result.diagnostics[0]
    assert item.severity == "warning"
    assert "'relatd'" in item.message
    assert item.hint == "did you mean 'related'?"


def test_frontmatter_unknown_key_without_a_close_match_lists_the_keys(make_hub):
    page = "---\ntitle: Page A\nnext: b\nxyzzy: 1\n---\nText.\n"
    item = single(run(make_hub, {"content/hub/a.md": page}), "frontmatter-unknown-key")
    assert "known keys:" in item.hint and "related" in item.hint


def test_frontmatter_duplicate_key_the_last_wins(make_hub):
    page = "---\ntitle: First\nnext: b\ntitle: Second\n---\nText.\n"
    result = run(make_hub, {"content/hub/a.md": page})
    assert found(result) == [("content/hub/a.md", 4, 1, "frontmatter-duplicate-key")]
    assert result.diagnostics[0].severity == "warning"
    assert "'title'" in result.diagnostics[0].message
    assert result.graph is not None
    assert result.graph.pages["hub/a"].title == "Second"


def test_missing_title(make_hub):
    result = run(make_hub, {"content/hub/b.md": "---\nprev: a\n---\nJust text, no heading.\n"})
    assert found(result) == [("content/hub/b.md", 1, 1, "missing-title")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "title:" in item.hint and "# " in item.hint


# ------------------------------------------------------------------------------------------ hubs


def test_missing_hub(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[the hub](hub/index.md) and [loose](loose.md).\n",
        "content/loose.md": "---\ntitle: Loose\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/loose.md", 1, 1, "missing-hub")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "hub: ..." in item.hint and "hub" in item.hint


def test_an_article_inherits_the_hub_of_its_folder(make_hub):
    # No `hub:` anywhere: hub/sub/deep.md takes the nearest hub page above it.
    files = {
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nSee [deep](sub/deep.md).\n",
        "content/hub/sub/deep.md": "---\ntitle: Deep\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == []
    assert result.graph is not None
    assert result.graph.hub_of["hub/sub/deep"] == "hub"
    assert result.graph.hub_of["hub/a"] == "hub"


def test_an_article_outside_the_folder_names_its_hub(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[the hub](hub/index.md) and [loose](loose.md).\n",
        "content/loose.md": "---\ntitle: Loose\nhub: hub\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == []
    assert result.graph is not None
    assert result.graph.hub_of["loose"] == "hub"


def test_empty_hub(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[the hub](hub/index.md), [other](other/index.md).\n",
        "content/other/index.md": "---\ntitle: Other Hub\ntype: hub\n---\nNothing yet.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/other/index.md", 1, 1, "empty-hub")]
    item = result.diagnostics[0]
    assert item.severity == "warning"
    assert "'Other Hub'" in item.message
    assert "hub: other" in item.hint


# ------------------------------------------------------------------------------------------ files


def test_duplicate_page_file_and_folder_index(make_hub):
    files = {"content/hub/b/index.md": "---\ntitle: B again\n---\nText.\n"}
    result = run(make_hub, files)
    assert found(result) == [("content/hub/b/index.md", 1, 1, "duplicate-page")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "'hub/b'" in item.message and "content/hub/b.md" in item.message
    assert "rename" in item.hint


def test_duplicate_page_names_differing_only_in_case(make_hub):
    files = {
        "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md) and [C](C.md).\n",
        "content/hub/C.md": "---\ntitle: Upper C\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Lower c\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/c.md", 1, 1, "duplicate-page")]
    item = result.diagnostics[0]
    assert "content/hub/C.md" in item.message and "case" in item.message


def test_file_unreadable_invalid_utf8_points_at_the_byte(make_hub):
    # The column counts characters: "Über caf" is 8 characters (9 bytes) before the bad byte.
    files = {
        "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md) and [C](c.md).\n",
        "content/hub/c.md": "---\ntitle: C\n---\n\nÜber caf".encode() + b"\xe9 au lait\n",
    }
    result = run(make_hub, files)
    # The link to c.md is not reported as well: the file exists, it just cannot be read.
    assert found(result) == [("content/hub/c.md", 5, 9, "file-unreadable")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "0xe9" in item.message and "UTF-8" in item.message
    assert "UTF-8" in item.hint


def test_file_unreadable_after_a_byte_order_mark(make_hub):
    files = {"content/hub/c.md": b"\xef\xbb\xbf# C\n\nab\xff\n"}
    item = single(run(make_hub, files), "file-unreadable")
    assert (item.line, item.column) == (3, 3)
    assert "0xff" in item.message


def test_a_byte_order_mark_alone_is_fine(make_hub):
    result = run(make_hub, {"content/hub/b.md": "\ufeff---\ntitle: Page B\nprev: a\n---\nText.\n".encode()})
    assert found(result) == []


def test_file_unreadable_binary_with_nul(make_hub):
    files = {"content/hub/c.md": b"# C\n\nbinary\x00data\n"}
    result = run(make_hub, files)
    assert found(result) == [("content/hub/c.md", 3, 1, "file-unreadable")]
    assert "binary" in result.diagnostics[0].message


def test_a_broken_page_does_not_hide_problems_in_other_pages(make_hub):
    files = {
        "content/hub/a.md": "---\ntitle: [unclosed\nnext: b\n---\nText.\n",
        "content/hub/b.md": "---\ntitle: Page B\nprev: a\ntpye: hub\n---\nSee [gone](gone.md).\n",
        "content/hub/c.md": b"\xff\xfe",
    }
    result = run(make_hub, files)
    codes = {(d.file, d.code) for d in result.diagnostics}
    assert codes == {
        ("content/hub/a.md", "frontmatter-syntax"),
        ("content/hub/b.md", "frontmatter-unknown-key"),
        ("content/hub/b.md", "broken-link"),
        ("content/hub/c.md", "file-unreadable"),
    }
    assert single(result, "broken-link").line == 6
    assert single(result, "frontmatter-unknown-key").hint == "did you mean 'type'?"


# ------------------------------------------------------------------------------------------ hubgen.yaml


@pytest.mark.parametrize(
    ("config", "expected", "words"),
    [
        ("title: Hub\nbase_url: : bad\n", [("hubgen.yaml", 2, 11, "config-syntax")], "invalid YAML"),
        ("- title\n- base_url\n", [("hubgen.yaml", 1, 1, "config-syntax")], "mapping"),
        ("titel: Hub\n", [("hubgen.yaml", 1, 1, "config-unknown-key")], "'titel'"),
        ("markdown:\n  htm: true\n", [("hubgen.yaml", 2, 3, "config-unknown-key")], "'markdown.htm'"),
        ("title: Hub\nbase_url: 3\n", [("hubgen.yaml", 2, 11, "config-type")], "'base_url' must be a string"),
        ("markdown:\n  html: maybe\n", [("hubgen.yaml", 2, 9, "config-type")], "true or false"),
        ("base_url: example.org\n", [("hubgen.yaml", 1, 11, "config-type")], "absolute http(s) URL"),
        ("checks:\n  broken-link: loud\n", [("hubgen.yaml", 2, 16, "config-type")], "error, warning, off"),
        ("checks:\n  orphan-pag: error\n", [("hubgen.yaml", 2, 3, "config-unknown-key")], "'orphan-pag'"),
    ],
)
def test_config_problems(make_hub, config, expected, words):
    # The content has a problem too; a broken configuration stops before the content is read.
    result = run(make_hub, {"hubgen.yaml": config, "content/hub/b.md": "no title\n"})
    assert found(result) == expected
    assert result.config_broken and result.graph is None
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert words in item.message


def test_config_hints(make_hub):
    result = run(make_hub, {"hubgen.yaml": "titel: Hub\nchecks:\n  orphan-pag: error\n"})
    assert [d.hint for d in result.diagnostics] == ["did you mean 'title'?", "did you mean 'orphan-page'?"]


# ------------------------------------------------------------------------------------------ references


def test_unknown_reference_suggests_the_closest_id(make_hub):
    files = {
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\nrelated:\n  - what-is-a-paramter\n---\nText.\n",
        "content/hub/what-is-a-parameter.md": "---\ntitle: Parameters\nprev: b\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/a.md", 5, 5, "unknown-reference")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert item.message == "related: 'what-is-a-paramter' names no page"
    assert item.hint == "did you mean 'what-is-a-parameter'?"


def test_unknown_reference_by_title_suggests_the_id(make_hub):
    files = {"content/hub/a.md": "---\ntitle: Page A\nnext: Page B\n---\nText.\n"}
    result = run(make_hub, files)
    assert found(result) == [("content/hub/a.md", 3, 7, "unknown-reference")]
    assert "hub/b" in result.diagnostics[0].hint and "title" in result.diagnostics[0].hint


def test_ambiguous_reference_lists_both_candidates(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[hub](hub/index.md) [other](other/index.md)\n",
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\nrelated: [intro]\n---\nText.\n",
        "content/hub/intro.md": "---\ntitle: Intro\nprev: b\n---\nText.\n",
        "content/other/index.md": "---\ntitle: Other\ntype: hub\n---\n[intro](intro.md)\n",
        "content/other/intro.md": "---\ntitle: Other intro\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/a.md", 4, 11, "ambiguous-reference")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "hub/intro" in item.message and "other/intro" in item.message
    assert "related: hub/intro" in item.hint


def test_a_full_id_is_not_ambiguous(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[hub](hub/index.md) [other](other/index.md)\n",
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\nrelated: [other/intro.md]\n---\nText.\n",
        "content/hub/intro.md": "---\ntitle: Intro\nprev: b\n---\nText.\n",
        "content/other/index.md": "---\ntitle: Other\ntype: hub\n---\nText.\n",
        "content/other/intro.md": "---\ntitle: Other intro\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == []
    assert result.graph is not None
    assert result.graph.related["hub/a"] == ("other/intro",)


def test_not_a_hub(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[hub](hub/index.md) [loose](loose.md)\n",
        "content/loose.md": "---\ntitle: Loose\nhub: b\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/loose.md", 3, 6, "not-a-hub")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "article" in item.message
    assert "hub" in item.hint


@pytest.mark.parametrize(
    ("line", "position", "key"),
    [("next: a", (3, 7), "next"), ("related: [b, a]", (4, 14), "related"), ("hub: a", (4, 6), "hub")],
)
def test_self_reference(make_hub, line, position, key):
    extra = "" if key == "next" else "next: b\n"
    page = f"---\ntitle: Page A\n{extra}{line}\n---\nText.\n"
    result = run(make_hub, {"content/hub/a.md": page, "content/hub/b.md": "---\ntitle: Page B\n---\nText.\n"})
    expected = [("content/hub/a.md", *position, "self-reference")]
    if key == "next":  # a's own next is gone, so b is on no path and linked from nowhere
        expected.append(("content/hub/b.md", 1, 1, "orphan-page"))
    assert found(result) == expected
    item = single(result, "self-reference")
    assert item.severity == "error"
    assert item.message == f"{key}: 'a' is this page itself"


def test_draft_reference_in_front_matter(make_hub):
    files = {
        "content/hub/b.md": "---\ntitle: Page B\nprev: a\nnext: c\nrelated: [d]\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Draft C\ndraft: true\n---\nText.\n",
        "content/hub/d.md": "---\ntitle: Draft D\ndraft: true\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [
        ("content/hub/b.md", 4, 7, "draft-reference"),
        ("content/hub/b.md", 5, 11, "draft-reference"),
    ]
    for item in result.diagnostics:
        assert item.severity == "error"
        assert "draft" in item.message and "draft: true" in item.hint
    # Checked as if the drafts were published, the same hub is clean.
    assert found(check(make_hub({}), drafts=True)) == []


def test_draft_reference_from_an_inline_link(make_hub):
    files = {
        "content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\nSee [c](c.md) and [its part](c.md#part).\n",
        "content/hub/c.md": "---\ntitle: Draft C\ndraft: true\n---\n## Part\n",
    }
    result = run(make_hub, files)
    assert found(result) == [
        ("content/hub/b.md", 5, 9, "draft-reference"),
        ("content/hub/b.md", 5, 30, "draft-reference"),
    ]
    assert "'c.md' links to a draft" in result.diagnostics[0].message


def test_a_draft_itself_is_not_checked(make_hub):
    files = {"content/hub/c.md": "---\ntitle: Draft C\ndraft: true\nnext: nowhere\n---\n[x](gone.md)\n"}
    assert found(run(make_hub, files)) == []


# ------------------------------------------------------------------------------------------ paths


def test_path_conflict(make_hub):
    # a.next = b, but b.prev = c
    files = {
        "content/hub/b.md": "---\ntitle: Page B\nprev: c\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Page C\n---\nText.\n",
    }
    result = run(make_hub, files)
    # Reported at both declarations that disagree (tests/test_path_positions.py pins the related locations).
    assert found(result) == [("content/hub/a.md", 3, 7, "path-conflict"), ("content/hub/b.md", 3, 7, "path-conflict")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "hub/a.next = hub/b (content/hub/a.md:3)" in item.message
    assert "hub/b.prev = hub/c (content/hub/b.md:3)" in item.message
    assert "A.next = B exactly when B.prev = A" in item.hint


def test_path_fork(make_hub):
    # a.next = c and b.next = c
    files = {
        "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md) or [B](b.md).\n",
        "content/hub/a.md": "---\ntitle: Page A\nnext: c\n---\nText.\n",
        "content/hub/b.md": "---\ntitle: Page B\nnext: c\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Page C\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/a.md", 3, 7, "path-fork"), ("content/hub/b.md", 3, 7, "path-fork")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "hub/a.next = hub/c" in item.message and "hub/b.next = hub/c" in item.message


def test_path_cycle_lists_the_whole_circle(make_hub):
    files = {
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nText.\n",
        "content/hub/b.md": "---\ntitle: Page B\nnext: c\n---\nText.\n",
        "content/hub/c.md": "---\ntitle: Page C\nnext: a\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/c.md", 3, 7, "path-cycle")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert "hub/a → hub/b → hub/c → hub/a" in item.message
    assert "first page" in item.hint


def test_path_leaves_hub(make_hub):
    files = {
        "content/index.md": "---\ntitle: Home\n---\n[hub](hub/index.md) [other](other/index.md)\n",
        "content/hub/b.md": "---\ntitle: Page B\nprev: a\nnext: other/c\n---\nText.\n",
        "content/other/index.md": "---\ntitle: Other\ntype: hub\n---\nText.\n",
        "content/other/c.md": "---\ntitle: Page C\n---\nText.\n",
    }
    result = run(make_hub, files)
    assert found(result) == [("content/hub/b.md", 4, 7, "path-leaves-hub")]
    item = result.diagnostics[0]
    assert item.severity == "warning"
    assert "hub/b (hub hub) → other/c (hub other)" in item.message


def test_orphan_page(make_hub):
    result = run(make_hub, {"content/hub/c.md": "---\ntitle: Page C\n---\nText.\n"})
    assert found(result) == [("content/hub/c.md", 1, 1, "orphan-page")]
    item = result.diagnostics[0]
    assert item.severity == "warning"
    assert "'Page C'" in item.message
    assert "prev/next" in item.hint


@pytest.mark.parametrize(
    "how",
    [
        {"content/hub/c.md": "---\ntitle: Page C\nprev: b\n---\nText.\n"},  # on the path (declared by c)
        {"content/hub/b.md": "---\ntitle: Page B\nprev: a\nnext: c\n---\nText.\n"},  # on the path (declared by b)
        {"content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\nSee [C](c.md).\n"},  # linked from a page
        {"content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\n<a href='c.md'>C</a>\n"},  # linked in raw HTML
        {"content/hub/b.md": "---\ntitle: Page B\nprev: a\nrelated: [c]\n---\nText.\n"},  # listed as related
    ],
)
def test_no_orphan_when_on_a_path_linked_or_related(make_hub, how):
    files = {"content/hub/c.md": "---\ntitle: Page C\n---\nText.\n", **how}
    assert found(run(make_hub, files)) == []


def test_a_link_from_the_page_itself_does_not_count(make_hub):
    files = {"content/hub/c.md": "---\ntitle: Page C\n---\nSee [myself](c.md).\n"}
    assert found(run(make_hub, files)) == [("content/hub/c.md", 1, 1, "orphan-page")]


# ------------------------------------------------------------------------------------------ the catalogue


def test_every_code_has_a_severity_and_a_meaning():
    for code, (severity, meaning) in CODES.items():
        assert severity in ("error", "warning"), code
        assert meaning, code


def test_results_are_sorted_by_file_and_position(make_hub):
    files = {
        "content/hub/b.md": "---\ntitle: Page B\nprev: a\nrelatd: x\n---\n[z](z.md) [y](y.md)\n",
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\n[x](x.md)\n",
    }
    result = run(make_hub, files)
    assert found(result) == [
        ("content/hub/a.md", 5, 5, "broken-link"),
        ("content/hub/b.md", 4, 1, "frontmatter-unknown-key"),
        ("content/hub/b.md", 6, 5, "broken-link"),
        ("content/hub/b.md", 6, 15, "broken-link"),
    ]


def test_pages_counted(make_hub):
    result = run(make_hub, {"content/hub/c.md": "---\ntitle: C\ndraft: true\n---\nText.\n"})
    assert result.pages == 4  # the draft is not published


def test_with_pages_gives_the_graph_a_fresh_build_gives_after_a_title_or_text_edit(make_hub) -> None:
    """serve derives the graph for body, title and summary edits instead of building it again: every part of
    it must equal the fresh graph, including the lists a new title re-orders (backlinks, tag pages)."""
    from dataclasses import fields

    from hubgen.core.graph import LinkGraph, with_pages

    page = "---\ntitle: {title}\nhub: h\ntags: [t]\n---\nSee [target](t.md). {text}\n"
    files = {
        "hubgen.yaml": "title: T\nsearch: false\n",
        "content/index.md": "# Home\n",
        "content/h/index.md": "---\ntitle: H\ntype: hub\n---\nHub.\n",
        "content/h/t.md": "---\ntitle: Target\nhub: h\ntags: [t]\n---\nThe target.\n",
        "content/h/x.md": page.format(title="Bravo", text="X."),
        "content/h/y.md": page.format(title="Charlie", text="Y."),
    }
    project = make_hub(files)
    before = check(project).graph
    assert before is not None and before.backlinks["h/t"] == ("h/x", "h/y")
    for title, text in (("Alpha", "Y."), ("Alpha", "Y, at length."), ("Delta", "Y.")):
        make_hub({"content/h/y.md": page.format(title=title, text=text)})
        fresh = check(project).graph
        assert fresh is not None
        derived = with_pages(before, {"h/y": fresh.pages["h/y"]}, fresh.digest)
        for part in fields(LinkGraph):
            assert getattr(derived, part.name) == getattr(fresh, part.name), part.name
        before = derived
    assert before.backlinks["h/t"] == ("h/x", "h/y") and before.tags["t"].pages == ("h/x", "h/y", "h/t")
