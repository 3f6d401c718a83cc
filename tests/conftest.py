"""Shared fixtures: build real hub projects from files in a temporary folder."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

# tests/ on sys.path so test modules can `from helpers import ...` whatever the import mode.
_TESTS = str(Path(__file__).parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from helpers import write_files  # noqa: E402

MakeHub = Callable[..., Path]


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    """Each test leaves the garbage collector as it found it: `hubgen` commands tune its thresholds and
    `serve` freezes the site it built, which must not follow the test worker into the next test."""
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    yield
    if gc.get_freeze_count() and not frozen:
        gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.fixture
def make_hub(tmp_path: Path) -> MakeHub:
    """make_hub({"content/index.md": "...", "hubgen.yaml": "..."}, name="hub") writes the files under
    tmp_path/name and returns the project folder.

    str values are dedented (textwrap.dedent) and stripped of leading newlines; bytes values are written
    as-is. Calling it again with the same name adds/overwrites files in the same project; a value of None
    deletes that file.
    """

    def make(files: Mapping[str, str | bytes | None], name: str = "hub") -> Path:
        return write_files(tmp_path / name, files)

    return make
