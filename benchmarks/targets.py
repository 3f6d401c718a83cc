"""Issue 22's targets, read off one benchmark run: a table with one line per size and one column per target,
each cell the figure and whether it meets the target.

Every ratio divides two medians of the same run at the same size. A target set for one size (one edit at
10,000 articles, time per article and memory at 100,000) shows its figure at every size measured and its
mark only at that size; the others are marked wherever both figures were measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from measure import Results

# The names of the operations and latencies measured (the rows of bench.py's tables).
COLD = "hubgen build (cold)"
NOOP = "hubgen build (no-op)"
NEXT_EDIT = "hubgen build (next edit)"
COLD_NO_SEARCH = "hubgen build (cold, no search)"
CHECK = "hubgen check"
FLOOR_LOOP = "floor: bare Python loop"
FLOOR_SEARCH = "floor: Pagefind alone"
MKDOCS = "mkdocs build (cold)"
HUGO = "hugo build (cold)"
PAGEFIND_OVER_HUGO = "pagefind over hugo"
HUGO_PAGEFIND = "hugo + pagefind (cold)"
SERVE_PARAGRAPH = "serve: paragraph edit"
SERVE_TITLE = "serve: title edit"
BROWSER_SEARCH = "browser: first search query"
BASE_SIZE = 10_000  # time per article is compared with this size's


@dataclass(frozen=True)
class Target:
    header: str  # the column's title, with the limit
    meaning: str  # one line under the table
    limit: float
    figure: Callable[[Results, int], float | None]
    unit: str = ""  # printed after the figure: "x", " s", " ms", " GB"
    digits: int = 2
    at: int | None = None  # the size the target is set for; None: every size

    def cell(self, results: Results, size: int) -> str:
        value = self.figure(results, size)
        if value is None:
            return "-"
        shown = f"{value:.{self.digits}f}{self.unit}"
        if self.at is not None and size != self.at:
            return shown
        return f"{shown} {'✓' if value <= self.limit else '✗'}"


def ratio(top: str, bottom: str) -> Callable[[Results, int], float | None]:
    def figure(results: Results, size: int) -> float | None:
        a, b = results.median(size, top), results.median(size, bottom)
        return a / b if a is not None and b else None

    return figure


def seconds(operation: str) -> Callable[[Results, int], float | None]:
    return lambda results, size: results.median(size, operation)


def p95(measure: str) -> Callable[[Results, int], float | None]:
    return lambda results, size: results.latency(size, measure, 95)


def median_ms(measure: str) -> Callable[[Results, int], float | None]:
    return lambda results, size: results.latency(size, measure, 50)


def search_measure(query: str) -> str:
    """The latency measure of the first search for `query`."""
    return f"{BROWSER_SEARCH} {query!r}"


def slowest_search_ms(results: Results, size: int) -> float | None:
    """The slowest median among the first-search measures at `size`: the target holds for every query."""
    medians = [
        results.latency(size, measure, 50)
        for (at, measure) in results.latencies_ms
        if at == size and measure.startswith(BROWSER_SEARCH)
    ]
    return max((m for m in medians if m is not None), default=None)


def per_article_vs_base(results: Results, size: int) -> float | None:
    """The cold build's time per article at `size` over that at 10,000 articles (when both were measured)."""
    here, base = results.median(size, COLD), results.median(BASE_SIZE, COLD)
    return (here / size) / (base / BASE_SIZE) if here is not None and base else None


def hubgen_peak_gb(results: Results, size: int) -> float | None:
    """The largest all-processes peak of any hubgen command at `size` (workers and Pagefind counted)."""
    peaks = [
        max(s.tree_mb for s in found) for (n, op), found in results.samples.items() if n == size and "hubgen" in op
    ]
    return max(peaks) / 1024 if peaks else None


TARGETS = (
    Target(
        "search / (Hugo + Pagefind) ≤ 0.8",
        f"'{COLD}' over '{HUGO_PAGEFIND}' (Hugo's cold build, then Pagefind over its output): both sites searchable",
        0.8,
        ratio(COLD, HUGO_PAGEFIND),
        "x",
    ),
    Target("no search / Hugo ≤ 1.0", f"'{COLD_NO_SEARCH}' over '{HUGO}'", 1.0, ratio(COLD_NO_SEARCH, HUGO), "x"),
    Target(
        "no search / floor ≤ 1.4",
        f"'{COLD_NO_SEARCH}' over '{FLOOR_LOOP}'",
        1.4,
        ratio(COLD_NO_SEARCH, FLOOR_LOOP),
        "x",
    ),
    Target("check / cold ≤ 0.25", f"'{CHECK}' (no cache) over '{COLD}'", 0.25, ratio(CHECK, COLD), "x"),
    Target("no-op / cold ≤ 0.10", f"'{NOOP}' over '{COLD}'", 0.10, ratio(NOOP, COLD), "x"),
    Target(
        "next edit ≤ 3 s at 10k",
        f"'{NEXT_EDIT}' in seconds (one article edited, the previous site kept)",
        3.0,
        seconds(NEXT_EDIT),
        " s",
        at=BASE_SIZE,
    ),
    Target(
        "per article vs 10k ≤ 1.2 at 100k",
        f"'{COLD}' seconds per article over the same at {BASE_SIZE:,} articles (needs {BASE_SIZE:,} in the run)",
        1.2,
        per_article_vs_base,
        "x",
        at=100_000,
    ),
    Target(
        "all processes ≤ 3 GB at 100k",
        "the largest all-processes memory peak of any hubgen command (workers and Pagefind included)",
        3.0,
        hubgen_peak_gb,
        " GB",
        at=100_000,
    ),
    Target(
        "serve paragraph p95 ≤ 100 ms at 10k",
        "hubgen serve: save -> reload event after a paragraph edit, 95th percentile (--serve)",
        100,
        p95(SERVE_PARAGRAPH),
        " ms",
        0,
        at=BASE_SIZE,
    ),
    Target(
        "serve title p95 ≤ 300 ms at 10k",
        "hubgen serve: save -> reload event after a title edit, 95th percentile (--serve)",
        300,
        p95(SERVE_TITLE),
        " ms",
        0,
        at=BASE_SIZE,
    ),
    Target(
        "first search ≤ 500 ms at 100k",
        "Chromium, cold browser cache: the first query's answer on hubgen's site, median of the runs, "
        "the slowest of the queries (--search-latency)",
        500,
        slowest_search_ms,
        " ms",
        0,
        at=100_000,
    ),
)


def targets_table(results: Results, sizes: list[int], targets: tuple[Target, ...] = TARGETS) -> str:
    """The Markdown table: one line per size, one column per target (columns nothing filled are left out),
    then what each column means."""
    shown = [t for t in targets if any(t.figure(results, size) is not None for size in sizes)]
    if not shown:
        return "(no target could be computed from this run)"
    lines = [
        "| articles | " + " | ".join(t.header for t in shown) + " |",
        "|---:|" + "---:|" * len(shown),
    ]
    lines += [f"| {size} | " + " | ".join(t.cell(results, size) for t in shown) + " |" for size in sizes]
    lines += ["", *(f"- {t.header}: {t.meaning}." for t in shown)]
    lines.append("- ✓ met, ✗ missed; a target set for one size is marked only at that size; medians of this run.")
    return "\n".join(lines)
