"""`hubgen serve`: time from saving an edit (one paragraph, or a title) to the `reload` event a page receives,
and to the `search` event that says the search index has the edit too.

    python benchmarks/bench_serve.py                       # the shipped example hub (content/ + hubgen.yaml)
    python benchmarks/bench_serve.py --articles 10000      # a corpus from benchmarks/corpus.py
    python benchmarks/bench_serve.py --articles 10000 --kind both --edits 20 --json   # what bench.py --serve runs

Each run copies the project to a temporary folder, starts the dev server on a free loopback port, subscribes to
its event stream, then makes N edits to one article (a word added to its first paragraph; with --kind title, a
new title; with --kind both, N of each on the same server, paragraphs first) and reports, per kind, the save ->
reload latency (the median, the p95 by nearest rank, min and max; compare.py reads "reload event: median N
ms"), the median rebuild time, how many pages each rebuild rendered, when the first search index was served and
the median save -> search index latency.
`--json` prints the same figures, with every latency, as one JSON object instead.

hubgen is imported from this checkout's src/, or from `--code DIR` (bench.py passes its frozen copy).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from measure import percentile  # noqa: E402

if TYPE_CHECKING:
    from hubgen.serve.server import DevServer


def make_project(dest: Path, articles: int) -> Path:
    """The shipped hub, or a generated corpus of `articles` articles, under dest/."""
    if not articles:
        shutil.copytree(REPO / "content", dest / "content")
        shutil.copy(REPO / "hubgen.yaml", dest / "hubgen.yaml")
        return dest
    import corpus

    corpus.write_content(dest / "content", articles)
    (dest / "hubgen.yaml").write_text("title: Benchmark Hub\nbase_url: https://example.org/bench/\n", encoding="utf-8")
    return dest


def pick_article(project: Path) -> Path:
    return next(p for p in sorted((project / "content").rglob("*.md")) if p.name not in ("index.md", "README.md"))


def open_events(server: DevServer) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request("GET", server.base + "__hubgen/events")
    response = connection.getresponse()
    response.readline()  # "retry: ...": the stream is open
    return response


def wait_event(events: http.client.HTTPResponse, name: str) -> None:
    for raw in events:
        if raw.startswith(b"event: error"):
            raise SystemExit("the edit broke the hub")
        if raw.startswith(b"event: " + name.encode()):
            return


def wait_reload(events: http.client.HTTPResponse) -> None:
    wait_event(events, "reload")


def edit(article: Path, n: int) -> None:
    """Add a word to the first prose line after the front matter (one paragraph changes)."""
    head, fence, body = article.read_text(encoding="utf-8").partition("\n---\n")
    lines = body.split("\n")
    at = next(i for i, line in enumerate(lines) if line[:1].isalpha())
    lines[at] += f" edit{n}"
    article.write_text(head + fence + "\n".join(lines), encoding="utf-8")


def edit_title(article: Path, n: int) -> None:
    """Change the article's title (the pages that show it render again: path, hub, related, backlinks, tags)."""
    text = article.read_text(encoding="utf-8")
    head, title, rest = text.partition("\ntitle: ")
    line, newline, tail = rest.partition("\n")
    article.write_text(f"{head}{title}{line.split(' (edit')[0]} (edit {n}){newline}{tail}", encoding="utf-8")


EDITS = {"paragraph": edit, "title": edit_title}


@dataclass
class EditFigures:
    """One kind of edit, made `len(latencies_ms)` times on one server."""

    latencies_ms: list[float] = field(default_factory=list)  # save -> reload event
    rebuilds_ms: list[float] = field(default_factory=list)  # the server's own rebuild time
    rendered: list[int] = field(default_factory=list)  # pages each rebuild rendered
    indexed_s: list[float] = field(default_factory=list)  # save -> search index served


@dataclass
class ServeFigures:
    articles: int
    start_s: float  # start (the first full build)
    first_index_s: float  # the first search index served
    kinds: dict[str, EditFigures]


def run(articles: int, edits: int, kinds: list[str]) -> ServeFigures:
    from hubgen.serve.searchindex import BUILDING
    from hubgen.serve.server import DevServer

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        project = make_project(Path(folder), articles)
        started = time.perf_counter()
        server = DevServer(project, "127.0.0.1", 0)
        server.start()
        cold = time.perf_counter() - started
        try:
            while server.search.file("hubgen-parts.json") == BUILDING:
                time.sleep(0.01)
            first_index = time.perf_counter() - started
            events = open_events(server)
            article = pick_article(project)
            found = {kind: make_edits(server, events, article, kind, edits) for kind in kinds}
        finally:
            server.stop()
    return ServeFigures(articles, cold, first_index, found)


def make_edits(
    server: DevServer, events: http.client.HTTPResponse, article: Path, kind: str, edits: int
) -> EditFigures:
    figures = EditFigures()
    for n in range(edits):
        saved = time.perf_counter()
        EDITS[kind](article, n)
        wait_reload(events)
        figures.latencies_ms.append((time.perf_counter() - saved) * 1000)
        assert server.last is not None
        figures.rebuilds_ms.append(server.last.seconds * 1000)
        figures.rendered.append(server.last.rendered)
        wait_event(events, "search")
        figures.indexed_s.append(time.perf_counter() - saved)
        time.sleep(0.3)  # let the watcher settle between edits
    return figures


def show(figures: ServeFigures) -> None:
    size = f"{figures.articles} articles" if figures.articles else "shipped example hub"
    print(f"{size}: start (first full build) {figures.start_s:.2f} s; first search index {figures.first_index_s:.2f} s")
    for kind, found in figures.kinds.items():
        latencies = found.latencies_ms
        print(
            f"  {len(latencies)} {kind} edits: save -> reload event: median {statistics.median(latencies):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms (min {min(latencies):.0f}, max {max(latencies):.0f})"
        )
        print(
            f"    rebuild: median {statistics.median(found.rebuilds_ms):.0f} ms; pages rendered per rebuild: "
            f"{sorted(set(found.rendered))}"
        )
        print(
            f"    save -> search index served: median {statistics.median(found.indexed_s):.2f} s "
            f"(max {max(found.indexed_s):.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=0, help="corpus size (0: the shipped example hub)")
    parser.add_argument("--edits", type=int, default=10, help="number of edits of each kind (default 10)")
    parser.add_argument("--kind", choices=[*EDITS, "both"], default="paragraph", help="what each edit changes")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--code", type=Path, help="import hubgen from this folder (default: this checkout's src/)")
    options = parser.parse_args()
    sys.path.insert(0, str(options.code or REPO / "src"))
    from hubgen.cli.app import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # as `hubgen serve` runs: the command line sets them
    figures = run(options.articles, options.edits, list(EDITS) if options.kind == "both" else [options.kind])
    if options.json:
        print(json.dumps(asdict(figures)))
    else:
        show(figures)


if __name__ == "__main__":
    main()
