"""Faults found where two defences meet (a review of the whole change, tried as an attacker would): each
case is a hostile project, the exact diagnostic or refusal, and a time bound where the fault was a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hubkit import CONFIG, article, found, hub_files, hubgen_cli, tree_bytes

from hubgen.core.diagnostics import Diagnostic, format_step_summary


def test_a_planted_pagefind_module_does_not_run(make_hub, tmp_path: Path) -> None:
    """`python -m pagefind` from the checkout would import ./pagefind/__main__.py first."""
    canary = tmp_path / "ran"
    project = make_hub(
        {
            **hub_files(),
            "hubgen.yaml": "title: T\nsearch: true\n",
            "pagefind/__init__.py": "",
            "pagefind/__main__.py": f"open({str(canary)!r}, 'w').write('x')\n",
        }
    )
    done = hubgen_cli(["build"], cwd=project, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not canary.exists()
    assert (project / "site" / "pagefind" / "pagefind.js").is_file()


def test_links_fanning_out_to_the_same_folders_are_read_once(make_hub) -> None:
    """Two links in each folder to the next one: 2^15 paths to walk before."""
    project = make_hub(hub_files())
    content = project / "content"
    for level in range(15):
        (content / f"d{level}").mkdir()
    (content / "d14" / "page.md").write_text(article("Deep"), encoding="utf-8")
    for level in range(14):
        for name in ("l1", "l2"):
            os.symlink(f"../d{level + 1}", content / f"d{level}" / name)
    started = time.monotonic()
    done = hubgen_cli(["check", "--format", "json"], cwd=project, timeout=60)
    assert time.monotonic() - started < 20
    assert "Traceback" not in done.stderr
    again = [row for row in found(project, "unsafe-symlink")]
    assert again and all(line == 1 for _code, _file, line, _col in again)


def test_a_list_as_a_front_matter_key_is_a_diagnostic_not_an_expansion(make_hub) -> None:
    anchors = ["a0: &a0 [x, x]", *(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 30))]
    text = "---\ntitle: T\nhub: h\n" + "\n".join(anchors) + "\n? [*a29]\n: 1\n---\nBody.\n"
    project = make_hub(hub_files(bomb=text))
    started = time.monotonic()
    assert ("frontmatter-type", "content/h/bomb.md", 34, 3) in found(project, "frontmatter-type")
    assert time.monotonic() - started < 5


def test_a_file_name_cannot_start_a_workflow_command_in_text_output(make_hub) -> None:
    """A did-you-mean hint quotes a page id, and ids come from file names, which may hold a line break."""
    name = "q\n::error title=INJ::INJECTED"
    project = make_hub(hub_files(ok2=article("Two", "related: [q]\n")))
    (project / "content" / "h" / f"{name}.md").write_text(article("Q"), encoding="utf-8")
    done = hubgen_cli(["check"], cwd=project)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert not any(line.lstrip().startswith("::") for line in output.splitlines())
    assert "\\x0a::error title=INJ" in output


def test_a_deeply_nested_site_state_is_ignored(make_hub) -> None:
    project = make_hub(hub_files())
    assert hubgen_cli(["build"], cwd=project).returncode == 0
    site = tree_bytes(project / "site")
    state = next((project / ".hubgen-cache").glob("site-state*.json"))
    state.write_bytes(b"[" * 200_000)
    done = hubgen_cli(["build"], cwd=project)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert tree_bytes(project / "site") == site


def test_a_linked_settings_file_is_refused(make_hub, tmp_path: Path) -> None:
    """Its settings would come from elsewhere, and pull-request mode reads hubgen.yaml from git's objects."""
    elsewhere = tmp_path / "settings.yaml"
    elsewhere.write_text(CONFIG + "content_dir: content\n", encoding="utf-8")
    project = make_hub({k: v for k, v in hub_files().items() if k != "hubgen.yaml"})
    os.symlink(elsewhere, project / "hubgen.yaml")
    done = hubgen_cli(["check"], cwd=project)
    assert done.returncode == 2
    assert "hubgen.yaml:1:1: error[config-syntax]: hubgen.yaml is a symbolic link" in done.stdout + done.stderr


def test_output_dir_that_build_would_refuse_fails_check(make_hub) -> None:
    for number, (value, line) in enumerate(
        (("content/site", "would hold"), ("templates", "would hold"), (".", "would hold"))
    ):
        project = make_hub({**hub_files(), "hubgen.yaml": CONFIG + f"output_dir: {value}\n"}, name=f"p{number}")
        done = hubgen_cli(["check"], cwd=project)
        assert done.returncode == 2 and "error[config-type]: output_dir" in done.stdout and line in done.stdout


def test_alternatives_repeated_in_an_exclude_pattern_are_refused(make_hub) -> None:
    for number, pattern in enumerate(("(a|a)*b", "(a|aa)*$", "(x+)+y")):
        project = make_hub(
            {**hub_files(), "hubgen.yaml": CONFIG + f"external:\n  exclude: ['{pattern}']\n"}, f"p{number}"
        )
        done = hubgen_cli(["check"], cwd=project)
        assert done.returncode == 2 and "hubgen.yaml:4:13: error[config-type]" in done.stdout, (pattern, done.stdout)
    fine = (
        r"^https://(www\.)?example\.com/",
        ".*(foo|bar)",
        "(a|b)*",
        r"\.pdf$",
        r"^https?://([a-z0-9-]+\.)*example\.com",  # each round ends in a dot the class cannot match
        r"(?:[\w-]+\.)*twitter\.com/",
        r"^https://example\.com/(?:[^/]+/)*download",
    )
    for number, pattern in enumerate(fine):
        project = make_hub(
            {**hub_files(), "hubgen.yaml": CONFIG + f"external:\n  exclude: ['{pattern}']\n"}, f"q{number}"
        )
        assert hubgen_cli(["check"], cwd=project).returncode == 0, pattern


def test_the_job_summary_shows_author_text_as_text() -> None:
    item = Diagnostic("a.md", 1, 1, "broken-link", "error", "see ![x](https://evil/t.png) <img src=x> `c` **b**", "")
    row = format_step_summary([item], 1).splitlines()[-1]
    for active in ("![", "](", "<img", "`c`", "**"):
        assert active not in row, active


def test_a_renamed_page_named_like_a_word_keeps_its_old_broken_links(tmp_path: Path) -> None:
    """The page `link` renamed to `linking`: 'link target ...' in an old message is not a page id."""
    from test_pr_mode import change, git, pr_check, repo

    old = {"content/hub/link.md": "---\ntitle: Link\nhub: hub\n---\nSee [x](gone.md).\n"}
    project = repo(tmp_path, old)
    git(project, "mv", "content/hub/link.md", "content/hub/linking.md")
    change(project, {})
    assert pr_check(project) == (0, [])


def test_two_links_to_one_shared_folder_are_read(make_hub) -> None:
    """Only links fanning out again and again are stopped (at 8 reads of one folder), not a shared folder."""
    project = make_hub(
        {**hub_files(ok=article("Ok", body="![logo](../basics/img/a.png) ![logo](../extra/img/a.png)\n"))}
    )
    content = project / "content"
    (content / "shared" / "img").mkdir(parents=True)
    (content / "shared" / "img" / "a.png").write_bytes(b"\x89PNG")
    for name in ("basics", "extra"):
        (content / name).mkdir()
        os.symlink("../shared/img", content / name / "img")
    assert found(project, "unsafe-symlink", "missing-image") == []
