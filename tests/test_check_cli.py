"""`hubgen check` on the command line: output formats, exit codes, severity settings, ignore comments,
`--changed-since` and the GitHub step summary."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from helpers import run_cli
from hubgen.session import check

BASE: dict[str, str | bytes | None] = {
    "content/index.md": "---\ntitle: Home\n---\nStart with [the hub](hub/index.md).\n",
    "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\nRead [A](a.md) first.\n",
    "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nText of A.\n",
    "content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\nText of B.\n",
}

# 2 errors (a.md line 5) and 1 warning (an orphan) in 5 pages.
PROBLEMS = {
    "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nSee [B](bb.md) and ![pic](pic.png).\n",
    "content/hub/c.md": "---\ntitle: Page C\n---\nText.\n",
}


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    for name in ("GITHUB_STEP_SUMMARY", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def hub_cli(make_hub, files=None, *args: str, name: str = "hub"):
    project = make_hub({**BASE, **(files or {})}, name=name)
    return project, run_cli("check", *args, "-C", str(project))


def found(project: Path) -> list[tuple[str, int, int, str]]:
    return [(d.file, d.line, d.column, d.code) for d in check(project).diagnostics]


# ------------------------------------------------------------------------------------------ formats


def test_text_format(make_hub):
    _, outcome = hub_cli(make_hub, PROBLEMS)
    assert outcome.exit_code == 1
    assert outcome.stdout == (
        "content/hub/a.md:5:9: error[broken-link]: link target 'bb.md' does not exist\n"
        "    hint: did you mean 'b.md'?\n"
        "content/hub/a.md:5:27: error[missing-image]: image 'pic.png' does not exist\n"
        "\n"
        "content/hub/c.md:1:1: warning[orphan-page]: 'Page C' is on no learning path and no page links to it\n"
        "    hint: give it prev/next on its hub's path, or link to it from a related page\n"
        "\n"
        "2 errors, 1 warning in 5 pages\n"
    )


def test_text_format_when_clean(make_hub):
    _, outcome = hub_cli(make_hub)
    assert outcome.exit_code == 0
    assert outcome.stdout == "0 errors, 0 warnings in 4 pages\n"


def test_json_format(make_hub):
    _, outcome = hub_cli(make_hub, PROBLEMS, "--format", "json")
    assert outcome.exit_code == 1
    document = json.loads(outcome.stdout)
    assert set(document) == {"diagnostics", "errors", "warnings", "pages"}
    assert (document["errors"], document["warnings"], document["pages"]) == (2, 1, 5)
    first = document["diagnostics"][0]
    assert first == {
        "severity": "error",
        "code": "broken-link",
        "file": "content/hub/a.md",
        "line": 5,
        "column": 9,
        "message": "link target 'bb.md' does not exist",
        "hint": "did you mean 'b.md'?",
    }
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]] == [
        ("content/hub/a.md", 5, 9, "broken-link"),
        ("content/hub/a.md", 5, 27, "missing-image"),
        ("content/hub/c.md", 1, 1, "orphan-page"),
    ]


def test_json_format_when_clean(make_hub):
    _, outcome = hub_cli(make_hub, None, "--format", "json")
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout) == {"diagnostics": [], "errors": 0, "warnings": 0, "pages": 4}


def test_github_format(make_hub):
    _, outcome = hub_cli(make_hub, PROBLEMS, "--format", "github")
    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    assert lines[0] == (
        "::error file=content/hub/a.md,line=5,col=9,title=broken-link::"
        "link target 'bb.md' does not exist%0Adid you mean 'b.md'?"
    )
    assert lines[1].startswith("::error file=content/hub/a.md,line=5,col=27,title=missing-image::")
    assert lines[2].startswith("::warning file=content/hub/c.md,line=1,col=1,title=orphan-page::")
    assert lines[3] == "2 errors, 1 warning in 5 pages"
    assert len(lines) == 4


def test_sarif_format(make_hub):
    _, outcome = hub_cli(make_hub, PROBLEMS, "--format", "sarif")
    assert outcome.exit_code == 1
    document = json.loads(outcome.stdout)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "hubgen"
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {"broken-link", "missing-image", "orphan-page"}
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["broken-link", "missing-image", "orphan-page"]
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "content/hub/a.md"
    assert location["region"] == {"startLine": 5, "startColumn": 9}
    assert "bb.md" in results[0]["message"]["text"]


# ------------------------------------------------------------------------------------------ exit codes


def test_exit_0_with_warnings_only_and_1_under_strict(make_hub):
    files = {"content/hub/c.md": "---\ntitle: Page C\n---\nText.\n"}
    _, outcome = hub_cli(make_hub, files)
    assert outcome.exit_code == 0
    assert "warning[orphan-page]" in outcome.stdout
    assert outcome.stdout.endswith("0 errors, 1 warning in 5 pages\n")
    _, strict = hub_cli(make_hub, files, "--strict", name="strict")
    assert strict.exit_code == 1


def test_strict_when_clean_is_0(make_hub):
    _, outcome = hub_cli(make_hub, None, "--strict")
    assert outcome.exit_code == 0


@pytest.mark.parametrize("config", ["title: [unclosed\n", "titel: Hub\n", "base_url: 42\n"])
def test_exit_2_for_a_broken_config(make_hub, config):
    _, outcome = hub_cli(make_hub, {"hubgen.yaml": config})
    assert outcome.exit_code == 2
    assert outcome.stdout.startswith("hubgen.yaml:")


def test_broken_config_in_json(make_hub):
    _, outcome = hub_cli(make_hub, {"hubgen.yaml": "titel: Hub\n"}, "--format", "json")
    assert outcome.exit_code == 2
    document = json.loads(outcome.stdout)
    assert document["pages"] == 0
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]] == [
        ("hubgen.yaml", 1, 1, "config-unknown-key")
    ]


def test_exit_2_without_a_content_folder(tmp_path):
    outcome = run_cli("check", "-C", str(tmp_path))
    assert outcome.exit_code == 2
    assert "no content folder" in outcome.stderr


def test_the_project_is_found_from_a_subfolder(make_hub):
    project = make_hub({**BASE, **PROBLEMS, "hubgen.yaml": "title: Hub\n"})
    outcome = run_cli("check", cwd=project / "content" / "hub")
    assert outcome.exit_code == 1
    assert "content/hub/a.md:5:9: error[broken-link]" in outcome.stdout


# ------------------------------------------------------------------------------------------ settings


def test_checks_can_raise_a_warning_to_an_error(make_hub):
    files = {"hubgen.yaml": "checks:\n  orphan-page: error\n", "content/hub/c.md": "---\ntitle: Page C\n---\nText.\n"}
    project, outcome = hub_cli(make_hub, files)
    assert outcome.exit_code == 1
    assert "content/hub/c.md:1:1: error[orphan-page]" in outcome.stdout
    assert [d.severity for d in check(project).diagnostics] == ["error"]


@pytest.mark.parametrize("value", ["off", "false"])
def test_checks_can_turn_a_code_off(make_hub, value):
    files = {"hubgen.yaml": f"checks:\n  broken-link: {value}\n", "content/hub/a.md": PROBLEMS["content/hub/a.md"]}
    project, outcome = hub_cli(make_hub, files)
    assert found(project) == [("content/hub/a.md", 5, 27, "missing-image")]  # only broken-link is off
    assert outcome.exit_code == 1


def test_checks_can_lower_an_error_to_a_warning(make_hub):
    files = {
        "hubgen.yaml": "checks:\n  broken-link: warning\n",
        "content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nSee [B](bb.md).\n",
    }
    project, outcome = hub_cli(make_hub, files)
    assert outcome.exit_code == 0
    assert "warning[broken-link]" in outcome.stdout
    assert [d.severity for d in check(project).diagnostics] == ["warning"]


def test_checks_with_an_unknown_code(make_hub):
    project, outcome = hub_cli(make_hub, {"hubgen.yaml": "checks:\n  broken-links: off\n"})
    assert outcome.exit_code == 2
    assert found(project) == [("hubgen.yaml", 2, 3, "config-unknown-key")]
    assert check(project).diagnostics[0].hint == "did you mean 'broken-link'?"


IGNORES = """\
---
title: Page A
next: b
---
[a](gone1.md) <!-- hubgen-ignore -->
[b](gone2.md) ![b](gone2.png) <!-- hubgen-ignore broken-link -->
[c](gone3.md) <!-- hubgen-ignore missing-image -->
<!-- hubgen-ignore-next-line -->
[d](gone4.md) ![d](gone4.png)
[e](gone5.md)
[f](gone6.md) ![f](gone6.png) <!-- hubgen-ignore missing-image broken-link -->
"""


def test_ignore_comments(make_hub):
    project = make_hub({**BASE, "content/hub/a.md": IGNORES})
    assert found(project) == [
        ("content/hub/a.md", 6, 20, "missing-image"),  # only broken-link was named
        ("content/hub/a.md", 7, 5, "broken-link"),  # naming another code does not exempt it
        ("content/hub/a.md", 10, 5, "broken-link"),  # next-line exempts one line only
    ]


def test_an_ignore_comment_in_front_matter_errors_does_not_leak(make_hub):
    # The comment exempts its own body line; the front-matter problem above it still counts.
    page = "---\ntitle: Page A\nnext: b\nrelatd: x\n---\n<!-- hubgen-ignore -->\n"
    project = make_hub({**BASE, "content/hub/a.md": page})
    assert found(project) == [("content/hub/a.md", 4, 1, "frontmatter-unknown-key")]


# ------------------------------------------------------------------------------------------ git and CI


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


@pytest.fixture
def git_env(monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def test_changed_since_reports_only_changed_files(make_hub, git_env):
    # b.md's broken link is already committed; a.md is then changed to break one of its own.
    committed = {"content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\nOld [problem](old.md).\n"}
    project = make_hub({**BASE, **committed})
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "hub")
    make_hub({"content/hub/a.md": "---\ntitle: Page A\nnext: b\n---\nNew [problem](new.md).\n"})
    assert {d.file for d in check(project).diagnostics} == {"content/hub/a.md", "content/hub/b.md"}

    outcome = run_cli("check", "--format", "json", "--changed-since", "HEAD", "-C", str(project))
    document = json.loads(outcome.stdout)
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]] == [
        ("content/hub/a.md", 5, 15, "broken-link")
    ]
    assert outcome.exit_code == 1

    # An untracked file counts as changed too.
    make_hub({"content/hub/c.md": "---\ntitle: Page C\nprev: b\n---\n[x](gone.md)\n"})
    outcome = run_cli("check", "--format", "json", "--changed-since", "HEAD", "-C", str(project))
    files = [d["file"] for d in json.loads(outcome.stdout)["diagnostics"]]
    assert files == ["content/hub/a.md", "content/hub/c.md"]


def test_changed_since_with_nothing_changed_is_clean(make_hub, git_env):
    project = make_hub({**BASE, "content/hub/b.md": "---\ntitle: Page B\nprev: a\n---\n[x](old.md)\n"})
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "hub")
    outcome = run_cli("check", "--changed-since", "HEAD", "-C", str(project))
    assert outcome.exit_code == 0
    assert outcome.stdout == "0 errors, 0 warnings in 4 pages\n"


def test_changed_since_an_unknown_ref_exits_2(make_hub, git_env):
    project = make_hub(BASE)
    _git(project, "init", "-q")
    outcome = run_cli("check", "--changed-since", "no-such-ref", "-C", str(project))
    assert outcome.exit_code == 2
    assert "no-such-ref" in outcome.stderr


def test_github_step_summary(make_hub, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _, outcome = hub_cli(make_hub, PROBLEMS, "--format", "github")
    assert outcome.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## hubgen check\n")  # appended, not overwritten
    assert "2 errors, 1 warning in 5 pages" in text
    assert "| file | line | severity | code | message |" in text
    assert "| content/hub/a.md | 5:9 | error | `broken-link` | link target 'bb.md' does not exist |" in text
    assert "| content/hub/c.md | 1:1 | warning | `orphan-page` |" in text
