"""Hostile file names: case, spaces, Unicode normal forms, URL-reserved characters, long paths, symlinks."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from hubkit import article, diags, errors, hub_files, tree_bytes

from helpers import build_site, read_html

NFC = unicodedata.normalize("NFC", "café")
NFD = unicodedata.normalize("NFD", "café")


def test_ids_differing_only_in_case_are_duplicate_pages(make_hub):
    project = make_hub(hub_files(A=article("Upper"), a=article("Lower")))
    [d] = [d for d in diags(project) if d.code == "duplicate-page"]
    assert (d.file, d.line, d.column, d.severity) == ("content/h/a.md", 1, 1, "error")
    assert "content/h/A.md already gives" in d.message


def test_folder_and_file_differing_only_in_case_are_duplicates(make_hub):
    project = make_hub({**hub_files(x=article("X")), "content/h/X/index.md": article("X folder")})
    assert [e for e in errors(project) if e[0] == "duplicate-page"] == [("duplicate-page", "content/h/x.md", 1, 1)]


def test_file_names_with_spaces_link_and_build(make_hub):
    project = make_hub(
        hub_files(
            **{"with space": article("Spaced"), "b": article("B", body="[s](with%20space.md) [t](<with space.md>)\n")}
        )
    )
    assert errors(project) == []
    site = build_site(project)
    links = [a["href"] for a in read_html(site, "h/b/index.html").select("main a") if a.text in ("s", "t")]
    assert links == ["../with%20space/", "../with%20space/"]
    assert (site / "h/with space/index.html").is_file()


def test_link_typed_nfc_finds_a_file_stored_nfd(make_hub):
    project = make_hub(hub_files(**{NFD: article("Café"), "b": article("B", body=f"[c]({NFC}.md)\n")}))
    assert errors(project) == []
    site = build_site(project)
    [link] = [a for a in read_html(site, "h/b/index.html").select("main a") if a.text == "c"]
    assert link["href"] == "../" + quote(NFD) + "/"  # the name on disk, percent-encoded
    assert (site / "h" / NFD / "index.html").is_file()


def test_two_files_normalising_to_one_name_are_duplicate_pages(make_hub):
    project = make_hub(hub_files(**{NFD: article("Decomposed"), NFC: article("Composed")}))
    dups = [(d.code, d.file) for d in diags(project) if d.code == "duplicate-page"]
    first, second = sorted([NFD, NFC])  # files are read in sorted order; the second one is reported
    assert dups == [("duplicate-page", f"content/h/{second}.md")]
    assert f"content/h/{first}.md already gives" in next(
        d.message for d in diags(project) if d.code == "duplicate-page"
    )


@pytest.mark.parametrize("name, encoded", [("a#b", "a%23b"), ("q?x", "q%3Fx")])
def test_reserved_characters_in_names_link_and_are_served_encoded(make_hub, name, encoded):
    project = make_hub(hub_files(**{name: article("Odd"), "b": article("B", body=f"[go]({encoded}.md)\n")}))
    assert errors(project) == []
    site = build_site(project)
    [link] = [a for a in read_html(site, "h/b/index.html").select("main a") if a.text == "go"]
    assert link["href"] == f"../{encoded}/"
    assert (site / "h" / name / "index.html").is_file()  # the URL decodes to this folder when served
    hub = read_html(site, "h/index.html")
    assert f"{encoded}/" in [a["href"] for a in hub.select("a")]


def test_very_long_path_builds_or_fails_cleanly(make_hub):
    deep = "/".join(["d" * 40] * 6) + "/" + "n" * 200
    project = make_hub(hub_files(**{deep: article("Long")}))
    assert errors(project) == []
    site = build_site(project)
    assert (site / "h" / deep / "index.html").is_file()


def test_file_name_near_name_max_builds(make_hub):
    long_name = "x" * 250
    project = make_hub(hub_files(**{long_name: article("Long")}))
    assert errors(project) == []
    assert (build_site(project) / "h" / long_name / "index.html").is_file()


def test_symlink_outside_content_is_unsafe_and_never_published(make_hub, tmp_path: Path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: TOP-SECRET-TITLE\nhub: h\n---\nTOP-SECRET-BODY\n", encoding="utf-8")
    secret_dir = tmp_path / "secret-dir"
    secret_dir.mkdir()
    (secret_dir / "leak.txt").write_text("TOP-SECRET-ASSET", encoding="utf-8")
    project = make_hub(hub_files(b=article("B", body="[x](ok.md)\n")))
    os.symlink(secret, project / "content/h/link.md")
    os.symlink(secret_dir, project / "content/h/linkdir")
    os.symlink(tmp_path / "secret-dir/leak.txt", project / "content/leak.txt")
    got = [(d.code, d.file, d.line, d.column, d.severity) for d in diags(project) if d.code == "unsafe-symlink"]
    assert got == [
        ("unsafe-symlink", "content/h/link.md", 1, 1, "error"),
        ("unsafe-symlink", "content/h/linkdir", 1, 1, "error"),
        ("unsafe-symlink", "content/leak.txt", 1, 1, "error"),
    ]
    # once the links are removed the rest builds; with them, nothing is written at all
    from hubgen import session

    assert session.build(project).files == 0
    assert not (project / "site").exists()
    for name in ("content/h/link.md", "content/h/linkdir", "content/leak.txt"):
        (project / name).unlink()
    site = build_site(project)
    assert not any(b"TOP-SECRET" in data for data in tree_bytes(site).values())


def test_symlink_outside_content_is_excluded_even_when_severity_is_off(make_hub, tmp_path: Path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: TOP-SECRET-TITLE\nhub: h\n---\nTOP-SECRET-BODY\n", encoding="utf-8")
    project = make_hub({**hub_files(), "hubgen.yaml": "search: false\nchecks:\n  unsafe-symlink: off\n"})
    os.symlink(secret, project / "content/h/link.md")
    os.symlink(secret.parent, project / "content/up")
    assert [d.code for d in diags(project) if d.severity == "error"] == []
    site = build_site(project)
    assert not any(b"TOP-SECRET" in data for data in tree_bytes(site).values())
    assert not (site / "h/link").exists() and not (site / "up").exists()


def test_symlink_inside_content_is_followed(make_hub):
    project = make_hub(hub_files())
    os.symlink(project / "content/h/ok.md", project / "content/h/alias.md")
    assert [e for e in errors(project) if e[0] == "unsafe-symlink"] == []


def test_symlink_loops_are_unsafe_symlinks(make_hub):
    project = make_hub(hub_files())
    os.symlink("loop-b.md", project / "content/h/loop-a.md")
    os.symlink("loop-a.md", project / "content/h/loop-b.md")
    os.symlink("..", project / "content/h/parent")  # a folder loop back into content/
    os.symlink("nothing-here.md", project / "content/h/dangling.md")
    got = {(d.code, d.file): d.message for d in diags(project) if d.code == "unsafe-symlink"}
    assert sorted(got) == [
        ("unsafe-symlink", "content/h/dangling.md"),
        ("unsafe-symlink", "content/h/loop-a.md"),
        ("unsafe-symlink", "content/h/loop-b.md"),
        ("unsafe-symlink", "content/h/parent"),
    ]
    assert "loop" in got[("unsafe-symlink", "content/h/loop-a.md")]
    assert "loop" in got[("unsafe-symlink", "content/h/parent")]
    assert "points to nothing" in got[("unsafe-symlink", "content/h/dangling.md")]


def test_dangling_symlink_is_not_called_a_loop_because_of_its_path(make_hub):
    project = make_hub(hub_files(), name="loop-folder")  # the word "loop" in the path must not matter
    os.symlink("nothing-here.md", project / "content/h/dangling.md")
    [d] = [d for d in diags(project) if d.code == "unsafe-symlink"]
    assert (d.file, d.line, d.column, d.message) == ("content/h/dangling.md", 1, 1, "symbolic link points to nothing")


def test_a_symlink_to_a_sibling_folder_is_read_again_not_called_a_loop(make_hub):
    project = make_hub(hub_files())
    (project / "content/h/real").mkdir()
    (project / "content/h/real/note.txt").write_text("hello\n")
    os.symlink("real", project / "content/h/alias")
    assert [d for d in diags(project) if d.code == "unsafe-symlink"] == []
