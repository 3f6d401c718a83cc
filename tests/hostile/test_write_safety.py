"""Writing the site never goes through a symbolic link hubgen did not make, and the swap is one system call:
links, pipes and look-alike folders planted in the old site, the spare, the build cache or beside the output
are removed or refused, never followed; `site/` exists at every moment of a build, even one killed midway."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hubkit import article, hub_files, leftovers, tree_bytes

from helpers import run_cli
from hubgen import session
from hubgen.build import swap, write


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the project that a hostile link points at."""
    folder = tmp_path / "outside"
    (folder / "victim_dir").mkdir(parents=True)
    (folder / "victim.txt").write_bytes(b"precious\n")
    (folder / "victim_dir/keep.txt").write_bytes(b"keep me\n")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry under `folder`: its bytes (files) and modification time, links not followed."""
    found: dict[str, tuple[bytes, int]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            data = path.read_bytes() if path.is_file() else b""
            found[path.relative_to(folder).as_posix()] = (data, os.lstat(path).st_mtime_ns)
    return found


def links_in(folder: Path) -> list[str]:
    """Every entry under `folder` that is not a regular file or a real folder."""
    odd = []
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                odd.append(path.relative_to(folder).as_posix())
    return sorted(odd)


def project_with_pages(make_hub) -> Path:
    return make_hub(hub_files(**{f"p{i}": article(f"Page {i}") for i in range(8)}))


def build(project: Path) -> None:
    result = run_cli("build", "-C", str(project), "-j", "1")
    assert result.exit_code == 0 and result.exception is None, result.output


def clean_build(tmp_path: Path, project: Path) -> dict[str, bytes]:
    """The site a fresh copy of the project builds."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "content", fresh / "content")
    shutil.copy(project / "hubgen.yaml", fresh / "hubgen.yaml")
    session.build(fresh)
    return tree_bytes(fresh / "site")


def plant(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def spare_of(project: Path) -> Path:
    [spare] = (project / ".hubgen-cache").glob("spare-*")
    return spare


def test_links_in_the_old_site_and_the_spare_are_removed_never_followed(make_hub, outside: Path, tmp_path: Path):
    project = project_with_pages(make_hub)
    build(project)
    make_hub({"content/h/p0.md": article("Second")})
    build(project)  # the first site is now the spare, which the next build stages into
    before = snapshot(outside)
    spare, site = spare_of(project), project / "site"
    plant(spare / "h/p1/index.html", outside / "victim.txt")  # a wanted, unchanged file: the state says so
    plant(spare / "h/p0/index.html", outside / "victim.txt")  # a wanted file this build rewrites
    plant(spare / "h/p2", outside / "victim_dir")  # a wanted folder
    plant(spare / "stray.html", outside / "victim.txt")  # an unwanted file
    os.mkfifo(spare / "h/fifo")
    plant(site / "h/p3/index.html", outside / "victim.txt")  # the live site: it becomes the next spare
    plant(site / "h/p4", outside / "victim_dir")
    for title in ("Third", "Fourth", "Fifth"):
        make_hub({"content/h/p0.md": article(title)})
        build(project)
        assert snapshot(outside) == before
        assert links_in(site) == [] and leftovers(project) == []
    assert tree_bytes(site) == clean_build(tmp_path, project)
    assert links_in(spare_of(project)) == []


def test_nothing_changed_but_a_link_in_the_site_is_rebuilt(make_hub, outside: Path):
    project = project_with_pages(make_hub)
    build(project)
    plant(project / "site/h/p1/index.html", outside / "victim.txt")
    build(project)  # the same input: the no-op path must not take the link for the page
    assert links_in(project / "site") == []
    assert b"Page 1" in (project / "site/h/p1/index.html").read_bytes()
    plant(project / "site/h/p2", outside / "victim_dir")  # a folder on the way
    build(project)
    assert links_in(project / "site") == [] and (project / "site/h/p2/index.html").is_file()
    assert (outside / "victim.txt").read_bytes() == b"precious\n"
    assert sorted(p.name for p in (outside / "victim_dir").iterdir()) == ["keep.txt"]


def test_a_marker_that_is_a_link_is_not_hubgens(make_hub, outside: Path):
    project = project_with_pages(make_hub)
    build(project)
    before, site = snapshot(outside), tree_bytes(project / "site")
    plant(project / "site" / write.MARKER, outside / "victim.txt")
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and result.exception is None
    assert "is not empty and was not written by hubgen (its .hubgen-site is a symbolic link)" in result.stderr
    assert snapshot(outside) == before
    assert tree_bytes(project / "site") == site | {write.MARKER: b"precious\n"}  # untouched


@pytest.mark.parametrize("output_dir", ["site", "public/site"])
def test_an_output_folder_reached_through_a_link_is_refused(make_hub, tmp_path: Path, output_dir: str):
    project = make_hub({**hub_files(), "hubgen.yaml": f"title: T\nsearch: false\noutput_dir: {output_dir}\n"})
    empty = tmp_path / "empty"
    empty.mkdir()
    link = project / output_dir.split("/")[0]
    link.symlink_to(empty if output_dir == "site" else tmp_path, target_is_directory=True)
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and "reached through a symbolic link" in result.stderr
    assert list(empty.iterdir()) == [] and leftovers(tmp_path) == []


def test_links_where_the_cache_keeps_the_spare_and_its_record(make_hub, outside: Path):
    project = project_with_pages(make_hub)
    build(project)
    make_hub({"content/h/p0.md": article("Second")})
    build(project)
    before = snapshot(outside)
    spare = spare_of(project)
    plant(spare, outside / "victim_dir")  # the spare itself
    plant(project / ".hubgen-cache" / write.STATE_FILE, outside / "victim.txt")
    plant(project / ".hubgen-cache/site-state.tmp", outside / "victim.txt")  # where an old version wrote first
    for title in ("Third", "Fourth"):
        make_hub({"content/h/p0.md": article(title)})
        build(project)
    assert snapshot(outside) == before
    assert not (project / ".hubgen-cache" / write.STATE_FILE).is_symlink()
    assert links_in(project / "site") == [] and links_in(spare_of(project)) == []


def test_leftovers_of_interrupted_builds_are_cleared_and_look_alikes_left_alone(make_hub, outside: Path):
    project = project_with_pages(make_hub)
    build(project)
    before = snapshot(outside)
    for name in (".site.new-abc12345", ".site.old-def67890", ".site.new-empty"):
        (project / name).mkdir()
    for name in (".site.new-abc12345", ".site.old-def67890"):
        (project / name / write.MARKER).write_text(write.MARKER_TEXT)
        plant(project / name / "h", outside / "victim_dir")
        plant(project / name / "x.html", outside / "victim.txt")
    (project / ".site.new-link").symlink_to(outside / "victim_dir")  # not a folder hubgen made
    (project / ".site.old-foreign").mkdir()  # no marker, not empty: someone else's
    (project / ".site.old-foreign/notes.txt").write_text("mine")
    build(project)
    assert sorted(leftovers(project)) == [".site.new-link", ".site.old-foreign"]
    assert (project / ".site.old-foreign/notes.txt").read_text() == "mine"
    assert snapshot(outside) == before


def test_a_site_retired_but_not_replaced_is_put_back(make_hub):
    project = project_with_pages(make_hub)
    build(project)
    site = tree_bytes(project / "site")
    (project / "site").rename(project / ".site.old-k1llme")  # killed between the fallback's two renames
    write.clear_leftovers(project / "site")
    assert tree_bytes(project / "site") == site and leftovers(project) == []


def test_the_swap_is_one_exchange_and_the_old_site_lives_on_as_the_spare(make_hub, monkeypatch):
    project = project_with_pages(make_hub)
    session.build(project, cache=True)
    old = os.stat(project / "site").st_ino
    calls: list[tuple[Path, Path]] = []
    real_exchange, real_rename = swap.exchange, Path.rename

    def spy(first: Path, second: Path) -> bool:
        calls.append((first, second))
        return real_exchange(first, second)

    def no_rename_of_the_site(self: Path, target: Path) -> Path:
        assert project / "site" not in (Path(self), Path(target)), "site/ renamed: two steps, not one"
        return real_rename(self, target)

    monkeypatch.setattr(swap, "exchange", spy)
    monkeypatch.setattr(Path, "rename", no_rename_of_the_site)
    make_hub({"content/h/p0.md": article("Second")})
    session.build(project, cache=True)
    assert len(calls) == 1 and calls[0][1] == project / "site"
    assert os.stat(spare_of(project)).st_ino == old  # the old site, exchanged out whole
    make_hub({"content/h/p0.md": article("Third")})
    session.build(project, cache=True)  # staged in the spare: exchanged back in, no rename at all
    assert os.stat(project / "site").st_ino == old and len(calls) == 2


def test_site_exists_at_every_moment_of_a_build(make_hub):
    project = project_with_pages(make_hub)
    session.build(project, cache=True)
    missing: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if not os.path.isdir(project / "site"):
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for title in ("A", "B", "C", "D", "E"):
            make_hub({"content/h/p0.md": article(title)})
            session.build(project, cache=True)
    finally:
        done.set()
        watcher.join()
    assert missing == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_build_killed_at_any_moment_leaves_a_site_and_the_next_build_no_leftovers(make_hub, signum):
    project = project_with_pages(make_hub)
    build(project)
    command = [sys.executable, "-c", "from hubgen.cli import main; main()", "build", "-C", str(project), "-j", "1"]
    start = time.monotonic()
    subprocess.run(command, capture_output=True, check=True, timeout=60)
    whole = time.monotonic() - start
    for step, fraction in enumerate((0.3, 0.5, 0.65, 0.8, 0.9, 0.97)):
        make_hub({"content/h/p0.md": article(f"Edit {step}")})
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(whole * fraction)
        process.send_signal(signum)
        _out, err = process.communicate(timeout=60)
        assert "Traceback" not in err
        assert (project / "site").is_dir() and (project / "site" / write.MARKER).is_file()
    build(project)
    assert leftovers(project) == [] and links_in(project / "site") == []


KILLED_AT_THE_SWAP = """
import os, sys, time
from pathlib import Path
from hubgen.build import swap
real = swap.exchange
ready, when = Path(sys.argv[1]), sys.argv[2]
def exchange(first, second):
    if when == "before":
        ready.write_text("ready")
        time.sleep(30)
    done = real(first, second)
    ready.write_text("ready")
    time.sleep(30)
    return done
swap.exchange = exchange
sys.argv = ["hubgen", "build", *sys.argv[3:]]
from hubgen.cli import main
main()
"""


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_build_killed_right_before_or_after_the_exchange(make_hub, tmp_path: Path, when: str, cache: list[str]):
    project = project_with_pages(make_hub)
    build(project)
    make_hub({"content/h/p0.md": article("Second")})
    build(project)  # with the cache, there is a spare now
    make_hub({"content/h/p0.md": article("Changed")})
    ready = tmp_path / "ready"
    arguments = [str(ready), when, "-C", str(project), "-j", "1", *cache]
    process = subprocess.Popen([sys.executable, "-c", KILLED_AT_THE_SWAP, *arguments], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ready.exists(), process.communicate()
    process.kill()
    process.wait(timeout=30)
    title = b"Changed" if when == "after" else b"Second"
    assert title in (project / "site/h/p0/index.html").read_bytes()
    assert len(leftovers(project)) == (1 if cache else 0)  # the staging folder (with the cache: the spare)
    build(project)
    assert leftovers(project) == [] and b"Changed" in (project / "site/h/p0/index.html").read_bytes()


def test_links_in_the_search_index_the_spare_keeps_are_removed(make_hub, outside: Path):
    project = make_hub({**hub_files(**{f"p{i}": article(f"Page {i}") for i in range(4)}), "hubgen.yaml": "title: T\n"})
    build(project)
    make_hub({"content/h/p0.md": article("Second")})
    build(project)  # the spare holds the first site and its index, which the next build updates in place
    before = snapshot(outside)
    spare = spare_of(project)
    [index_file] = [p for p in (spare / "pagefind").iterdir() if p.is_file()][:1]
    plant(index_file, outside / "victim.txt")
    plant(spare / "pagefind/fragment", outside / "victim_dir")
    plant(project / "site/pagefind", outside / "victim_dir")  # the live site's: the spare after the next build
    for title in ("Third", "Fourth"):
        make_hub({"content/h/p0.md": article(title)})
        build(project)
        assert snapshot(outside) == before
        assert links_in(project / "site") == [] and (project / "site/pagefind/pagefind.js").is_file()
