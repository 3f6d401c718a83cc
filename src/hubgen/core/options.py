"""What one run is asked to do: the options every stage reads its part of."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hubgen.base.progress import Progress, silent


@dataclass(frozen=True)
class RunOptions:
    """How one run goes. None of these changes what is found or written, but `drafts` and `strict`."""

    drafts: bool = False  # drafts are published
    jobs: int = 1  # processes that parse and render
    cache: bool = False  # keep parse and render results in .hubgen-cache/ (or in `cache_dir`)
    cache_dir: Path | None = None  # another tree of the same project shares its cache (pull-request mode)
    progress: Progress = silent  # hears how parsing and rendering go
    external: bool = False  # also check http(s) links over the network
    bodies: bool = True  # False: no page body is rendered to HTML (all `check` needs)
    strict: bool = False  # warnings are errors: `build` writes nothing when there are any
