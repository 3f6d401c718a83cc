"""Authoring commands: new, add, move, remove, rename. Each runs on a real hub and the resulting files are
compared byte for byte with the expected text (comments, quoting, flow lists and CRLF kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_cli
from hubgen import session

HUB = {
    "hubgen.yaml": "title: Test Hub\n",
    "content/index.md": "---\ntitle: Home\n---\nSee [the hub](nn/index.md) and [the other](other/index.md).\n",
    "content/nn/index.md": "---\ntitle: Neural Networks\ntype: hub\n---\nStart with [a](a.md).\n",
    "content/nn/a.md": (
        '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: b   # then b\nrelated: [b, c]\n---\n'
        "A links to [b](b.md#intro) and [c](c.md).\n"
    ),
    "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nprev: a\nnext: 'c'\n---\n## Intro\n\nB, after [a](a.md).\n",
    "content/nn/c.md": (
        '---\ntitle: Page C\nhub: nn\nprev: b\nrelated:\n  - a\n  - b\n---\nC links back to [a](./a.md "A").\n'
    ),
    "content/other/index.md": "---\ntitle: Other\ntype: hub\n---\nSee [x](x.md).\n",
    "content/other/x.md": "---\ntitle: Page X\nhub: other\n---\nX, [to b](../nn/b.md).\n",
}

NEW_BODY = (
    "---\n\nAnswer the question in the title here, in a few short paragraphs.\n\n## Common questions\n\n"
    "### What do readers ask next?\n\nAnswer it in a paragraph or two.\n"
)


@pytest.fixture
def hub(make_hub) -> Path:
    root = make_hub(HUB)
    assert session.check(root).diagnostics == ()
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def changed(before: dict[str, bytes], root: Path) -> dict[str, str | None]:
    """Every file that differs from `before`: its new text, or None when it is gone."""
    after = snapshot(root)
    names = sorted(set(before) | set(after))
    return {n: (after[n].decode() if n in after else None) for n in names if before.get(n) != after.get(n)}


def edit(root: Path, *args: str, code: int = 0) -> tuple[dict[str, str | None], str]:
    before = snapshot(root)
    outcome = run_cli(*args, "-C", str(root))
    assert outcome.exit_code == code, outcome.output
    assert outcome.exception is None
    if code == 0:
        result = session.check(root)
        assert result.diagnostics == (), result.diagnostics
    return changed(before, root), outcome.output


# ------------------------------------------------------------------------------------------ add


def test_add_at_the_end_gives_the_last_page_a_next(hub):
    files, output = edit(hub, "add", "What Is Attention?", "--hub", "nn")
    assert output == "updated content/nn/c.md\ncreated content/nn/what-is-attention.md\n"
    assert files == {
        "content/nn/c.md": (
            "---\ntitle: Page C\nhub: nn\nprev: b\nnext: what-is-attention\nrelated:\n  - a\n  - b\n---\n"
            'C links back to [a](./a.md "A").\n'
        ),
        "content/nn/what-is-attention.md": (
            "---\ntitle: What Is Attention?\nsummary: One sentence on what this page answers.\nhub: nn\nprev: c\n"
            + NEW_BODY
        ),
    }


def test_add_after_keeps_comments_and_quotes(hub):
    files, output = edit(hub, "add", "Between: the Middle", "--hub", "nn", "--after", "a")
    assert output.splitlines() == [
        "updated content/nn/a.md",
        "updated content/nn/b.md",
        "created content/nn/between-the-middle.md",
    ]
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: between-the-middle   # then b\n'
            "related: [b, c]\n---\nA links to [b](b.md#intro) and [c](c.md).\n"
        ),
        "content/nn/b.md": (
            "---\ntitle: Page B\nhub: nn\nprev: between-the-middle\nnext: 'c'\n---\n## Intro\n\nB, after [a](a.md).\n"
        ),
        "content/nn/between-the-middle.md": (
            '---\ntitle: "Between: the Middle"\nsummary: One sentence on what this page answers.\nhub: nn\n'
            "prev: a\nnext: b\n" + NEW_BODY
        ),
    }


def test_add_before_the_first_page_with_a_chosen_id(hub):
    files, _ = edit(hub, "add", "Zeta", "--hub", "nn", "--before", "a", "--id", "first")
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\nprev: first\n# the first step\nnext: b   # then b\n'
            "related: [b, c]\n---\nA links to [b](b.md#intro) and [c](c.md).\n"
        ),
        "content/nn/first.md": (
            "---\ntitle: Zeta\nsummary: One sentence on what this page answers.\nhub: nn\nnext: a\n" + NEW_BODY
        ),
    }


def test_crlf_files_stay_crlf(make_hub):
    crlf = HUB["content/nn/c.md"].replace("\n", "\r\n").encode()
    root = make_hub({**HUB, "content/nn/c.md": crlf})
    files, _ = edit(root, "add", "New One", "--hub", "nn")
    assert files["content/nn/c.md"] == (
        "---\r\ntitle: Page C\r\nhub: nn\r\nprev: b\r\nnext: new-one\r\nrelated:\r\n  - a\r\n  - b\r\n---\r\n"
        'C links back to [a](./a.md "A").\r\n'
    )


def test_dry_run_prints_a_diff_and_writes_nothing(hub):
    files, output = edit(hub, "add", "Between", "--hub", "nn", "--after", "a", "--dry-run")
    assert files == {}
    assert output.startswith(
        "--- a/content/nn/a.md\n+++ b/content/nn/a.md\n@@ -2,7 +2,7 @@\n"
        ' title: "Page A"\n hub: nn\n # the first step\n-next: b   # then b\n+next: between   # then b\n'
    )
    assert "--- /dev/null\n+++ b/content/nn/between.md\n@@ -0,0 +1,15 @@\n+---\n+title: Between\n" in output
    assert "-prev: a\n+prev: between\n" in output


# ------------------------------------------------------------------------------------------ move


def test_move_within_a_path(hub):
    files, output = edit(hub, "move", "c", "--after", "a")
    assert output.splitlines() == ["updated content/nn/a.md", "updated content/nn/b.md", "updated content/nn/c.md"]
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: c   # then b\nrelated: [b, c]\n---\n'
            "A links to [b](b.md#intro) and [c](c.md).\n"
        ),
        "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nprev: c\n---\n## Intro\n\nB, after [a](a.md).\n",
        "content/nn/c.md": (
            "---\ntitle: Page C\nhub: nn\nprev: a\nnext: b\nrelated:\n  - a\n  - b\n---\n"
            'C links back to [a](./a.md "A").\n'
        ),
    }


def test_move_to_another_hub_keeps_the_file_and_changes_hub(hub):
    files, _ = edit(hub, "move", "c", "--after", "x")
    assert files == {
        "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nprev: a\n---\n## Intro\n\nB, after [a](a.md).\n",
        "content/nn/c.md": (
            '---\ntitle: Page C\nhub: other\nprev: x\nrelated:\n  - a\n  - b\n---\nC links back to [a](./a.md "A").\n'
        ),
        "content/other/x.md": "---\ntitle: Page X\nhub: other\nnext: c\n---\nX, [to b](../nn/b.md).\n",
    }


def test_move_to_the_end_of_a_hub(hub):
    files, _ = edit(hub, "move", "a", "--hub", "nn")
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\nprev: c\n# the first step\nrelated: [b, c]\n---\n'
            "A links to [b](b.md#intro) and [c](c.md).\n"
        ),
        "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nnext: 'c'\n---\n## Intro\n\nB, after [a](a.md).\n",
        "content/nn/c.md": (
            "---\ntitle: Page C\nhub: nn\nprev: b\nnext: a\nrelated:\n  - a\n  - b\n---\n"
            'C links back to [a](./a.md "A").\n'
        ),
    }


# ------------------------------------------------------------------------------------------ remove


def test_remove_refuses_while_pages_link_to_it(hub):
    files, output = edit(hub, "remove", "b", code=1)
    assert files == {}
    assert "content/other/x.md:5:11: links to it" in output
    assert "content/nn/c.md:7:5: lists it in related" in output
    assert "--fix-links" in output


def test_remove_with_fix_links(hub):
    files, output = edit(hub, "remove", "b", "--fix-links")
    assert output.splitlines() == [
        "updated content/nn/a.md",
        "deleted content/nn/b.md",
        "updated content/nn/c.md",
        "updated content/other/x.md",
    ]
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: c   # then b\nrelated: [c]\n---\n'
            "A links to b and [c](c.md).\n"
        ),
        "content/nn/b.md": None,
        "content/nn/c.md": (
            '---\ntitle: Page C\nhub: nn\nprev: a\nrelated:\n  - a\n---\nC links back to [a](./a.md "A").\n'
        ),
        "content/other/x.md": "---\ntitle: Page X\nhub: other\n---\nX, to b.\n",
    }


def test_an_edit_that_breaks_the_hub_is_refused(hub):
    files, output = edit(hub, "remove", "other", "--fix-links", code=1)
    assert files == {}
    assert "error[unknown-reference]: hub: 'other' names no page" in output
    assert "nothing written" in output


# ------------------------------------------------------------------------------------------ rename


def test_rename_in_place_keeps_the_form_of_references(hub):
    files, output = edit(hub, "rename", "c", "see")
    assert output.splitlines() == [
        "updated content/nn/a.md",
        "updated content/nn/b.md",
        "renamed content/nn/c.md -> content/nn/see.md",
    ]
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: b   # then b\nrelated: [b, see]\n---\n'
            "A links to [b](b.md#intro) and [c](see.md).\n"
        ),
        "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nprev: a\nnext: 'see'\n---\n## Intro\n\nB, after [a](a.md).\n",
        "content/nn/c.md": None,
        "content/nn/see.md": HUB["content/nn/c.md"].replace("  - b\n---", "  - b\naliases:\n  - nn/c\n---"),
    }


def test_rename_into_another_folder_recomputes_links(hub):
    files, _ = edit(hub, "rename", "b", "other/bee")
    assert files == {
        "content/nn/a.md": (
            '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: bee   # then b\nrelated: [bee, c]\n---\n'
            "A links to [b](../other/bee.md#intro) and [c](c.md).\n"
        ),
        "content/nn/b.md": None,
        "content/nn/c.md": (
            '---\ntitle: Page C\nhub: nn\nprev: bee\nrelated:\n  - a\n  - bee\n---\nC links back to [a](./a.md "A").\n'
        ),
        "content/other/bee.md": (
            "---\ntitle: Page B\nhub: nn\nprev: a\nnext: 'c'\naliases:\n  - nn/b\n---\n## Intro\n\n"
            "B, after [a](../nn/a.md).\n"
        ),
        "content/other/x.md": "---\ntitle: Page X\nhub: other\n---\nX, [to b](bee.md).\n",
    }


def test_rename_to_a_shared_name_writes_full_ids(hub, make_hub):
    root = make_hub(
        {
            "content/other/see.md": "---\ntitle: See\nhub: other\nprev: x\n---\nSee.\n",
            "content/other/x.md": "---\ntitle: Page X\nhub: other\nrelated: [see]\n---\nX, [to b](../nn/b.md).\n",
        }
    )
    files, _ = edit(root, "rename", "c", "see")
    assert files["content/nn/b.md"] == (
        "---\ntitle: Page B\nhub: nn\nprev: a\nnext: 'nn/see'\n---\n## Intro\n\nB, after [a](a.md).\n"
    )
    assert files["content/nn/a.md"].startswith(
        '---\ntitle: "Page A"\nhub: nn\n# the first step\nnext: b   # then b\nrelated: [b, nn/see]\n---\n'
    )
    assert files["content/other/x.md"] == (
        "---\ntitle: Page X\nhub: other\nrelated: [other/see]\n---\nX, [to b](../nn/b.md).\n"
    )


# ------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("move", "nope", "--after", "a"), "no page 'nope'"),
        (("add", "T", "--hub", "a"), "'a' is not a hub"),
        (("move", "a", "--after", "a"), "cycle"),
        (("move", "other", "--hub", "other"), "cycle"),
        (("rename", "a", "c"), "name collision: content/nn/c.md already gives the page id 'nn/c'"),
        (("add", "B", "--hub", "nn"), "name collision: content/nn/b.md"),
        (("add", "T", "--hub", "nn", "--after", "a", "--end"), "cannot be used together"),
        (("move", "a"), "say where to"),
    ],
)
def test_refusals_write_nothing(hub, args, message):
    files, output = edit(hub, *args, code=2)
    assert files == {}
    assert message in output


# ------------------------------------------------------------------------------------------ new


def test_new_project_checks_clean_and_builds(tmp_path):
    target = tmp_path / "my-hub"
    outcome = run_cli("new", str(target))
    assert outcome.exit_code == 0, outcome.output
    written = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert {".gitignore", ".github/workflows/check.yml", "hubgen.yaml", "content/index.md"} <= written
    assert len([w for w in written if w.startswith("content/basics/")]) == 4
    assert "site/\n.hubgen-cache/\n" in (target / ".gitignore").read_text()
    assert "uses: OWNER/hubgen@v0" in (target / ".github/workflows/check.yml").read_text()  # the action: action.yml
    check = run_cli("check", "-C", str(target))
    assert (check.exit_code, check.stdout) == (0, "0 errors, 0 warnings in 5 pages\n")
    build = run_cli("build", "-C", str(target))
    assert build.exit_code == 0, build.output
    assert (target / "site/basics/how-learning-paths-work/index.html").is_file()


def test_new_refuses_a_non_empty_folder_without_force(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    outcome = run_cli("new", str(tmp_path))
    assert outcome.exit_code == 2
    assert "not empty" in outcome.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    forced = run_cli("new", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "hubgen.yaml").is_file()


def test_the_skeleton_gets_its_dot_files_back():
    from hubgen.authoring.scaffold import skeleton_files

    files = skeleton_files()
    assert ".github/workflows/check.yml" in files and ".gitignore" in files
    assert all(b"\r" not in content for content in files.values())


def test_a_move_to_where_the_page_already_is_changes_nothing(hub):
    files, output = edit(hub, "move", "c", "--hub", "nn")
    assert (files, output) == ({}, "nothing to change\n")


def test_a_new_page_sharing_a_name_makes_bare_references_full_ids(hub, make_hub):
    root = make_hub({"content/other/y.md": "---\ntitle: Page Y\nhub: other\nprev: x\n---\nY.\n"})
    files, _ = edit(root, "add", "X", "--hub", "nn")
    assert files["content/other/y.md"] == "---\ntitle: Page Y\nhub: other\nprev: other/x\n---\nY.\n"
    assert "\nprev: b\nnext: nn/x\n" in files["content/nn/c.md"]
    assert files["content/nn/x.md"].startswith("---\ntitle: X\nsummary: One sentence on what this page answers.\n")
