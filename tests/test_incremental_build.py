"""The build cache, the spare site and the process pools change how fast a build is, never what it writes:
after every kind of edit, a cached incremental build gives exactly the files of a cold build."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from hubgen import session
from hubgen.base.cache import CACHE_DIR, SCHEMA, Cache
from hubgen.build.deps import MEMO_FILE, RenderMemo
from hubgen.build.renderjobs import POOL_THRESHOLD as RENDER_POOL_THRESHOLD
from hubgen.build.write import OutputError, write_site
from hubgen.core.layout import Site
from hubgen.core.links import page_dir
from hubgen.core.load import POOL_THRESHOLD


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hub_files(articles: int = 6) -> dict[str, str]:
    files = {
        "hubgen.yaml": "title: Cache test\nbase_url: https://example.org/c/\nsearch: false\n",
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/alpha/index.md": "---\ntitle: Alpha\ntype: hub\nsummary: First hub.\n---\nAlpha hub.\n",
        "content/beta/index.md": "---\ntitle: Beta\ntype: hub\nsummary: Second hub.\n---\nBeta hub.\n",
        "content/alpha/pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        "content/beta/b1.md": "---\ntitle: B one\nsummary: Beta one.\ntags: [shared]\n---\n"
        "See [a1](../alpha/a1.md#details).\n",
    }
    for n in range(1, articles + 1):
        nxt = f"next: a{n + 1}\n" if n < articles else ""
        files[f"content/alpha/a{n}.md"] = (
            f"---\ntitle: A {n}\nsummary: Article {n}.\n{nxt}related: [b1]\ntags: [shared]\n---\n"
            f"Text of {n} with ![pic](pic.svg).\n\n## Details\n\nMore.\n"
        )
    return files


def write(project: Path, files: dict[str, str | None]) -> None:
    for rel, text in files.items():
        path = project / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def cold_build(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """A build of a fresh copy of the project, with no cache and one process."""
    fresh = tmp_path / "cold"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(".hubgen-cache", "site"))
    result = session.build(fresh, jobs=1, cache=False)
    assert result.check.errors == 0, result.check.diagnostics
    return snapshot(fresh / "site")


def edit_body(p: Path) -> None:
    text = (p / "content/alpha/a3.md").read_text()
    (p / "content/alpha/a3.md").write_text(text.replace("More.", "More, and a new sentence."))


def edit_title(p: Path) -> None:
    text = (p / "content/alpha/a3.md").read_text()
    (p / "content/alpha/a3.md").write_text(text.replace("title: A 3", "title: A three"))


def edit_path(p: Path) -> None:  # a5 leaves the path: a4 -> a6
    write(
        p,
        {
            "content/alpha/a4.md": (p / "content/alpha/a4.md").read_text().replace("next: a5", "next: a6"),
            "content/alpha/a5.md": (p / "content/alpha/a5.md").read_text().replace("next: a6\n", ""),
        },
    )


def edit_related(p: Path) -> None:
    text = (p / "content/alpha/a2.md").read_text()
    (p / "content/alpha/a2.md").write_text(text.replace("related: [b1]", "related: [b1, a6]"))


def edit_hub(p: Path) -> None:
    text = (p / "content/beta/b1.md").read_text()
    (p / "content/beta/b1.md").write_text(text.replace("---\nSee", "hub: alpha\n---\nSee"))


def edit_template(p: Path) -> None:
    write(p, {"templates/404.html": '{% extends "base.html" %}{% block content %}<p>Gone.</p>{% endblock %}\n'})


def edit_config(p: Path) -> None:
    (p / "hubgen.yaml").write_text((p / "hubgen.yaml").read_text().replace("Cache test", "Renamed site"))


def delete_page(p: Path) -> None:
    edit_path(p)
    write(p, {"content/alpha/a5.md": None})


def rename_page(p: Path) -> None:
    text = (p / "content/alpha/a6.md").read_text()
    write(p, {"content/alpha/a6.md": None, "content/alpha/a-six.md": text})
    write(p, {"content/alpha/a5.md": (p / "content/alpha/a5.md").read_text().replace("next: a6", "next: a-six")})


def edit_asset(p: Path) -> None:
    (p / "content/alpha/pic.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><title>new</title></svg>\n")


EDITS: dict[str, Callable[[Path], None]] = {
    "body": edit_body,
    "title": edit_title,
    "prev/next": edit_path,
    "related": edit_related,
    "hub": edit_hub,
    "template": edit_template,
    "config": edit_config,
    "delete": delete_page,
    "rename": rename_page,
    "asset": edit_asset,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_after_each_kind_of_edit_a_cached_build_equals_a_cold_build(make_hub, tmp_path: Path, kind: str) -> None:
    project = make_hub(hub_files())
    first = session.build(project, jobs=1, cache=True)
    assert first.written == first.files > 0
    (project / "content/index.md").write_text("---\ntitle: Home\n---\nWelcome, reader.\n")
    session.build(project, jobs=1, cache=True)  # the first site is now kept as the spare
    EDITS[kind](project)
    again = session.build(project, jobs=1, cache=True)
    assert again.check.errors == 0, again.check.diagnostics
    assert 0 < again.written < again.files or kind in ("config", "template")
    assert snapshot(project / "site") == cold_build(project, tmp_path)
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")], "no staging folder left behind"


def test_a_no_op_build_renders_and_writes_nothing(make_hub) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    again = session.build(project, jobs=1, cache=True)
    assert again.written == 0 and again.files == len(before) - 1  # every file but hubgen's marker
    assert dict(again.stages)["render"] < 0.05
    assert {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()} == before


def test_a_deleted_output_file_is_restored_once_inputs_change(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    edit_body(project)
    session.build(project, jobs=1, cache=True)
    (project / "site/alpha/a1/index.html").unlink()  # tampering with the output...
    (project / "content/alpha/a2.md").write_text((project / "content/alpha/a2.md").read_text() + "\nOne more.\n")
    session.build(project, jobs=1, cache=True)  # ...is repaired by the next build that writes
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_output_is_byte_identical_whatever_jobs_is(make_hub, tmp_path: Path) -> None:
    articles = max(POOL_THRESHOLD, RENDER_POOL_THRESHOLD) + 10  # enough pages that both pools really run
    project = make_hub(hub_files(articles))
    one = session.build(project, output_dir=tmp_path / "one", jobs=1)
    two = session.build(project, output_dir=tmp_path / "two", jobs=2, cache=True)
    assert one.check.diagnostics == two.check.diagnostics
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    three = session.build(project, output_dir=tmp_path / "three", jobs=3, cache=True)  # from the cache
    assert three.check.diagnostics == one.check.diagnostics
    assert snapshot(tmp_path / "three") == snapshot(tmp_path / "one")


def test_a_corrupt_or_unwritable_cache_never_fails_a_build(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    cache = project / ".hubgen-cache"
    cache.mkdir()
    (cache / f"parse-v{SCHEMA}.sqlite").write_bytes(b"this is not a database")
    (cache / "site-state.json").write_text("{not json")
    result = session.build(project, jobs=1, cache=True)
    assert result.check.errors == 0
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_check_with_a_warm_cache_reports_the_same_diagnostics(make_hub) -> None:
    files = hub_files()
    files["content/alpha/a2.md"] += "\n[broken](nowhere.md)\n"
    project = make_hub(files)
    cold = session.check(project, jobs=1, cache=True)
    warm = session.check(project, jobs=1, cache=True)
    assert [d.code for d in cold.diagnostics] == ["broken-link"]
    assert warm.diagnostics == cold.diagnostics


def test_a_build_without_the_cache_is_never_mistaken_for_the_cached_one(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    page = project / "content/alpha/a2.md"
    original = page.read_text()
    page.write_text(original.replace("Text of 2", "EDITED text of 2"))
    session.build(project, jobs=1, cache=False)  # the cache's record of site/ is now out of date
    page.write_text(original)
    again = session.build(project, jobs=1, cache=True)
    assert again.written > 0
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_deleted_output_file_makes_a_no_op_build_write_again(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    (project / "site/alpha/a1/index.html").unlink()
    again = session.build(project, jobs=1, cache=True)
    assert again.written > 0
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_turning_search_off_leaves_no_search_index_behind(make_hub, tmp_path: Path) -> None:
    files = hub_files()
    files["hubgen.yaml"] = files["hubgen.yaml"].replace("search: false", "search: true")
    project = make_hub(files)
    session.build(project, jobs=1, cache=True)
    assert (project / "site/pagefind/pagefind.js").is_file()
    (project / "hubgen.yaml").write_text(files["hubgen.yaml"].replace("search: true", "search: false"))
    session.build(project, jobs=1, cache=True)
    edit_body(project)
    session.build(project, jobs=1, cache=True)  # stages into the spare, which held the index
    assert not (project / "site/pagefind").exists()
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_file_where_a_folder_now_goes_is_cleared_before_writing(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    write(project, {"content/alpha/notes": "an asset without an extension\n"})
    session.build(project, jobs=1, cache=True)
    edit_body(project)
    session.build(project, jobs=1, cache=True)  # the first site is now the spare, holding alpha/notes
    write(project, {"content/alpha/notes": None, "content/alpha/notes.md": "---\ntitle: Notes\nprev: a6\n---\nN.\n"})
    again = session.build(project, jobs=1, cache=True)  # stages into the spare: alpha/notes/index.html
    assert again.check.errors == 0, again.check.diagnostics
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_with_pools_an_edit_renders_from_the_cache_what_did_not_change(make_hub, tmp_path: Path) -> None:
    """The render workers make each page's cache key themselves and render only the misses."""
    project = make_hub(hub_files(RENDER_POOL_THRESHOLD + 10))
    session.build(project, jobs=2, cache=True)
    (project / "content/index.md").write_text("---\ntitle: Home\n---\nWelcome, reader.\n")
    session.build(project, jobs=2, cache=True)  # the first site is now kept as the spare
    before = rendered_keys(project)
    edit_body(project)
    again = session.build(project, jobs=2, cache=True)
    assert len(rendered_keys(project) - before) == 1, "one page rendered; the others came from the cache"
    assert again.written == 5, (
        "the edited page, its Markdown twin and llms-full.txt, and the home page and its twin (the spare is one "
        "build behind)"
    )
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def rendered_keys(project: Path) -> set[str]:
    cache = Cache(project / CACHE_DIR, "render")
    try:
        return cache.keys()
    finally:
        cache.close()


def test_progress_hears_every_stage_to_its_end(make_hub) -> None:
    files = hub_files(POOL_THRESHOLD + 10)
    files["hubgen.yaml"] = files["hubgen.yaml"].replace("search: false", "search: true")
    project = make_hub(files)
    heard: dict[str, list[tuple[int, int]]] = {}
    session.build(
        project, jobs=2, progress=lambda stage, done, total: heard.setdefault(stage, []).append((done, total))
    )
    assert list(heard) == ["parse", "render", "cards", "write", "search index"]
    pages = len(files) - 2  # hubgen.yaml and the picture are not pages
    assert heard["parse"] == [(n, pages) for n in range(1, pages + 1)]
    assert heard["render"][-1] == (pages, pages)
    assert heard["search index"] == [(0, 1), (1, 1)]
    assert all(done <= total for calls in heard.values() for done, total in calls)


def test_check_renders_no_body_and_finds_the_same_problems(make_hub, tmp_path: Path) -> None:
    files = hub_files()
    files["content/alpha/a2.md"] += (
        "\nSee [nothing](../alpha/a9.md) and [a1](a1.md#nowhere).\n\n```python\nx = 1\n```\n"
    )
    project = make_hub(files)
    facts = session.check(project, bodies=False)
    full = session.check(project)
    assert facts.diagnostics == full.diagnostics and {d.code for d in facts.diagnostics} >= {"broken-link"}
    assert facts.graph is not None and full.graph is not None
    assert all(page.body.html == "" for page in facts.graph.pages.values())
    assert '<span class="n">x</span>' in full.graph.pages["alpha/a2"].body.html  # highlighted, when asked for


def test_check_and_build_share_the_parse_cache_safely(make_hub, tmp_path: Path, monkeypatch) -> None:
    project = make_hub(hub_files())
    session.check(project, cache=True, bodies=False)  # facts-only records
    built = session.build(project, cache=True)  # needs bodies: parses again, not served empty HTML
    assert b"Text of 3 with" in (project / "site/alpha/a3/index.html").read_bytes()
    assert snapshot(project / "site") == cold_build(project, tmp_path)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a page the cache holds")

    monkeypatch.setattr("hubgen.core.load.parse_page", no_parse)
    again = session.check(project, cache=True, bodies=False)  # a full record serves a check too
    assert again.diagnostics == built.check.diagnostics


def test_every_edit_build_writes_only_what_changed(make_hub) -> None:
    """The previous site is kept as the spare after every build (not every other one), so each edit after
    the first writes only the edited page and the one edited the time before (the spare is one build old), here
    the same page: its HTML, its Markdown twin and llms-full.txt."""
    project = make_hub(hub_files())
    session.build(project, cache=True)
    written = []
    for n in range(4):
        text = (project / "content/alpha/a3.md").read_text()
        (project / "content/alpha/a3.md").write_text(text.replace("More", f"More {n}", 1))
        written.append(session.build(project, cache=True).written)
    assert written == [3, 3, 3, 3], written
    assert any(p.name.startswith("spare-") for p in (project / ".hubgen-cache").iterdir())


def test_the_first_edit_after_a_cold_build_links_what_did_not_change(make_hub, tmp_path: Path) -> None:
    """With no spare yet, the files of the live site that stay the same are hard-linked into the new one, not
    written again; the next builds, staged in the spare that shares them, replace a changed file by a new one,
    so the site being served never changes under a reader."""
    project = make_hub(hub_files())
    session.build(project, cache=True)
    kept = project / "site/alpha/a1/index.html"
    before = kept.read_bytes()
    edit_body(project)
    again = session.build(project, cache=True)
    assert again.written == 3, again.written  # the edited page, its Markdown twin, llms-full.txt
    assert kept.stat().st_nlink == 2  # shared with the spare (the site before)
    served = kept.open("rb")  # a reader holding the page while the next builds run
    for n in range(3):
        text = (project / "content/alpha/a1.md").read_text()
        (project / "content/alpha/a1.md").write_text(text + f"\nEdit {n}.\n")
        session.build(project, cache=True)
    assert served.read() == before
    served.close()
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_link_planted_in_the_live_site_is_not_linked_into_the_next(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    session.build(project, cache=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    page = project / "site/alpha/a2/index.html"
    page.unlink()
    page.symlink_to(secret)
    folder = project / "site/alpha/a3"
    shutil.rmtree(folder)
    folder.symlink_to(tmp_path)
    edit_body(project)
    session.build(project, cache=True)
    assert not page.is_symlink() and not folder.is_symlink()
    assert snapshot(project / "site") == cold_build(project, tmp_path / "cold")


# ------------------------------------------------------------------ pages' HTML stays in the cache until written


def cached_site(project: Path, jobs: int) -> tuple[Site, set[str]]:
    """The Site a cached build renders, and the output path of every content page."""
    held = session.Session(project, session.RunOptions(jobs=jobs, cache=True))
    result = held.check()
    assert result.graph is not None
    site = held.render()
    return site, {page_dir(p) + "index.html" for p in result.graph.pages}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cached_build_holds_no_pages_html_in_memory(make_hub, jobs: int) -> None:
    """Each page's HTML goes into the cache from the process that rendered it; the Site only names it."""
    project = make_hub(hub_files(RENDER_POOL_THRESHOLD + 10))
    site, pages = cached_site(project, jobs)
    assert set(site.stored) == pages
    assert not pages & set(site.files), "only generated pages (tags, 404) and the sitemap are held"
    again, _ = cached_site(project, jobs)
    assert again.stored == site.stored, "the second time, every page comes from the cache, unrendered"


def test_when_the_cache_cannot_store_a_page_its_html_is_kept(make_hub, tmp_path: Path, monkeypatch) -> None:
    project = make_hub(hub_files())
    monkeypatch.setattr(Cache, "put_many", lambda self, items: False)
    site, pages = cached_site(project, 1)
    assert pages <= set(site.files) and not site.stored
    session.build(project, jobs=1, cache=True)
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_page_gone_from_the_cache_before_it_is_written_fails_the_build_cleanly(make_hub) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    before = snapshot(project / "site")
    edit_body(project)
    site, _ = cached_site(project, 1)
    with sqlite3.connect(next((project / CACHE_DIR).glob("parse-v*.sqlite"))) as db:
        db.execute("DELETE FROM render")  # another run cleared the cache in between
    with pytest.raises(OutputError, match="build again"):
        write_site(site, project / "site", state_dir=project / CACHE_DIR)
    assert snapshot(project / "site") == before, "the previous site is still whole"
    assert sorted(p.name for p in project.iterdir()) == [".hubgen-cache", "content", "hubgen.yaml", "site"]


# ------------------------------------------------------------- an edit build makes only the views that can change


def views(result: session.BuildResult) -> list[str]:
    """The pages whose view (and render key) a build made: the others were proven unchanged."""
    graph = result.check.graph
    assert graph is not None
    return [item for item in result.viewed if item in graph.pages]


def test_a_body_edit_makes_only_the_edited_pages_view(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    result = session.build(project, jobs=1, cache=True)
    assert len(views(result)) == 10, "every page's view, the first time"
    edit_body(project)
    result = session.build(project, jobs=1, cache=True)
    assert views(result) == ["alpha/a3"]
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_title_edit_makes_the_views_of_the_pages_that_show_it(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    edit_title(project)
    made = views(session.build(project, jobs=1, cache=True))
    assert "alpha/a3" in made and "alpha" in made and "beta/b1" in made, "the page, its hub, a backlink"
    assert "beta" not in made, "Beta's hub does not show A 3"
    assert len(made) == 9
    assert snapshot(project / "site") == cold_build(project, tmp_path)


@pytest.mark.parametrize("kind", ["prev/next", "related", "hub", "template", "config", "delete", "rename"])
def test_a_change_to_the_graph_or_the_theme_makes_every_view(make_hub, tmp_path: Path, kind: str) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    EDITS[kind](project)
    result = session.build(project, jobs=1, cache=True)
    assert result.check.errors == 0
    assert len(views(result)) >= 9, "every page's view (a deleted page has none)"
    assert snapshot(project / "site") == cold_build(project, tmp_path)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps((99, "", "", [], []))])
def test_a_damaged_or_foreign_memo_means_every_view(make_hub, tmp_path: Path, damage: bytes) -> None:
    project = make_hub(hub_files())
    session.build(project, jobs=1, cache=True)
    (project / CACHE_DIR / MEMO_FILE).write_bytes(damage)
    edit_body(project)
    result = session.build(project, jobs=1, cache=True)
    assert len(views(result)) == 10
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_render_workers_note_what_each_view_looked_up(make_hub, tmp_path: Path) -> None:
    project = make_hub(hub_files(RENDER_POOL_THRESHOLD + 10))
    session.build(project, jobs=2, cache=True)
    memo, _ = RenderMemo.read(project / CACHE_DIR)
    assert memo is not None and len(memo.pages) == RENDER_POOL_THRESHOLD + 14
    ids = list(memo.pages)
    assert {ids[n] for n in memo.pages["alpha/a3"].looked_up} >= {"alpha/a2", "alpha/a4", "beta/b1"}
    edit_title(project)
    session.build(project, jobs=2, cache=True)
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_an_edit_to_a_pages_common_questions_makes_only_its_view(make_hub, tmp_path: Path) -> None:
    files = hub_files()
    files["content/alpha/a3.md"] += "\n## Common questions\n\n### Why?\n\nBecause.\n"
    project = make_hub(files)
    session.build(project, jobs=1, cache=True)
    write(project, {"content/alpha/a3.md": files["content/alpha/a3.md"].replace("Because.", "Because of it.")})
    result = session.build(project, jobs=1, cache=True)
    assert views(result) == ["alpha/a3"]
    assert b"Because of it." in (project / "site/alpha/a3/index.html").read_bytes()
    assert snapshot(project / "site") == cold_build(project, tmp_path)
