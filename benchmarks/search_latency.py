"""How long a reader waits for the first search answer on a built site, in Chromium from a cold browser cache.

The site is served on a loopback port by a plain static server (as a host would serve it). Each run starts a
new browser (no HTTP cache, no compiled WebAssembly kept), opens the home page, then does what a reader does:
focuses the search box, types the query, and waits for the results to show. The figure is the time from the
focus to the results line, measured in the page (`performance.now()`): it includes loading Pagefind and every
index part it merges, the search itself and the theme's 120 ms typing pause.

    python benchmarks/search_latency.py SITE [--query WORD] [--runs N]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUIET_CHROMIUM = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# Runs in the page: focus the box, type the query, resolve with the milliseconds until the results line
# names a count (or says there is none), and that line.
_FIRST_QUERY = """
async (query) => {
  const input = document.getElementById("hg-search-input");
  const count = document.querySelector("[data-search] .search-count");
  if (!input || !count) throw new Error("this page has no hubgen search box");
  const shown = new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (/result/i.test(count.textContent) || /not available/.test(count.textContent)) {
        watch.disconnect();
        resolve(performance.now());
      }
    });
    watch.observe(count, { childList: true, characterData: true, subtree: true });
  });
  const start = performance.now();
  input.focus();
  input.value = query;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const end = await shown;
  return [end - start, count.textContent];
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """`site` served on a free loopback port for the duration; its root URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def first_query_ms(site: Path, query: str, runs: int, chromium: str = CHROMIUM) -> list[float]:
    """The first query's answer time in milliseconds, once per run, each in a new browser. A site without
    a search index, or a query that finds nothing, ends the run (SystemExit): its figure would mean nothing."""
    if not (site / "pagefind" / "pagefind.js").is_file():
        raise SystemExit(f"{site} has no search index (pagefind/pagefind.js): build it with search on")
    from playwright.sync_api import sync_playwright

    figures: list[float] = []
    with served(site) as root, sync_playwright() as playwright:
        for _ in range(runs):
            browser = playwright.chromium.launch(executable_path=chromium, args=QUIET_CHROMIUM)
            try:
                page = browser.new_context().new_page()
                page.goto(root + "index.html", wait_until="load")
                took, line = page.evaluate(_FIRST_QUERY, query)
            finally:
                browser.close()
            if not line[:1].isdigit():
                raise SystemExit(f"the query {query!r} found nothing on {site}: {line!r}")
            figures.append(float(took))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default="checksum")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = first_query_ms(args.site, args.query, args.runs)
    shown = ", ".join(f"{ms:.0f}" for ms in figures)
    print(f"first query {args.query!r}: median {statistics.median(figures):.0f} ms ({shown})")


if __name__ == "__main__":
    main()
