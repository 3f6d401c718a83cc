"""Determinism: the same input builds byte-identical output across runs, processes, hash seeds, listing
orders and time zones; dates come from front matter or git, never from the clock."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
from pathlib import Path

from hubkit import hubgen_cli, tree_bytes

from helpers import build_site, write_files

CONFIG = "title: Det Hub\nbase_url: https://example.org/learn/\nsearch: false\n"


def _files() -> dict[str, str]:
    files = {
        "hubgen.yaml": CONFIG,
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/b/index.md": "---\ntitle: Beta\ntype: hub\n---\n",
        "content/a/index.md": "---\ntitle: Alpha\ntype: hub\nnext: b\n---\n",
        "content/a/img.png": "not really a png",
    }
    for hub in ("a", "b"):
        for i in range(6):
            nxt = f"next: {hub}/p{i + 1}\n" if i < 5 else ""
            files[f"content/{hub}/p{i}.md"] = (
                f"---\ntitle: {hub.upper()} page {i} é\nhub: {hub}\n{nxt}related: [{'b' if hub == 'a' else 'a'}/p{i}]\n"
                f"tags: [t{i % 3}, shared, Ünï]\n"
                + ("updated: 2026-03-0" + str(i + 1) + "\n" if i % 2 else "")
                + f"---\n# H\n\n## Common questions\n\n### Q{i}?\n\nA [link](p{(i + 2) % 6}.md#h) ![x](../a/img.png).\n"
            )
    return files


def _write(root: Path, order: list[str]) -> Path:
    files = _files()
    for name in order:
        write_files(root, {name: files[name]})
    return root


def test_two_builds_are_byte_identical(tmp_path: Path):
    project = _write(tmp_path / "hub", sorted(_files()))
    first = tree_bytes(build_site(project, output_dir=tmp_path / "one"))
    second = tree_bytes(build_site(project, output_dir=tmp_path / "two"))
    assert len(first) > 20
    assert first == second
    third = tree_bytes(build_site(project))  # and again into the same folder, replacing it
    assert third == tree_bytes(build_site(project)) == first


def test_file_creation_order_does_not_matter(tmp_path: Path):
    names = sorted(_files())
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    one = _write(tmp_path / "one", names)
    two = _write(tmp_path / "two", list(reversed(names)))
    three = _write(tmp_path / "three", shuffled)
    sites = [tree_bytes(build_site(p, output_dir=tmp_path / f"site-{p.name}")) for p in (one, two, three)]
    assert sites[0] == sites[1] == sites[2]


def test_listing_order_does_not_matter(tmp_path: Path, monkeypatch):
    project = _write(tmp_path / "hub", sorted(_files()))
    expected = tree_bytes(build_site(project, output_dir=tmp_path / "plain"))
    real_walk, real_listdir = os.walk, os.listdir

    def reversed_walk(top, *args, **kwargs):
        for root, dirs, files in real_walk(top, *args, **kwargs):
            dirs.reverse()
            yield root, dirs, list(reversed(files))

    monkeypatch.setattr(os, "walk", reversed_walk)
    monkeypatch.setattr(os, "listdir", lambda path=".": list(reversed(real_listdir(path))))
    assert tree_bytes(build_site(project, output_dir=tmp_path / "reversed")) == expected


def test_hash_seed_and_time_zone_do_not_matter(tmp_path: Path):
    project = _write(tmp_path / "hub", sorted(_files()))
    builds = {}
    for name, env in {
        "seed0-utc": {"PYTHONHASHSEED": "0", "TZ": "UTC"},
        "seed123-kiritimati": {"PYTHONHASHSEED": "123", "TZ": "Pacific/Kiritimati"},
        "seed7-honolulu": {"PYTHONHASHSEED": "7", "TZ": "Pacific/Honolulu"},
    }.items():
        out = tmp_path / name
        done = hubgen_cli(["build", "-q", "-C", str(project), "-o", str(out)], cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        builds[name] = tree_bytes(out)
    first = builds["seed0-utc"]
    assert all(site == first for site in builds.values())


def test_dates_come_from_front_matter_never_the_clock(tmp_path: Path):
    project = _write(tmp_path / "hub", sorted(_files()))
    site = tree_bytes(build_site(project))
    today = {(dt.datetime.now(dt.UTC) + dt.timedelta(hours=h)).date().isoformat() for h in (-14, 0, 14)} - {
        f"2026-03-0{i}" for i in range(1, 7)
    }
    for name, data in site.items():
        for day in today:
            assert day.encode() not in data, (name, day)
    page = site["a/p1/index.html"].decode()
    assert "2026-03-02" in page
    undated = site["a/p0/index.html"].decode()
    assert "Updated" not in undated


def test_dates_from_git_are_the_commit_dates(tmp_path: Path):
    if shutil.which("git") is None:  # pragma: no cover
        return
    project = _write(tmp_path / "hub", sorted(_files()))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": "2020-02-03T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2020-02-03T12:00:00+00:00",
    }
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *command], cwd=project, env=env, check=True, capture_output=True)
    site = build_site(project)
    assert "2020-02-03" in (site / "a/p0/index.html").read_text()  # no `updated`: the commit's date
    assert "2026-03-02" in (site / "a/p1/index.html").read_text()  # front matter wins
    assert tree_bytes(site) == tree_bytes(build_site(project))
