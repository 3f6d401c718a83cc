"""benchmarks/targets.py: issue 22's targets read off a benchmark run (ratios of medians, marks, percentiles)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = str(Path(__file__).resolve().parents[1] / "benchmarks")
if BENCHMARKS not in sys.path:
    sys.path.append(BENCHMARKS)  # last: the benchmark's modules never shadow anything else

from measure import Results, Sample, percentile  # noqa: E402
from targets import (  # noqa: E402
    COLD,
    COLD_NO_SEARCH,
    FLOOR_LOOP,
    HUGO,
    HUGO_PAGEFIND,
    NEXT_EDIT,
    SERVE_PARAGRAPH,
    search_measure,
    targets_table,
)


def run_of(figures: dict[tuple[int, str], list[float]], tree_mb: float = 500.0) -> Results:
    results = Results()
    for (size, operation), seconds in figures.items():
        for value in seconds:
            results.add(size, operation, Sample(value, 100.0, tree_mb))
    return results


def row(table: str, size: int) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(f"| {size} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def header(table: str) -> list[str]:
    return [cell.strip() for cell in table.splitlines()[0].strip("|").split("|")]


def test_ratios_are_of_medians_and_marked_met_or_missed() -> None:
    results = run_of(
        {
            (1000, COLD): [4.0, 6.0, 100.0],  # median 6
            (1000, HUGO_PAGEFIND): [10.0],
            (1000, COLD_NO_SEARCH): [3.0],
            (1000, HUGO): [2.0],
            (1000, FLOOR_LOOP): [2.5],
        }
    )
    table = targets_table(results, [1000])
    cells = dict(zip(header(table), row(table, 1000), strict=True))
    assert cells["search / (Hugo + Pagefind) ≤ 0.8"] == "0.60x ✓"
    assert cells["no search / Hugo ≤ 1.0"] == "1.50x ✗"
    assert cells["no search / floor ≤ 1.4"] == "1.20x ✓"
    assert "check / cold ≤ 0.25" not in cells  # nothing to compute it from: the column is left out


def test_a_target_set_for_one_size_is_marked_only_there() -> None:
    results = run_of(
        {(1000, NEXT_EDIT): [0.5], (10_000, NEXT_EDIT): [3.5], (10_000, COLD): [60.0], (100_000, COLD): [660.0]},
        tree_mb=2048.0,
    )
    table = targets_table(results, [1000, 10_000, 100_000])
    columns = header(table)
    edit, per_article = columns.index("next edit ≤ 3 s at 10k"), columns.index("per article vs 10k ≤ 1.2 at 100k")
    assert row(table, 1000)[edit] == "0.50 s"
    assert row(table, 10_000)[edit] == "3.50 s ✗"
    assert row(table, 10_000)[per_article] == "1.00x"
    assert row(table, 100_000)[per_article] == "1.10x ✓"
    assert row(table, 100_000)[columns.index("all processes ≤ 3 GB at 100k")] == "2.00 GB ✓"


def test_latency_targets_use_the_percentile_they_name() -> None:
    results = Results()
    results.latencies_ms[(10_000, SERVE_PARAGRAPH)] = [float(ms) for ms in range(10, 210, 10)]  # 20 edits
    results.latencies_ms[(100_000, search_measure("rare"))] = [450.0, 700.0, 480.0]
    table = targets_table(results, [10_000, 100_000])
    columns = header(table)
    assert row(table, 10_000)[columns.index("serve paragraph p95 ≤ 100 ms at 10k")] == "190 ms ✗"
    assert row(table, 100_000)[columns.index("first search ≤ 500 ms at 100k")] == "480 ms ✓"  # the median


def test_the_search_target_holds_for_every_query_measured() -> None:
    results = Results()
    results.latencies_ms[(100_000, search_measure("rare"))] = [300.0, 310.0, 320.0]
    results.latencies_ms[(100_000, search_measure("common"))] = [900.0, 800.0, 850.0]
    table = targets_table(results, [100_000])
    assert row(table, 100_000)[header(table).index("first search ≤ 500 ms at 100k")] == "850 ms ✗"


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]
    assert percentile(values, 95) == 19.0
    assert percentile(values, 50) == 10.0
    assert percentile([7.0], 95) == 7.0
