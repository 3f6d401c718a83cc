"""Authoring commands never lose work and never write where hubgen would not read: a file edited meanwhile is
left as the user saved it, two commands on one project do not interleave, a new name is one hubgen reads back,
and nothing is written through a symbolic link."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hubkit import CONFIG, tree_bytes

from helpers import run_cli
from hubgen import session
from hubgen.authoring import guard, workspace

FILES = {
    "hubgen.yaml": CONFIG,
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/h/index.md": "---\ntitle: Hub\ntype: hub\n---\nThe hub.\n",
    "content/h/a.md": "---\ntitle: A\nhub: h\n---\nFirst.\n",
    "content/h/b.md": "---\ntitle: B\nhub: h\nprev: a\n---\nSecond, after [A](a.md).\n",
}
USER_EDIT = "---\ntitle: B\nhub: h\nprev: a\n---\nThe user's unsaved... now saved edit.\n"


@pytest.fixture
def project(make_hub) -> Path:
    return make_hub(FILES)


def hubgen(project: Path, *args: str):
    return run_cli(*args, "-C", str(project))


def assert_clean(project: Path) -> None:
    assert [d for d in session.check(project).diagnostics if d.severity == "error"] == []


def test_a_file_edited_between_read_and_write_is_left_as_the_user_saved_it(project: Path, monkeypatch):
    real = workspace.Workspace.commit

    def commit(self: workspace.Workspace) -> list[workspace.Change]:
        (project / "content/h/b.md").write_text(USER_EDIT)  # an editor saves while hubgen works
        return real(self)

    monkeypatch.setattr(workspace.Workspace, "commit", commit)
    before = tree_bytes(project)
    result = hubgen(project, "rename", "a", "alpha")
    assert result.exit_code == 2 and result.exception is None
    assert "hubgen: error: content/h/b.md changed while hubgen was editing it; nothing was written" in result.stderr
    assert tree_bytes(project) == before | {"content/h/b.md": USER_EDIT.encode()}


def test_a_file_edited_before_hubgen_reads_it_again_is_refused(project: Path, monkeypatch):
    real = workspace.Workspace.text

    def text(self: workspace.Workspace, page_id: str):
        if page_id == "h/b" and page_id not in self.texts:
            (project / "content/h/b.md").write_text(USER_EDIT)  # after the check read it, before the edit does
        return real(self, page_id)

    monkeypatch.setattr(workspace.Workspace, "text", text)
    result = hubgen(project, "rename", "a", "alpha")
    assert result.exit_code == 2 and "content/h/b.md changed while hubgen was editing it" in result.stderr
    assert (project / "content/h/b.md").read_text() == USER_EDIT
    assert not (project / "content/h/alpha.md").exists()


def test_a_file_appearing_where_the_new_one_goes_is_not_overwritten(project: Path, monkeypatch):
    real = workspace.Workspace.commit

    def commit(self: workspace.Workspace) -> list[workspace.Change]:
        (project / "content/h/alpha.md").write_text("mine")
        return real(self)

    monkeypatch.setattr(workspace.Workspace, "commit", commit)
    result = hubgen(project, "rename", "a", "alpha")
    assert result.exit_code == 2 and "content/h/alpha.md appeared while hubgen was editing" in result.stderr
    assert (project / "content/h/alpha.md").read_text() == "mine"
    assert (project / "content/h/a.md").read_bytes() == FILES["content/h/a.md"].encode()


def test_a_second_command_waits_for_the_first_then_is_refused(project: Path, monkeypatch):
    monkeypatch.setattr(guard, "LOCK_WAIT", 0.3)
    holder = os.open(project, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another hubgen command, mid-edit
    try:
        before = tree_bytes(project)
        result = hubgen(project, "rename", "a", "alpha")
        assert result.exit_code == 2
        assert "another hubgen command is editing this project" in result.stderr
        assert tree_bytes(project) == before
    finally:
        os.close(holder)
    assert hubgen(project, "rename", "a", "alpha").exit_code == 0  # released with its descriptor


def test_two_concurrent_renames_of_one_page(project: Path):
    command = [sys.executable, "-c", "from hubgen.cli import main; main()", "rename", "-C", str(project), "a"]
    processes = [subprocess.Popen([*command, name], stderr=subprocess.PIPE, text=True) for name in ("x", "y")]
    outcomes = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in processes]
    assert sorted(code for code, _ in outcomes) == [0, 2], outcomes
    assert any("no page 'a'" in err for code, err in outcomes if code == 2)
    assert ((project / "content/h/x.md").exists(), (project / "content/h/y.md").exists()).count(True) == 1
    assert not (project / "content/h/a.md").exists()
    assert_clean(project)


REFUSED_NAMES = [
    (".hidden", "starts with a dot"),
    ("sub/.hidden", "starts with a dot"),
    (".hidden/x", "starts with a dot"),
    ("../x", "'..' folder name"),
    ("h/../../x", "'..' folder name"),
    ("/etc/x", "a path inside the content folder"),
    ("a//b", "empty"),
    ("index", "its folder's page"),
    ("h/README", "its folder's page"),
    ("x\x1b[31my", "control characters"),
    ("n" * 250, "too long for a file name"),
    ("é" * 150, "too long for a file name"),
]


@pytest.mark.parametrize(("name", "reason"), REFUSED_NAMES)
def test_rename_and_add_refuse_a_name_hubgen_would_not_read_back(project: Path, name: str, reason: str):
    before = tree_bytes(project)
    for args in (("rename", "a", name), ("add", "New page", "--hub", "h", "--id", name)):
        result = hubgen(project, *args)
        assert result.exit_code == 2 and result.exception is None, result.output
        assert "cannot be a page id: " in result.stderr and reason in result.stderr
        assert "\x1b" not in result.stderr
        assert tree_bytes(project) == before
    assert not (project.parent / "x.md").exists() and not (project / "x.md").exists()


@pytest.mark.parametrize("word", ["knowledge", "é", "漢字"])
def test_add_with_a_very_long_title_gets_a_bounded_id(project: Path, word: str):
    title = " ".join([word] * 300)
    result = hubgen(project, "add", title, "--hub", "h")
    assert result.exit_code == 0, result.output
    [created] = [p for p in (project / "content/h").iterdir() if p.name not in ("index.md", "a.md", "b.md")]
    slug = created.name.removesuffix(".md")
    assert len(slug) <= 80 and len(slug.encode()) <= guard.MAX_NAME_BYTES
    assert not slug.endswith("-") and set(slug.split("-")) == {word}
    assert_clean(project)


def test_a_page_behind_a_symbolic_link_is_never_written_through(make_hub):
    project = make_hub({**FILES, "content/.store/b.md": FILES["content/h/b.md"], "content/h/b.md": None})
    (project / "content/h/b.md").symlink_to("../.store/b.md")
    assert_clean(project)
    before = tree_bytes(project)
    for args in (("rename", "a", "alpha"), ("rename", "b", "beta"), ("remove", "b")):
        result = hubgen(project, *args)
        assert result.exit_code == 2, result.output
        assert "content/h/b.md is a symbolic link, or inside one, content/" in result.stderr
        assert tree_bytes(project) == before and (project / "content/h/b.md").is_symlink()


def test_the_check_copy_does_not_follow_a_link_out_of_content(project: Path, tmp_path: Path):
    big = tmp_path / "elsewhere"
    (big / "deep").mkdir(parents=True)
    (big / "deep/huge.bin").write_bytes(b"x" * 1000)
    (project / "content/h/escape").symlink_to(big)
    (project / "content/h/loop").symlink_to("..")
    copy = tmp_path / "copy"
    guard.copy_ignoring_outside_links(project / "content", copy)
    assert sorted(tree_bytes(copy)) == ["h/a.md", "h/b.md", "h/index.md", "index.md"]


def test_a_file_system_failure_is_a_refusal_and_nothing_is_written(project: Path, monkeypatch):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    before = tree_bytes(project)
    monkeypatch.setattr(tempfile, "mkstemp", full)
    result = hubgen(project, "rename", "a", "alpha")
    assert result.exit_code == 2 and result.exception is None
    assert "hubgen: error: cannot edit the project: No space left on device" in result.stderr
    assert tree_bytes(project) == before


def test_new_force_never_writes_through_a_link(tmp_path: Path):
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for link, target in (("hubgen.yaml", victim), ("content", elsewhere)):
        project = tmp_path / f"p-{link}"
        project.mkdir()
        (project / link).symlink_to(target)
        stamp = os.lstat(victim).st_mtime_ns
        result = run_cli("new", str(project), "--force")
        assert result.exit_code == 2 and result.exception is None
        assert f"{project / link} is a symbolic link: hubgen new writes nothing through a link" in result.stderr
        assert sorted(p.name for p in project.iterdir()) == [link]  # refused before writing anything
        assert victim.read_text() == "precious" and os.lstat(victim).st_mtime_ns == stamp
        assert list(elsewhere.iterdir()) == []
