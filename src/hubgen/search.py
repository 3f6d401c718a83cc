"""Full-text search: Pagefind (PyPI `pagefind[bin]`) indexes the built HTML, as Astro Starlight does.

It runs over the staging folder before the swap, so a site and its index always arrive together. Pages
mark what is indexed (`data-pagefind-body`) and the hub they belong to (`data-pagefind-meta`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INDEX_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind is missing or failed."""


def index_site(folder: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-subdir", INDEX_DIR, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"search indexing failed: {error}") from None
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {done.returncode}"
        hint = " (install it with: pip install 'pagefind[bin]', or set search: false)" if "No module" in reason else ""
        raise SearchIndexError(f"search indexing with Pagefind failed: {reason}{hint}")
