"""The search index in parts: which page goes where, and that an incremental build re-indexes only the
parts whose pages changed yet ends with exactly the index a cold build makes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from hubgen import session
from hubgen.base.cache import CACHE_DIR
from hubgen.build import search
from hubgen.build.search import INDEX_DIR, PARTS_FILE, split_pages
from test_incremental_build import cold_build, edit_body, hub_files, snapshot


def pages(count: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{n}/index.html" for n in range(count)]


def test_a_small_site_has_one_index_part() -> None:
    assert split_pages(pages(search.PART_SIZE)) == [pages(search.PART_SIZE)]
    assert split_pages([]) == [[]]


@pytest.mark.parametrize("count", [search.PART_SIZE + 1, 3 * search.PART_SIZE, 10_000])
def test_a_large_site_splits_into_a_power_of_two_parts_holding_each_page_once(count: int) -> None:
    parts = split_pages(pages(count))
    assert len(parts) & (len(parts) - 1) == 0, "a power of two"
    assert len(parts) * search.PART_SIZE >= count > len(parts) // 2 * search.PART_SIZE, "as few as will do"
    assert sorted(p for part in parts for p in part) == sorted(pages(count))
    assert max(len(part) for part in parts) < 1.25 * count / len(parts), "the hash spreads pages evenly"


def test_a_page_stays_in_its_part_while_the_site_grows_within_the_same_count() -> None:
    before = split_pages(pages(3 * search.PART_SIZE))
    after = split_pages(pages(3 * search.PART_SIZE) + pages(search.PART_SIZE // 2, prefix="new"))
    assert len(before) == len(after) == 4
    for old, new in zip(before, after, strict=True):
        assert set(old) <= set(new)


@pytest.fixture
def parted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Index parts of two pages each."""
    monkeypatch.setattr(search, "PART_SIZE", 2)


def indexed_urls(site: Path) -> list[str]:
    """The URL of each page the site's search index holds, once for each part that holds it: what Pagefind
    wrote in the page's fragment (gzipped JSON after a `pagefind_dcd` signature)."""
    urls = []
    for fragment in (site / INDEX_DIR).rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data.removeprefix(b"pagefind_dcd"))["url"])
    return sorted(urls)


def url_of(page: str) -> str:
    """A page's URL from the site root: alpha/a1/index.html -> /alpha/a1/."""
    return "/" + page.removesuffix("index.html")


def parts_listed(site: Path) -> list[str]:
    """The parts beside the first that the browser is told to merge."""
    return json.loads((site / INDEX_DIR / PARTS_FILE).read_text())["parts"]


def cached_indexes(project: Path) -> dict[str, dict[str, tuple[int, int]]]:
    """Each part's index kept in the build cache (one Pagefind run made each): its files, by inode and
    modification time, which stay the same for as long as the index is not made again."""
    found = {}
    for bundle in (project / CACHE_DIR / search.SEARCH_CACHE).iterdir():
        if bundle.is_dir():
            files = (p for p in bundle.rglob("*") if p.is_file())
            found[bundle.name] = {
                p.relative_to(bundle).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in files
            }
    return found


def searchable_hub() -> dict[str, str]:
    files = hub_files()
    files["hubgen.yaml"] = files["hubgen.yaml"].replace("search: false", "search: true")
    return files


def test_each_part_is_indexed_once_and_listed_for_the_browser(make_hub, parted: None) -> None:
    project = make_hub(searchable_hub())
    session.build(project, jobs=1, cache=True)
    site = project / "site"
    listing = parts_listed(site)
    assert len(listing) + 1 == len(cached_indexes(project)) >= 4
    assert (site / INDEX_DIR / "pagefind.js").is_file()
    for part in listing:
        assert (site / INDEX_DIR / part / "pagefind-entry.json").is_file()
    marked = sorted(
        url_of(p.relative_to(site).as_posix()) for p in site.rglob("*.html") if search.BODY_MARK in p.read_bytes()
    )
    indexed = indexed_urls(site)
    assert indexed == marked, "each page Pagefind would index, once; not the pages it would skip"
    assert "/alpha/a1/" in indexed and "/tags/shared/" not in indexed


def test_an_edit_reindexes_only_its_part_and_matches_a_cold_build(make_hub, parted: None, tmp_path: Path) -> None:
    project = make_hub(searchable_hub())
    session.build(project, jobs=1, cache=True)
    before = cached_indexes(project)
    edit_body(project)
    session.build(project, jobs=1, cache=True)
    after = cached_indexes(project)
    assert len(after.keys() - before.keys()) == 1, "only the edited page's part was indexed again"
    assert len(before.keys() - after.keys()) == 1, "the part's old index was dropped from the cache"
    assert all(after[part] == before[part] for part in after.keys() & before.keys()), "the others were not made again"
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_a_tool_rewriting_the_sites_index_in_place_does_not_spoil_the_cache(
    make_hub, parted: None, tmp_path: Path
) -> None:
    project = make_hub(searchable_hub())
    session.build(project, jobs=1, cache=True)
    entry = project / "site" / INDEX_DIR / "pagefind-entry.json"
    with entry.open("r+b") as rewritten:  # the same file (the site's index files are linked to the cache's)
        rewritten.write(b"spoiled")
    (project / "content/alpha/a1.md").write_text((project / "content/alpha/a1.md").read_text() + "\nMore.\n")
    session.build(project, jobs=1, cache=True)
    assert snapshot(project / "site") == cold_build(project, tmp_path)


def test_without_a_cache_no_index_work_is_left_beside_the_site(make_hub, parted: None) -> None:
    project = make_hub(searchable_hub())
    session.build(project, jobs=1, cache=False)
    assert sorted(p.name for p in project.iterdir()) == ["content", "hubgen.yaml", "site"]
    assert len(parts_listed(project / "site")) + 1 >= 4


def test_pages_are_picked_by_pagefinds_own_rule(tmp_path: Path) -> None:
    """Only pages marked data-pagefind-body when any is (a part on its own would index every page of its
    own otherwise); every page when a project's templates mark none. Marks are remembered by digest."""
    site, memo = tmp_path / "site", tmp_path / "marks.json"
    site.mkdir()
    (site / "a.html").write_text("<main data-pagefind-body>A</main>")
    (site / "b.html").write_text("<main>B</main>")
    digests = {"a.html": "a1", "b.html": "b1"}
    assert search._indexed_pages(site, ["a.html", "b.html"], digests, memo) == ["a.html"]
    (site / "a.html").write_text("<main>A</main>")
    assert search._indexed_pages(site, ["a.html", "b.html"], digests, memo) == ["a.html"], "the digest is the same"
    digests["a.html"] = "a2"
    assert search._indexed_pages(site, ["a.html", "b.html"], digests, memo) == ["a.html", "b.html"]
    assert json.loads(memo.read_text()) == {"a2": False, "b1": False}


def test_pages_whose_paths_look_like_glob_syntax_are_indexed_too(make_hub, parted: None) -> None:
    files = searchable_hub()
    files["content/alpha/c{1,2}[x].md"] = "---\ntitle: Odd name\n---\nZebracorn appears here only.\n"
    project = make_hub(files)
    result = session.build(project, jobs=1, cache=True)
    assert result.check.errors == 0, result.check.diagnostics
    odd = [p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("index.html") if "{" in str(p)]
    assert odd and indexed_urls(project / "site").count(url_of(odd[0])) == 1


def test_an_edit_build_keeps_the_spare_sites_index_links_and_ends_as_a_cold_build(
    make_hub, parted: None, tmp_path: Path
) -> None:
    """A build stages into the site before last, whose index files mostly link the right cached parts
    already: those stay as they are, not unlinked and linked again; what no longer belongs goes, also when
    the number of parts changes."""
    project = make_hub(searchable_hub())
    page = project / "content/alpha/a1.md"
    for n in range(3):  # from the third build on, the spare holds an index
        page.write_text(page.read_text() + f"\nEdit {n}.\n")
        session.build(project, jobs=1, cache=True)
    bundles = project / CACHE_DIR / search.SEARCH_CACHE

    def links() -> dict[Path, tuple[int, int]]:  # each cached index file: its link count and change time
        return {p: (p.stat().st_nlink, p.stat().st_ctime_ns) for p in bundles.glob("*/**/*") if p.is_file()}

    before = links()
    page.write_text(page.read_text() + "\nOne more.\n")
    session.build(project, jobs=1, cache=True)
    after = links()
    unchanged = before.keys() & after.keys()
    assert unchanged and all(after[p] == before[p] for p in unchanged), "an unchanged part's files were relinked"
    assert snapshot(project / "site") == cold_build(project, tmp_path)
    parts = len(json.loads((project / "site" / INDEX_DIR / PARTS_FILE).read_text())["parts"])
    make_hub({f"content/beta/new{n}.md": f"---\ntitle: New {n}\n---\nNew page {n}.\n" for n in range(8)})
    session.build(project, jobs=1, cache=True)
    assert len(json.loads((project / "site" / INDEX_DIR / PARTS_FILE).read_text())["parts"]) > parts
    assert snapshot(project / "site") == cold_build(project, tmp_path)
