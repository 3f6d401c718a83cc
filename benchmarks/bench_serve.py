"""`hubgen serve`: time from saving an edit (one paragraph, or a title) to the `reload` event a page receives,
and to the `search` event that says the search index has the edit too.

    python benchmarks/bench_serve.py                       # the shipped example hub (content/ + hubgen.yaml)
    python benchmarks/bench_serve.py --articles 10000      # a corpus from benchmarks/corpus.py

Each run copies the project to a temporary folder, starts the dev server on a free loopback port, subscribes to
its event stream, then makes N edits to one article (a word added to its first paragraph; with --kind title, a
new title) and reports the median save -> reload latency, the median rebuild time, how many pages each
rebuild rendered, when the first search index was served and the median save -> search index latency.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from hubgen.cli.app import GC_THRESHOLDS  # noqa: E402
from hubgen.serve.searchindex import BUILDING  # noqa: E402
from hubgen.serve.server import DevServer  # noqa: E402


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


def run(articles: int, edits: int, kind: str) -> None:
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
            latencies, rebuilds, rendered, indexed = [], [], [], []
            for n in range(edits):
                saved = time.perf_counter()
                EDITS[kind](article, n)
                wait_reload(events)
                latencies.append(time.perf_counter() - saved)
                assert server.last is not None
                rebuilds.append(server.last.seconds)
                rendered.append(server.last.rendered)
                wait_event(events, "search")
                indexed.append(time.perf_counter() - saved)
                time.sleep(0.3)  # let the watcher settle between edits
        finally:
            server.stop()
    size = f"{articles} articles" if articles else "shipped example hub"
    print(
        f"{size}: start (first full build) {cold:.2f} s; first search index {first_index:.2f} s; {edits} {kind} edits"
    )
    print(
        f"  save -> reload event: median {statistics.median(latencies) * 1000:.0f} ms "
        f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f})"
    )
    print(
        f"  rebuild: median {statistics.median(rebuilds) * 1000:.0f} ms; pages rendered per rebuild: "
        f"{sorted(set(rendered))}"
    )
    print(f"  save -> search index served: median {statistics.median(indexed):.2f} s (max {max(indexed):.2f})")


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)  # as `hubgen serve` runs: the command line sets them
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=0, help="corpus size (0: the shipped example hub)")
    parser.add_argument("--edits", type=int, default=10, help="number of edits (default 10)")
    parser.add_argument("--kind", choices=list(EDITS), default="paragraph", help="what each edit changes")
    options = parser.parse_args()
    run(options.articles, options.edits, options.kind)


if __name__ == "__main__":
    main()
