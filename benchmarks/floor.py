"""The floor under any hubgen build: the issue's bare Python loop, measured on the same corpus.

    python benchmarks/floor.py PROJECT OUTPUT [--jobs 2]

Reads every Markdown file under PROJECT/content, drops its front matter, renders it with markdown-it-py
(CommonMark plus tables) with fenced code highlighted by Pygments, puts it through a one-line Jinja template
and writes OUTPUT/<path>.html, in `--jobs` processes. Nothing else: no graph, no validation, no theme, no
search, no cache. Whatever hubgen adds to a page costs time on top of this, so a target below this loop's
time cannot be met by a generator built on markdown-it-py and Pygments.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

TEMPLATE = jinja2.Template("<!doctype html><title>{{ title }}</title><main>{{ body }}</main>\n")
FORMATTER = HtmlFormatter()


def _highlight(code: str, language: str, _attrs: str) -> str:
    try:
        return highlight(code, get_lexer_by_name(language or "text"), FORMATTER)
    except ClassNotFound:
        return ""  # markdown-it escapes the block itself


MD = MarkdownIt("commonmark", {"highlight": _highlight}).enable("table")


def render(source: Path, target: Path) -> None:
    text = source.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5 :] if end >= 0 else text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.render(title=source.stem, body=MD.render(text)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    content = args.project / "content"
    sources = sorted(content.rglob("*.md"))
    targets = [args.output / source.relative_to(content).with_suffix(".html") for source in sources]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(render, sources, targets, chunksize=max(1, len(sources) // (args.jobs * 8))))


if __name__ == "__main__":
    main()
