"""bench.py's report: the table of timings (medians, ratios to the peers, memory), the latencies, issue 22's
targets, and what each figure means."""

from __future__ import annotations

import statistics

from measure import Results, percentile
from targets import (
    BROWSER_SEARCH,
    COLD,
    COLD_NO_SEARCH,
    FLOOR_LOOP,
    FLOOR_SEARCH,
    HUGO,
    HUGO_PAGEFIND,
    MKDOCS,
    PAGEFIND_OVER_HUGO,
    SERVE_PARAGRAPH,
    SERVE_TITLE,
    targets_table,
)

OPERATIONS = (  # the rows of the table, in this order
    COLD,
    "hubgen build (no-op)",
    "hubgen build (1 edit)",
    "hubgen build (next edit)",
    COLD_NO_SEARCH,
    "hubgen build (cold, no search, no cards)",
    "hubgen build (cold, no search, no llms)",
    "hubgen check",
    "hubgen check (warm)",
    FLOOR_LOOP,
    FLOOR_SEARCH,
    MKDOCS,
    HUGO,
    PAGEFIND_OVER_HUGO,
    HUGO_PAGEFIND,
)
LATENCIES = (SERVE_PARAGRAPH, SERVE_TITLE, BROWSER_SEARCH)


def _fmt_ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value is not None and base else "-"


def table(results: Results, sizes: list[int]) -> str:
    lines = [
        "| articles | tool / operation | median s | runs | vs Hugo | vs Hugo + Pagefind | vs MkDocs "
        "| peak RSS MB | all processes MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        hugo = results.median(size, HUGO)
        hugo_pagefind = results.median(size, HUGO_PAGEFIND)
        mkdocs = results.median(size, MKDOCS)
        for operation in OPERATIONS:
            samples = results.samples.get((size, operation))
            if not samples:
                continue
            median = statistics.median(s.seconds for s in samples)
            rss = max(s.max_rss_mb for s in samples)
            tree = max(s.tree_mb for s in samples)
            lines.append(
                f"| {size} | {operation} | {median:.2f} | {len(samples)} | {_fmt_ratio(median, hugo)} "
                f"| {_fmt_ratio(median, hugo_pagefind)} | {_fmt_ratio(median, mkdocs)} | {rss:.0f} | {tree:.0f} |"
            )
    return "\n".join(lines)


def latency_table(results: Results, sizes: list[int]) -> str:
    """Milliseconds: p50 and p95 (nearest rank) of each latency measured, with how many tries."""
    lines = ["| articles | measure | p50 ms | p95 ms | max ms | tries |", "|---:|---|---:|---:|---:|---:|"]
    for size in sizes:
        names = sorted(
            (name for at, name in results.latencies_ms if at == size),
            key=lambda name: (next((i for i, m in enumerate(LATENCIES) if name.startswith(m)), len(LATENCIES)), name),
        )
        for name in names:
            found = results.latencies_ms.get((size, name))
            if found:
                lines.append(
                    f"| {size} | {name} | {percentile(found, 50):.0f} | {percentile(found, 95):.0f} "
                    f"| {max(found):.0f} | {len(found)} |"
                )
    return "\n".join(lines) if len(lines) > 2 else ""


def report(results: Results, sizes: list[int], header: list[str], elapsed: float) -> str:
    """results.md: `header` (the machine, the versions, the command), the tables, then the notes."""
    notes = [
        "Wall-clock medians; each command is a separate process (interpreter start-up included).",
        "Runs alternate: the order of the tool groups rotates every run; the hubgen builds always run as "
        "cold -> no-op -> 1 edit -> next edit. '1 edit' is the first build after the cold one, which has no "
        "previous site to update and writes every file; 'next edit' updates the previous site in place.",
        "'cold, no search' builds the same corpus with search: false (no Pagefind index), like the peers' sites; "
        "'no cards' and 'no llms' also turn social_cards or llms off: the difference is what that output costs "
        "(benchmarks/features.py measures it in CPU seconds, which a busy machine disturbs less).",
        "'check' runs with no cache; 'check (warm)' right after it.",
        "The floors are what no generator built like hubgen can go under. 'bare Python loop' is "
        "benchmarks/floor.py: the issue's markdown-it-py + Pygments + one-line Jinja loop over the same files, "
        "in as many processes as hubgen uses, with no graph, validation, theme, search or cache. 'Pagefind "
        "alone' indexes hubgen's finished site (after the edits) in one Pagefind run, as a cold build must.",
        "'pagefind over hugo' runs Pagefind (the same Python package hubgen uses) over Hugo's output right after "
        "Hugo's cold build; 'hugo + pagefind (cold)' is the sum of the two in the same run (memory: the larger), "
        "the peer of 'hubgen build (cold)', which builds its search index too. Hugo's layouts mark the title, "
        "summary and text of articles and hubs for Pagefind, as hubgen's theme does.",
        "Peak RSS: the largest single process (ru_maxrss via os.wait4). All processes: the peak of the summed PSS "
        "of the command and every descendant (parse and render workers, Pagefind), sampled every 50 ms.",
        "The machine is shared (other jobs run concurrently), so timings are noisy: compare medians and ratios, "
        "not single runs.",
        "Hugo is multi-threaded and uses every core; hubgen uses --jobs (default: every core) processes; MkDocs one.",
        "Hugo builds its default extras too (RSS, sitemap, tags/categories taxonomy pages); "
        "MkDocs builds its default theme with the search index.",
        *results.notes,
        f"Total benchmark time: {elapsed / 60:.1f} min.",
    ]
    latencies = latency_table(results, sizes)
    return "\n".join(
        [
            "# hubgen benchmark results",
            "",
            *header,
            "",
            table(results, sizes),
            "",
            *(
                [
                    "## Latencies",
                    "",
                    "`hubgen serve`: save -> reload event (bench_serve.py); browser: the first search query's "
                    "answer in Chromium from a cold browser cache (search_latency.py).",
                    "",
                    latencies,
                    "",
                ]
                if latencies
                else []
            ),
            "## Targets (issue 22)",
            "",
            targets_table(results, sizes),
            "",
            "## Notes",
            "",
            *[f"- {note}" for note in notes],
            "",
        ]
    )
