"""`check --changed-since REF`, pull-request mode, in git repositories made here: every diagnostic the
change made is reported, wherever it is (labelled when it lies in a file the change did not touch); what
REF already had is not blamed on the change; lines that moved and files that were renamed keep their
history. REF is read from git's objects into a temporary folder that is removed afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from helpers import run_cli, write_files
from hubgen.base.files import MAX_PAGE_BYTES
from hubgen.core import load

HUB: dict[str, str | bytes | None] = {
    "hubgen.yaml": "title: Test\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nStart with [the hub](hub/index.md).\n",
    "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md) first.\n",
    "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nText of A.\n\n## Setup\n\nHow to set up.\n",
    "content/hub/b.md": "---\ntitle: Page B\nnext: c\n---\nText of B.\n",
    "content/hub/c.md": "---\ntitle: Page C\n---\nText of C.\n",
    "content/hub/d.md": "---\ntitle: Page D\nrelated: [a]\n---\nSee [the setup](a.md#setup).\n",
}
Row = tuple[str, int, int, str, bool]


@pytest.fixture(autouse=True)
def _environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    scratch = tmp_path / "tmp"  # hubgen's temporary folders land here, to be counted
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True).stdout


def repo(tmp_path: Path, files=None, name: str = "hub") -> Path:
    project = write_files(tmp_path / name, {**HUB, **(files or {})})
    git(project, "init", "-q")
    commit(project, "base")
    return project


def commit(project: Path, message: str = "change") -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", message)


def change(project: Path, files) -> None:
    write_files(project, files)
    commit(project)


def pr_check(project: Path, *args: str, ref: str = "HEAD~1"):
    """`check --changed-since REF --format json`: (exit code, [(file, line, column, code, caused_by_change)])."""
    outcome = run_cli("check", "--format", "json", "--changed-since", ref, *args, "-C", str(project))
    assert outcome.exception is None, outcome.exception
    document = json.loads(outcome.stdout)
    rows = [
        (d["file"], d["line"], d["column"], d["code"], d.get("caused_by_change", False))
        for d in document["diagnostics"]
    ]
    return outcome.exit_code, rows


def no_temporary_folders_left() -> bool:
    return not os.listdir(tempfile.gettempdir())


# ------------------------------------------------------------------------------------------ faults elsewhere


def test_a_deleted_page_fails_at_every_page_that_names_it(tmp_path):
    project = repo(tmp_path)
    git(project, "rm", "-q", "content/hub/b.md")
    commit(project)
    code, rows = pr_check(project)
    assert code == 1
    assert rows == [
        ("content/hub/a.md", 3, 7, "unknown-reference", True),
        ("content/hub/c.md", 1, 1, "orphan-page", True),  # b's next was c's only way in
    ]
    assert no_temporary_folders_left()


def test_a_deleted_page_linked_from_the_body(tmp_path):
    project = repo(tmp_path)
    git(project, "rm", "-q", "content/hub/a.md")
    commit(project)
    code, rows = pr_check(project)
    assert code == 1
    assert rows == [
        ("content/hub/d.md", 3, 11, "unknown-reference", True),
        ("content/hub/d.md", 5, 17, "broken-link", True),
        ("content/hub/index.md", 5, 10, "broken-link", True),
    ]


def test_a_drafted_page(tmp_path):
    project = repo(tmp_path)
    change(project, {"content/hub/c.md": "---\ntitle: Page C\ndraft: true\n---\nText of C.\n"})
    code, rows = pr_check(project)
    assert code == 1
    assert rows == [("content/hub/b.md", 3, 7, "draft-reference", True)]


def test_a_renamed_page_others_still_name(tmp_path):
    project = repo(tmp_path)
    git(project, "mv", "content/hub/a.md", "content/hub/first.md")
    commit(project)
    code, rows = pr_check(project)
    assert code == 1
    assert ("content/hub/d.md", 5, 17, "broken-link", True) in rows
    assert ("content/hub/d.md", 3, 11, "unknown-reference", True) in rows


def test_a_renamed_heading(tmp_path):
    project = repo(tmp_path)
    change(project, {"content/hub/a.md": HUB["content/hub/a.md"].replace("## Setup", "## Set up")})  # type: ignore[union-attr]
    code, rows = pr_check(project)
    assert code == 1
    assert rows == [("content/hub/d.md", 5, 17, "broken-anchor", True)]


def test_a_duplicate_id_blamed_on_the_old_file_is_still_reported(tmp_path):
    # B.md sorts before b.md, so the old, untouched b.md is the one reported as the duplicate.
    project = repo(tmp_path)
    change(project, {"content/hub/B.md": "---\ntitle: Another B\n---\nText.\n"})
    code, rows = pr_check(project)
    assert code == 1
    assert ("content/hub/b.md", 1, 1, "duplicate-page", True) in rows


def test_a_path_contradiction_at_both_declarations(tmp_path):
    # a.next = b stays; the change says c.prev = a.
    project = repo(tmp_path)
    change(project, {"content/hub/c.md": "---\ntitle: Page C\nprev: a\n---\nText of C.\n"})
    code, rows = pr_check(project)
    assert code == 1
    assert [r for r in rows if r[3] == "path-conflict"] == [
        ("content/hub/a.md", 3, 7, "path-conflict", True),
        ("content/hub/c.md", 3, 7, "path-conflict", False),
    ]


def test_a_fork_at_both_claims(tmp_path):
    project = repo(tmp_path)
    change(project, {"content/hub/e.md": "---\ntitle: Page E\nnext: c\n---\nText of E.\n"})
    code, rows = pr_check(project)
    assert code == 1
    assert [r for r in rows if r[3] == "path-fork"] == [
        ("content/hub/b.md", 3, 7, "path-fork", True),
        ("content/hub/e.md", 3, 7, "path-fork", False),
    ]


def test_a_cycle_is_reported_at_the_edge_the_change_added(tmp_path):
    # The path b -> c -> a exists; the change adds a.next = b. Checked alone, the cycle is shown at the
    # next that closes it in id order (c.md); in pull-request mode, at the line the change added.
    files = {
        "content/hub/a.md": "---\ntitle: Page A\n---\nText of A.\n\n## Setup\n",
        "content/hub/b.md": "---\ntitle: Page B\nsummary: The second.\nnext: c\n---\nText of B.\n",
        "content/hub/c.md": "---\ntitle: Page C\nnext:   a\n---\nText of C.\n",
    }
    project = repo(tmp_path, files)
    change(project, {"content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nText of A.\n\n## Setup\n"})
    outcome = run_cli("check", "--format", "json", "-C", str(project))
    (alone,) = [d for d in json.loads(outcome.stdout)["diagnostics"] if d["code"] == "path-cycle"]
    assert (alone["file"], alone["line"], alone["column"], alone["code"]) == ("content/hub/c.md", 3, 9, "path-cycle")
    outcome = run_cli("check", "--format", "json", "--changed-since", "HEAD~1", "-C", str(project))
    (item,) = json.loads(outcome.stdout)["diagnostics"]  # d.md's orphan warning is old
    assert outcome.exit_code == 1
    assert (item["file"], item["line"], item["column"], item["code"]) == ("content/hub/a.md", 3, 7, "path-cycle")
    assert item["related"] == [
        {"file": "content/hub/c.md", "line": 3, "column": 9},
        {"file": "content/hub/b.md", "line": 4, "column": 7},
    ]
    assert "caused_by_change" not in item


def test_a_link_broken_inside_the_changed_page(tmp_path):
    project = repo(tmp_path)
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\nText of C, see [nothing](nope.md).\n"})
    assert pr_check(project) == (1, [("content/hub/c.md", 4, 26, "broken-link", False)])


def test_uncommitted_and_new_files_count_as_the_change(tmp_path):
    project = repo(tmp_path)
    (project / "content/hub/b.md").unlink()  # not committed, not even staged
    write_files(project, {"content/hub/new.md": "---\ntitle: New\nprev: c\n---\n[x](gone.md)\n"})
    code, rows = pr_check(project, ref="HEAD")
    assert code == 1
    assert rows == [
        ("content/hub/a.md", 3, 7, "unknown-reference", True),
        ("content/hub/new.md", 5, 5, "broken-link", False),
    ]


# ------------------------------------------------------------------------------------------ what is not new


OLD_PROBLEM = {
    "content/hub/d.md": "---\ntitle: Page D\nrelated: [a]\n---\nSee [the setup](a.md#setup) and [x](old.md).\n"
}


def test_a_change_that_fixes_an_old_error_and_adds_nothing_passes(tmp_path):
    project = repo(tmp_path, OLD_PROBLEM)
    change(project, {"content/hub/d.md": HUB["content/hub/d.md"]})
    outcome = run_cli("check", "--changed-since", "HEAD~1", "-C", str(project))
    assert (outcome.exit_code, outcome.stdout) == (0, "0 errors, 0 warnings in 6 pages\n")


def test_an_old_error_elsewhere_is_not_blamed_on_the_change(tmp_path):
    project = repo(tmp_path, OLD_PROBLEM)
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\nBetter text of C.\n"})
    assert pr_check(project) == (0, [])
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\n[New](new.md).\n"})
    assert pr_check(project) == (1, [("content/hub/c.md", 4, 7, "broken-link", False)])


def test_an_old_error_in_a_changed_file_whose_lines_moved_is_not_new(tmp_path):
    project = repo(tmp_path, OLD_PROBLEM)
    moved = OLD_PROBLEM["content/hub/d.md"].replace("See", "A new first paragraph.\n\nSee")  # type: ignore[union-attr]
    change(project, {"content/hub/d.md": moved})
    assert pr_check(project) == (0, [])


def test_an_old_contradiction_whose_lines_moved_is_not_new(tmp_path):
    # Its message names the declarations' lines ("(content/hub/a.md:3)"): lines are not what is matched.
    project = repo(tmp_path, {"content/hub/c.md": "---\ntitle: Page C\nprev: a\n---\nText of C.\n"})
    moved = {
        "content/hub/a.md": "---\ntitle: Page A\nsummary: One.\ntags: [x]\nnext: b\n---\nText of A.\n\n## Setup\n",
        "content/hub/c.md": "---\ntitle: Page C\nsummary: The third.\nprev: a\n---\nText of C.\n",
    }
    change(project, moved)
    assert pr_check(project) == (0, [])


def test_a_content_folder_outside_the_project_at_ref_is_not_read(tmp_path, monkeypatch):
    outside = write_files(tmp_path / "elsewhere", {"x.md": "---\ntitle: X\n---\n[x](gone.md)\n"})
    project = repo(tmp_path, {"hubgen.yaml": f"title: Test\nsearch: false\ncontent_dir: ../../{outside.name}\n"})
    change(project, {"hubgen.yaml": HUB["hubgen.yaml"]})
    parsed: list[str] = []
    real = load.parse_page
    monkeypatch.setattr(load, "parse_page", lambda text, rel, *rest: parsed.append(rel) or real(text, rel, *rest))
    code, rows = pr_check(project, "-j", "1")
    assert "x.md" not in parsed  # ../../elsewhere, seen from REF's temporary folder, is that folder
    assert (code, rows) == (0, [("content/hub/d.md", 1, 1, "orphan-page", True)])  # REF had no hub to compare


def test_one_more_of_the_same_is_new(tmp_path):
    project = repo(tmp_path, {"content/hub/c.md": "---\ntitle: Page C\n---\n[x](old.md)\n\n[x](old.md)\n"})
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\n[x](old.md)\n\n[x](old.md)\n\n[x](old.md)\n"})
    code, rows = pr_check(project)
    assert code == 1
    assert [(r[0], r[3]) for r in rows] == [("content/hub/c.md", "broken-link")]


def test_a_renamed_file_keeps_its_old_errors(tmp_path):
    project = repo(tmp_path, OLD_PROBLEM)
    git(project, "mv", "content/hub/d.md", "content/hub/dee.md")
    commit(project)
    assert pr_check(project) == (0, [])
    # ... and a message naming the renamed page is matched under its new name too.
    conflict = {"content/hub/c.md": "---\ntitle: Page C\nprev: a\n---\nText of C.\n"}
    project = repo(tmp_path, conflict, name="renamed-conflict")
    git(project, "mv", "content/hub/c.md", "content/hub/cc.md")
    change(project, {"content/hub/b.md": "---\ntitle: Page B\nnext: cc\n---\nText of B.\n"})  # as `hubgen rename` does
    assert pr_check(project) == (0, [])


def test_only_changed_files_keeps_the_old_filter(tmp_path):
    project = repo(tmp_path)
    git(project, "rm", "-q", "content/hub/b.md")
    commit(project)
    assert pr_check(project, "--only-changed-files") == (0, [])
    outcome = run_cli("check", "--only-changed-files", "-C", str(project))
    assert outcome.exit_code == 2
    assert "--only-changed-files needs --changed-since" in outcome.stderr


# ------------------------------------------------------------------------------------------ outputs


def test_every_format_labels_what_the_change_caused_elsewhere(tmp_path):
    project = repo(tmp_path)
    git(project, "rm", "-q", "content/hub/b.md")
    commit(project)
    args = ("--changed-since", "HEAD~1", "-C", str(project))
    text = run_cli("check", *args).stdout
    assert "content/hub/a.md:3:7: error[unknown-reference]: next: 'b' names no page\n" in text
    assert "    note: caused by this change (this file was not changed)\n" in text
    github = run_cli("check", "--format", "github", *args).stdout
    assert github.startswith("::error file=content/hub/a.md,line=3,col=7,title=unknown-reference::next: 'b' names")
    assert "%0Acaused by this change (this file was not changed)\n" in github
    sarif = json.loads(run_cli("check", "--format", "sarif", *args).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "unknown-reference"]
    assert result["properties"] == {"causedByChange": True}
    assert "caused by this change" in result["message"]["text"]


# ------------------------------------------------------------------------------------------ REF and git


def test_a_ref_that_looks_like_an_option_is_refused_and_writes_nothing(tmp_path):
    project = repo(tmp_path)
    target = tmp_path / "out.txt"
    kept = tmp_path / "kept.txt"
    kept.write_text("keep me\n", encoding="utf-8")
    for arg in (f"--changed-since=--output={target}", f"--changed-since=--output={kept}"):
        outcome = run_cli("check", arg, "-C", str(project))
        assert outcome.exit_code == 2
        assert "not a git revision" in outcome.stderr
    outcome = run_cli("check", "--changed-since", f"--output={target}", "-C", str(project))
    assert outcome.exit_code == 2
    assert not target.exists()
    assert kept.read_text(encoding="utf-8") == "keep me\n"
    for bad in ("HEAD ~1", "no-such-ref", "HEAD\n--output=x"):
        assert run_cli("check", "--changed-since", bad, "-C", str(project)).exit_code == 2


def test_the_project_may_be_a_folder_of_the_repository(tmp_path):
    root = tmp_path / "repo"
    write_files(root, {"README.md": "# Repo\n", **{f"docs/hub/{k}": v for k, v in HUB.items()}})
    git(root, "init", "-q")
    commit(root, "base")
    git(root, "rm", "-q", "docs/hub/content/hub/b.md")
    commit(root)
    code, rows = pr_check(root / "docs/hub")
    assert (code, rows) == (
        1,
        [("content/hub/a.md", 3, 7, "unknown-reference", True), ("content/hub/c.md", 1, 1, "orphan-page", True)],
    )


def test_a_hub_new_in_the_change_is_judged_whole(tmp_path):
    root = tmp_path / "repo"
    write_files(root, {"README.md": "# Repo\n"})
    git(root, "init", "-q")
    commit(root, "base")
    write_files(root / "hub", {**HUB, "content/hub/c.md": "---\ntitle: Page C\n---\n[x](gone.md)\n"})
    commit(root)
    assert pr_check(root / "hub") == (
        1,
        [("content/hub/c.md", 4, 5, "broken-link", False), ("content/hub/d.md", 1, 1, "orphan-page", False)],
    )


def test_unchanged_pages_are_parsed_once(tmp_path, monkeypatch):
    project = repo(tmp_path)
    assert run_cli("check", "-j", "1", "-C", str(project)).exit_code == 0  # fills the parse cache
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\nNew text of C.\n"})
    parsed: list[str] = []
    real = load.parse_page
    monkeypatch.setattr(load, "parse_page", lambda text, rel, *rest: parsed.append(rel) or real(text, rel, *rest))
    assert pr_check(project, "-j", "1") == (0, [])
    assert parsed == ["hub/c.md"]  # the new c.md; REF's pages, c.md's old text included, came from the cache


def test_under_no_cache_unchanged_pages_are_parsed_once_too(tmp_path, monkeypatch):
    project = repo(tmp_path)
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\nNew text of C.\n"})
    parsed: list[str] = []
    real = load.parse_page
    monkeypatch.setattr(load, "parse_page", lambda text, rel, *rest: parsed.append(rel) or real(text, rel, *rest))
    assert pr_check(project, "-j", "1", "--no-cache") == (0, [])
    now = ["hub/a.md", "hub/b.md", "hub/c.md", "hub/d.md", "hub/index.md", "index.md"]
    assert sorted(parsed) == sorted([*now, "hub/c.md"])  # every page now, and c.md as it was at REF
    assert not (project / ".hubgen-cache").exists()
    assert no_temporary_folders_left()


def test_links_and_huge_files_at_ref_stay_inside_the_temporary_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\n", encoding="utf-8")
    project = repo(tmp_path)
    (project / "content/hub/out.md").symlink_to(outside / "secret.md")
    (project / "content/hub/up").symlink_to("../../../outside")
    write_files(project, {"content/hub/big.md": b"x" * (MAX_PAGE_BYTES + 1), "content/hub/big.bin": b"\0" * 2**20})
    commit(project)
    before = sorted(p.name for p in outside.iterdir())
    change(project, {"content/hub/c.md": "---\ntitle: Page C\n---\nNew text.\n"})
    started = time.monotonic()
    code, rows = pr_check(project)
    assert time.monotonic() - started < 5
    assert (code, rows) == (0, [])  # the links and the big page are reported at REF and HEAD alike: not new
    assert sorted(p.name for p in outside.iterdir()) == before
    assert no_temporary_folders_left()


def test_a_crafted_tree_cannot_write_through_a_link(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    project = repo(tmp_path)
    blob = lambda data: git_input(project, data, "hash-object", "-w", "--stdin").strip()  # noqa: E731
    page = blob(b"---\ntitle: X\n---\n")
    inner = git_input(project, f"100644 blob {page}\tx.md\n".encode(), "mktree").strip()
    link = blob(str(victim).encode())
    hub_tree = git(project, "rev-parse", "HEAD:content/hub").strip()
    listing = git(project, "ls-tree", hub_tree) + f"120000 blob {link}\tl\n040000 tree {inner}\tl\n"
    new_hub = git_input(project, listing.encode(), "mktree").strip()
    content = git(project, "ls-tree", "HEAD:content").replace(hub_tree, new_hub)
    new_content = git_input(project, content.encode(), "mktree").strip()
    top = git(project, "ls-tree", "HEAD").replace(git(project, "rev-parse", "HEAD:content").strip(), new_content)
    tree = git_input(project, top.encode(), "mktree").strip()
    crafted = git(project, "commit-tree", tree, "-p", "HEAD", "-m", "crafted").strip()
    run_cli("check", "--changed-since", crafted, "-C", str(project))
    assert list(victim.iterdir()) == []
    assert no_temporary_folders_left()


def git_input(project: Path, data: bytes, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, input=data, check=True, capture_output=True)
    return done.stdout.decode()
