"""benchmarks/search_latency.py: the first search query's answer time, in a real Chromium on a real built hub."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from browsing import chromium_path
from hubgen import session

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = str(REPO / "benchmarks")
if BENCHMARKS not in sys.path:
    sys.path.append(BENCHMARKS)  # last: the benchmark's modules never shadow anything else

import search_latency  # noqa: E402

PAUSE_MS = 120  # the theme waits this long after the last keystroke before it searches


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("latency")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "hubgen.yaml", root / "hubgen.yaml")
    result = session.build(root, output_dir=root / "site")
    assert result.check.errors == 0
    return root / "site"


def test_each_run_times_a_real_answer_in_a_new_browser(site: Path) -> None:
    figures = search_latency.first_query_ms(site, "embeddings", 2, chromium=chromium_path())
    assert len(figures) == 2
    assert all(PAUSE_MS < ms < 30_000 for ms in figures), figures  # never before the theme's typing pause


def test_a_query_that_finds_nothing_has_no_figure(site: Path) -> None:
    with pytest.raises(SystemExit, match="found nothing"):
        search_latency.first_query_ms(site, "zqxjkvw", 1, chromium=chromium_path())


def test_a_site_without_a_search_index_has_no_figure(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    with pytest.raises(SystemExit, match="no search index"):
        search_latency.first_query_ms(tmp_path, "x", 1)
