"""Output safety: hubgen replaces only folders it wrote, swaps atomically, and an interrupted or failed build
leaves the previous site whole with no temporary folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hubkit import CONFIG, article, hub_files, leftovers, tree_bytes

from helpers import build_site, run_cli
from hubgen import session
from hubgen.base.cache import CACHE_DIR
from hubgen.build import swap, write

REFUSED = "refusing to use"


def _config(output_dir: str) -> str:
    return CONFIG + f"output_dir: {output_dir!r}\n"


@pytest.mark.parametrize(
    "output_dir", [".", "/", "content", "templates", "..", "./content/h", "content/site", "templates/out"]
)
def test_dangerous_output_dirs_are_refused_and_nothing_is_deleted(make_hub, output_dir):
    project = make_hub({**hub_files(), "hubgen.yaml": _config(output_dir), "templates/keep.txt": "mine"})
    before = _sources(project)
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and result.exception is None
    if output_dir in ("/", ".."):  # outside the project: a setting may point there, and the writer refuses
        assert "hubgen: error: " + REFUSED in result.stderr
    else:  # the project's own folders: `check` refuses it too, so that what check passes, build writes
        assert "error[config-type]: output_dir" in result.output
        assert run_cli("check", "-C", str(project)).exit_code == 2
    assert "Traceback" not in result.output
    assert _sources(project) == before
    assert leftovers(project) == [] and leftovers(project.parent) == []


def _sources(project: Path) -> dict[str, bytes]:
    """The project's files, hubgen's own cache aside."""
    return {k: v for k, v in tree_bytes(project).items() if not k.startswith(".hubgen-cache/")}


def test_home_folder_is_refused(make_hub, tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "precious.txt").write_text("do not delete", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    project = make_hub({**hub_files(), "hubgen.yaml": _config(str(home))})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and REFUSED in result.stderr
    assert sorted(p.name for p in home.iterdir()) == ["precious.txt"]
    make_hub({"hubgen.yaml": CONFIG})
    result = run_cli("build", "-C", str(project), "-o", str(home))
    assert result.exit_code == 2 and REFUSED in result.stderr
    assert sorted(p.name for p in home.iterdir()) == ["precious.txt"]


def test_the_project_itself_via_absolute_path_is_refused(make_hub):
    project = make_hub(hub_files())
    result = run_cli("build", "-C", str(project), "-o", str(project))
    assert result.exit_code == 2 and REFUSED in result.stderr
    assert not (project / write.MARKER).exists()


def test_foreign_non_empty_folder_is_refused(make_hub):
    project = make_hub({**hub_files(), "site/notes.txt": "someone's notes"})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2
    assert "is not empty and was not written by hubgen" in result.stderr
    assert tree_bytes(project / "site") == {"notes.txt": b"someone's notes"}


def test_output_path_that_is_a_file_is_refused(make_hub):
    project = make_hub({**hub_files(), "site": "a file"})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and "exists and is not a folder" in result.stderr
    assert (project / "site").read_text() == "a file"


def test_empty_folder_and_marked_folder_are_replaced(make_hub):
    project = make_hub(hub_files())
    (project / "site").mkdir()
    build_site(project)
    assert (project / "site" / write.MARKER).is_file()
    (project / "site/extra.txt").write_text("stale", encoding="utf-8")
    build_site(project)
    assert not (project / "site/extra.txt").exists()


def test_files_of_deleted_pages_disappear(make_hub):
    project = make_hub(hub_files(gone=article("Gone", body="Soon gone.\n")))
    site = build_site(project)
    assert (site / "h/gone/index.html").is_file()
    make_hub({"content/h/gone.md": None})
    build_site(project)
    assert not (site / "h/gone").exists()
    assert not any(b"Soon gone" in data for data in tree_bytes(site).values())
    assert leftovers(project) == []


def _previous_site(make_hub, **extra: str) -> tuple[Path, dict[str, bytes]]:
    project = make_hub(hub_files(**{f"p{i}": article(f"Page {i}") for i in range(30)}, **extra))
    site = build_site(project)
    return project, tree_bytes(site)


def test_keyboard_interrupt_midway_through_writing_leaves_the_old_site(make_hub, monkeypatch):
    project, before = _previous_site(make_hub)
    make_hub({"content/h/p0.md": article("Changed")})
    real_open = os.open
    pages = []

    def interrupt_midway(path, flags, *args, **kwargs):  # Ctrl-C as the build creates its tenth page file
        if _creates_a_page(path, flags):
            pages.append(path)
            if len(pages) == 10:
                raise KeyboardInterrupt
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", interrupt_midway)
    result = run_cli("build", "-C", str(project))
    monkeypatch.undo()
    assert len(pages) == 10 and len(before) > 30
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert tree_bytes(project / "site") == before
    assert leftovers(project) == []


def _creates_a_page(path: str | os.PathLike[str], flags: int) -> bool:
    """An `os.open` that makes a page file of the site (the build cache aside)."""
    return bool(flags & os.O_CREAT) and os.fspath(path).endswith(".html") and CACHE_DIR not in Path(path).parts


def test_keyboard_interrupt_during_the_swap_leaves_the_old_site(make_hub, monkeypatch):
    project, before = _previous_site(make_hub)
    make_hub({"content/h/p0.md": article("Changed")})
    real_rename = Path.rename
    seen = []

    def flaky_rename(self, target):
        seen.append(self)
        if len(seen) == 2:  # the old site is retired; putting the new one in is interrupted
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky_rename)
    monkeypatch.setattr(swap, "exchange", lambda first, second: False)  # the fallback: two renames
    with pytest.raises(KeyboardInterrupt):
        session.build(project)
    monkeypatch.undo()
    assert len(seen) == 3  # the third rename put the old site back
    assert tree_bytes(project / "site") == before
    assert leftovers(project) == []


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ page.no_such_value }}", "template error"),
        ("{% for x in page.title %}{{ x.y.z }}{% endfor %}", "template error"),
        ("{{ 1 // (page.related | length) }}", "template error"),
        ("{% include 'missing.html' %}", "template not found: missing.html"),
        ("{% if %}", "template error"),
    ],
)
def test_exception_in_a_template_leaves_the_old_site_and_exits_2(make_hub, template, message):
    project, before = _previous_site(make_hub)
    make_hub({"templates/article.html": template})
    result = run_cli("build", "-C", str(project))
    assert result.exception is None, result.exception
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert tree_bytes(project / "site") == before
    assert leftovers(project) == []


SLOW_BUILD = """
import os, sys, time
from pathlib import Path
real = os.open
count = [0]
ready, project = Path(sys.argv[1]), sys.argv[2]
def slow(path, flags, *args, **kwargs):  # from the fifth page file on, the disk is slow
    if flags & os.O_CREAT and os.fspath(path).endswith(".html") and ".hubgen-cache" not in Path(path).parts:
        count[0] += 1
        if count[0] == 5:
            ready.write_text("writing")
        if count[0] >= 5:
            time.sleep(0.05)
    return real(path, flags, *args, **kwargs)
os.open = slow
sys.argv = ["hubgen", "build", "-C", project]
from hubgen.cli import main
main()
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_a_real_build_while_writing_leaves_the_old_site(make_hub, tmp_path: Path, signum):
    project, before = _previous_site(make_hub)
    make_hub({"content/h/p0.md": article("Changed"), "content/h/new.md": article("New")})
    ready = tmp_path / f"ready-{signum}"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(ready), str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ready.exists(), process.communicate()
    assert any(".site.new-" in p.name for p in project.iterdir())  # caught in the middle of writing
    process.send_signal(signum)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "hubgen: interrupted" in err and "Traceback" not in err
    assert tree_bytes(project / "site") == before
    assert leftovers(project) == []


def test_signal_during_a_slow_template_leaves_the_old_site(make_hub):
    project, before = _previous_site(make_hub)
    # Jinja's sandbox caps one range at 100,000 items; two nested ones are still slow enough.
    slow = "{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}{{ page.title }}"
    make_hub({"templates/article.html": slow})
    process = subprocess.Popen(
        [sys.executable, "-c", "from hubgen.cli import main; main()", "build", "-C", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert process.poll() is None
    os.kill(process.pid, signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert tree_bytes(project / "site") == before
    assert leftovers(project) == []
