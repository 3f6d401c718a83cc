"""Reading progress on a long learning path, whose pages list only a window of its steps, in a real Chromium:
"You have read N of M" still counts over the whole path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browsing import launched_chromium, serving
from helpers import write_files
from hubgen import session

pytestmark = pytest.mark.browser

STEPS = 30
BASE = {
    "hubgen.yaml": "title: T\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/h/index.md": "---\ntitle: Hub\ntype: hub\n---\nThe hub.\n",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("longpath")
    files: dict[str, str | bytes | None] = dict(BASE)
    for i in range(STEPS):
        nxt = f"next: s{i + 1:02d}\n" if i < STEPS - 1 else ""
        files[f"content/h/s{i:02d}.md"] = f"---\ntitle: Step {i + 1}\nhub: h\n{nxt}---\nBody.\n"
    project = write_files(root / "project", files)
    site = root / "www"
    assert session.build(project, output_dir=site).files
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


def test_progress_counts_the_steps_read_outside_the_window(served: str, browser: object, tmp_path: Path) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        for step in (1, 15, 16, 29):  # 1 and 29 are never in each other's window, nor 15 in either
            tab.goto(f"{served}h/s{step - 1:02d}/")
        progress = tab.locator(".path-block [data-progress-text]")
        assert progress.inner_text() == f"You have read 4 of {STEPS}"
        listed = ".path-block [data-progress-list] li.is-read"
        read = tab.locator(f"{listed} [aria-current], {listed} a")
        assert read.all_inner_texts() == ["Step 1", "Step 29"]  # the window's read steps are ticked
        tab.goto(f"{served}h/s02/")  # step 3: sees 1 (listed), 15, 16 and 29 (not listed)
        assert progress.inner_text() == f"You have read 5 of {STEPS}"
        tab.locator(".path-block [data-progress-reset]").click()
        assert progress.inner_text() == f"You have read 0 of {STEPS}"
        tab.locator(".path-block p.path-all a").click()
        assert tab.url == f"{served}h/#learning-path"
        assert tab.locator("#learning-path ol.steps li").count() == STEPS
    finally:
        context.close()
