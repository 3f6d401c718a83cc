"""A named pipe, a socket or a device under content/ (or a link to one) is reported as `not-a-file` and
never opened: `check` used to block for ever on a pipe. A file that changes while it is read cannot crash
the read: what was opened is checked again, and no more than the limit is ever read."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from hubkit import BASE, errors, hubgen_cli

from hubgen.base import files
from hubgen.base.files import NotRegular, TooLarge, read_regular

HINT = "only regular files and folders are read"


def test_pipes_sockets_and_links_to_them_are_reported_not_read(make_hub) -> None:
    project = make_hub(BASE)
    content = project / "content"
    os.mkfifo(content / "h/pipe.md")
    os.mkfifo(content / "page.html")
    (content / "link.md").symlink_to("h/pipe.md")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(content / "h/sock"))
        result = hubgen_cli(["check", "--format", "json"], cwd=project, timeout=30)
    assert result.returncode == 1, result.stderr
    assert errors(project) == [
        ("not-a-file", "content/h/pipe.md", 1, 1),
        ("not-a-file", "content/h/sock", 1, 1),
        ("not-a-file", "content/link.md", 1, 1),
        ("not-a-file", "content/page.html", 1, 1),
    ]
    assert '"message": "this is a named pipe (FIFO), not a regular file; it is not read"' in result.stdout
    assert '"message": "this is a socket, not a regular file; it is not read"' in result.stdout
    assert result.stdout.count(HINT) == 4


def test_a_device_is_reported_not_opened(make_hub) -> None:
    project = make_hub(BASE)
    try:
        os.mknod(project / "content/zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero: endless
    except PermissionError:
        pytest.skip("creating a device needs root")
    result = hubgen_cli(["check"], cwd=project, timeout=30)
    assert result.returncode == 1
    assert "content/zero:1:1: error[not-a-file]: this is a character device, not a regular file" in result.stdout


def test_a_file_swapped_for_a_pipe_after_it_was_looked_at(tmp_path: Path, monkeypatch) -> None:
    pipe, plain = tmp_path / "pipe.md", tmp_path / "plain.md"
    os.mkfifo(pipe)
    plain.write_text("x")
    real_stat = os.stat
    monkeypatch.setattr(files.os, "stat", lambda path, *a, **k: real_stat(plain if path == pipe else path, *a, **k))
    with pytest.raises(NotRegular) as caught:
        read_regular(pipe)  # opened without blocking, then refused by what the descriptor is
    assert stat.S_ISFIFO(caught.value.mode)


def test_a_file_that_grows_or_shrinks_while_read(tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"y" * 100)
    real_fstat = os.fstat

    def says(size: int):
        def fstat(descriptor: int) -> os.stat_result:
            info = list(real_fstat(descriptor))
            info[stat.ST_SIZE] = size
            return os.stat_result(info)

        return fstat

    monkeypatch.setattr(files.os, "fstat", says(10))  # it grew after fstat: reading stops past the limit
    with pytest.raises(TooLarge) as caught:
        read_regular(page, limit=50)
    assert caught.value.size == 51
    monkeypatch.setattr(files.os, "fstat", says(10_000))  # it was larger, and shrank: what is there is read
    assert read_regular(page, limit=20_000) == b"y" * 100


def test_an_unreadable_page_among_many_is_one_diagnostic(make_hub) -> None:
    project = make_hub({**BASE, "content/h/big.md": b"---\ntitle: Big\nhub: h\n---\n" + b"z" * (8 * 2**20)})
    assert ("file-too-large", "content/h/big.md", 1, 1) in errors(project)


def test_folders_nested_deeper_than_pythons_recursion_limit(make_hub) -> None:
    project = make_hub(BASE)
    folder = os.open(project / "content", os.O_RDONLY)
    for _ in range(1500):  # 3,000 characters of path: a legal tree, and a RecursionError before
        os.mkdir("a", dir_fd=folder)
        inner = os.open("a", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    page = os.open("x.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
    os.write(page, b"---\ntitle: X\nhub: h\n---\nSee [home](/).\n")
    os.close(page)
    os.close(folder)
    try:
        result = hubgen_cli(["check", "--format", "json"], cwd=project, timeout=60)
        assert result.returncode == 1, result.stderr
        # Read down to the bound, then one diagnostic: `build` could not write such a tree (it did not).
        assert "Traceback" not in result.stderr and errors(project) == [
            ("folder-too-deep", "content/" + "a/" * 64 + "a", 1, 1)
        ]
        built = hubgen_cli(["build"], cwd=project, timeout=60)
        assert built.returncode == 1 and "Traceback" not in built.stderr
    finally:
        _remove_deep(project / "content" / "a")


def _remove_deep(top: Path) -> None:
    """Remove a chain of folders `a/a/a/...` too deep for shutil.rmtree (recursive in Python 3.11): go down
    holding each folder open, then remove on the way up."""
    chain = [os.open(top.parent, os.O_RDONLY)]
    while "a" in os.listdir(chain[-1]):
        chain.append(os.open("a", os.O_RDONLY, dir_fd=chain[-1]))
    for entry in os.listdir(chain[-1]):
        os.unlink(entry, dir_fd=chain[-1])
    os.close(chain.pop())
    while chain:
        os.rmdir("a", dir_fd=chain[-1])
        os.close(chain.pop())


def test_a_large_html_file_is_read_up_to_the_limit_for_its_ids(tmp_path: Path) -> None:
    page = tmp_path / "big.html"
    page.write_bytes(b'<a id="early"></a>' + b"x" * 100)
    assert read_regular(page, limit=30, whole=False) == b'<a id="early"></a>' + b"x" * 12
    with pytest.raises(TooLarge):
        read_regular(page, limit=30)
