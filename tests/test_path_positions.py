"""Every learning-path error at the line to change: a contradiction and a fork at each declaration taking
part, each naming the others as related locations; a cycle once, at the `next:` that closes it, with the
rest of the circle related. The related locations reach JSON, SARIF and GitHub annotations."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from hubgen.core.diagnostics import Diagnostic, Location
from hubgen.session import check

BASE: dict[str, str | bytes | None] = {
    "content/index.md": "---\ntitle: Home\n---\nStart with [the hub](hub/index.md).\n",
    "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md), [B](b.md) and [C](c.md).\n",
}


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def page(title: str, *keys: str) -> str:
    return "---\ntitle: " + title + "\n" + "".join(k + "\n" for k in keys) + "---\nText.\n"


def path_errors(make_hub, files) -> list[Diagnostic]:
    project = make_hub({**BASE, **files})
    return [d for d in check(project).diagnostics if d.code.startswith("path-")]


def placed(items: list[Diagnostic]) -> list[tuple[str, str, int, int, tuple[str, ...]]]:
    return [(d.code, d.file, d.line, d.column, tuple(str(r) for r in d.related)) for d in items]


def test_a_contradiction_is_reported_at_both_declarations(make_hub):
    # a.next = b, but b.prev = c: the author may have meant either; both lines are shown, each pointing at the other.
    files = {
        "content/hub/a.md": page("A", "summary: first", "next: b"),
        "content/hub/b.md": page("B", "prev:   c"),
        "content/hub/c.md": page("C"),
    }
    assert placed(path_errors(make_hub, files)) == [
        ("path-conflict", "content/hub/a.md", 4, 7, ("content/hub/b.md:3:9",)),
        ("path-conflict", "content/hub/b.md", 3, 9, ("content/hub/a.md:4:7",)),
    ]


def test_a_contradiction_on_the_prev_side(make_hub):
    # a.next = b, c.prev = a: two pages after a.
    files = {
        "content/hub/a.md": page("A", "next: b"),
        "content/hub/b.md": page("B"),
        "content/hub/c.md": page("C", "tags: [x]", "prev: a"),
    }
    assert placed(path_errors(make_hub, files)) == [
        ("path-conflict", "content/hub/a.md", 3, 7, ("content/hub/c.md:4:7",)),
        ("path-conflict", "content/hub/c.md", 4, 7, ("content/hub/a.md:3:7",)),
    ]


def test_a_fork_is_reported_at_both_claims(make_hub):
    files = {
        "content/hub/a.md": page("A", "next: c"),
        "content/hub/b.md": page("B", "summary: two", "next: c"),
        "content/hub/c.md": page("C"),
    }
    assert placed(path_errors(make_hub, files)) == [
        ("path-fork", "content/hub/a.md", 3, 7, ("content/hub/b.md:4:7",)),
        ("path-fork", "content/hub/b.md", 4, 7, ("content/hub/a.md:3:7",)),
    ]


def test_a_fork_of_prevs(make_hub):
    files = {
        "content/hub/a.md": page("A"),
        "content/hub/b.md": page("B", "prev: a"),
        "content/hub/c.md": page("C", "prev: hub/a"),
    }
    assert placed(path_errors(make_hub, files)) == [
        ("path-fork", "content/hub/b.md", 3, 7, ("content/hub/c.md:3:7",)),
        ("path-fork", "content/hub/c.md", 3, 7, ("content/hub/b.md:3:7",)),
    ]


def test_a_cycle_is_one_diagnostic_at_every_next_of_the_circle(make_hub):
    files = {
        "content/hub/a.md": page("A", "next: b"),
        "content/hub/b.md": page("B", "summary: two", "next: c"),
        "content/hub/c.md": page("C", "next:  a"),
    }
    items = path_errors(make_hub, files)
    assert placed(items) == [
        ("path-cycle", "content/hub/c.md", 3, 8, ("content/hub/a.md:3:7", "content/hub/b.md:4:7")),
    ]
    assert "hub/a → hub/b → hub/c → hub/a" in items[0].message


def test_a_cycle_declared_with_prev_points_at_the_prev(make_hub):
    # b.prev = a, c.prev = b, a.prev = c: no next anywhere; the circle is closed by prev declarations.
    files = {
        "content/hub/a.md": page("A", "prev: c"),
        "content/hub/b.md": page("B", "prev: a"),
        "content/hub/c.md": page("C", "prev: b"),
    }
    assert placed(path_errors(make_hub, files)) == [
        ("path-cycle", "content/hub/a.md", 3, 7, ("content/hub/b.md:3:7", "content/hub/c.md:3:7")),
    ]


def test_a_two_page_cycle_declared_on_both_sides(make_hub):
    files = {
        "content/hub/a.md": page("A", "next: b", "prev: b"),
        "content/hub/b.md": page("B", "next: a", "prev: a"),
        "content/hub/c.md": page("C"),
    }
    items = path_errors(make_hub, files)
    assert [d.code for d in items] == ["path-cycle"]
    assert items[0].location == Location("content/hub/a.md", 4, 7)  # a.prev = b closes a → b → a
    assert {str(r) for r in items[0].related} == {
        "content/hub/a.md:3:7",
        "content/hub/b.md:3:7",
        "content/hub/b.md:4:7",
    }


# ------------------------------------------------------------------------------------------ formats


CYCLE = {
    "content/hub/a.md": page("A", "next: b"),
    "content/hub/b.md": page("B", "next: c"),
    "content/hub/c.md": page("C", "next: a"),
}
CONFLICT = {
    "content/hub/a.md": page("A", "next: b"),
    "content/hub/b.md": page("B", "prev: c"),
    "content/hub/c.md": page("C"),
}


def test_github_annotates_every_line_of_a_cycle_once(make_hub):
    project = make_hub({**BASE, **CYCLE})
    outcome = run_cli("check", "--format", "github", "-C", str(project))
    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    heads = [line.split("::")[1] for line in lines[:-1]]
    assert heads == [
        "error file=content/hub/c.md,line=3,col=7,title=path-cycle",
        "error file=content/hub/a.md,line=3,col=7,title=path-cycle",
        "error file=content/hub/b.md,line=3,col=7,title=path-cycle",
    ]
    assert "part of the problem reported at content/hub/c.md:3:7" in lines[1]
    assert lines[-1] == "1 error, 0 warnings in 5 pages"


def test_github_annotates_each_side_of_a_contradiction_once(make_hub):
    project = make_hub({**BASE, **CONFLICT})
    outcome = run_cli("check", "--format", "github", "-C", str(project))
    heads = [line.split("::")[1] for line in outcome.stdout.splitlines()[:-1]]
    assert heads == [
        "error file=content/hub/a.md,line=3,col=7,title=path-conflict",
        "error file=content/hub/b.md,line=3,col=7,title=path-conflict",
    ]


def test_json_and_sarif_carry_the_related_locations(make_hub):
    project = make_hub({**BASE, **CYCLE})
    document = json.loads(run_cli("check", "--format", "json", "-C", str(project)).stdout)
    (item,) = document["diagnostics"]
    assert (item["file"], item["line"], item["column"]) == ("content/hub/c.md", 3, 7)
    assert item["related"] == [
        {"file": "content/hub/a.md", "line": 3, "column": 7},
        {"file": "content/hub/b.md", "line": 3, "column": 7},
    ]
    assert "caused_by_change" not in item
    sarif = json.loads(run_cli("check", "--format", "sarif", "-C", str(project)).stdout)
    (result,) = sarif["runs"][0]["results"]
    related = [(r["id"], r["physicalLocation"]["artifactLocation"]["uri"]) for r in result["relatedLocations"]]
    assert related == [(1, "content/hub/a.md"), (2, "content/hub/b.md")]
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}


def test_text_lists_the_related_lines(make_hub):
    project = make_hub({**BASE, **CONFLICT})
    outcome = run_cli("check", "-C", str(project))
    assert "content/hub/a.md:3:7: error[path-conflict]: prev and next disagree" in outcome.stdout
    assert "    related: content/hub/b.md:3:7\n" in outcome.stdout
    assert "    related: content/hub/a.md:3:7\n" in outcome.stdout
