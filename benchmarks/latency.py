"""The latencies a reader or an author feels, for bench.py: `hubgen serve`'s save -> reload after an edit, and a
browser's first search query on a built site. Each returns milliseconds, one figure per try.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from targets import SERVE_PARAGRAPH, SERVE_TITLE, search_measure

HERE = Path(__file__).resolve().parent
SERVE_MEASURES = {"paragraph": SERVE_PARAGRAPH, "title": SERVE_TITLE}


def serve_edits(articles: int, edits: int, code: Path | None) -> dict[str, list[float]]:
    """Run bench_serve.py in a process of its own (a corpus of `articles`, `edits` paragraph edits then
    `edits` title edits on one server, hubgen imported from `code`); each measure's save -> reload latencies."""
    command = [sys.executable, str(HERE / "bench_serve.py"), "--articles", str(articles), "--edits", str(edits)]
    command += ["--kind", "both", "--json", *(["--code", str(code)] if code else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode:
        raise RuntimeError(f"bench_serve.py at {articles} articles exited {done.returncode}:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {SERVE_MEASURES[kind]: found["latencies_ms"] for kind, found in figures["kinds"].items()}


def browser_search(site: Path, query: str, runs: int) -> tuple[str, list[float]] | str:
    """(measure, first-query milliseconds per run) from search_latency.first_query_ms, or why it could not run:
    the module (Playwright + Chromium) is optional, imported only when asked for."""
    try:
        module = importlib.import_module("search_latency")
    except ImportError as error:
        return f"browser search latency not measured: benchmarks/search_latency.py could not be imported ({error})"
    return search_measure(query), [float(ms) for ms in module.first_query_ms(site, query, runs)]
