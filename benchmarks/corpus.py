"""Deterministic benchmark corpus: N articles in N/50 hubs, written as a hubgen, a MkDocs and a Hugo project.

    python benchmarks/corpus.py DEST --articles 1000

writes DEST/hubgen (hubgen.yaml + content/), DEST/mkdocs (mkdocs.yml + content/) and DEST/hugo (hugo.toml +
content/ + layouts/). The only randomness is a seeded `random.Random`, so the same N gives byte-identical files.

Every article has ~800 words of prose with **bold** and `code` spans, one fenced Python block, one 4x3 table,
five relative .md links (one or two with a #fragment to a heading every article has), and front matter with
title, summary, hub, prev, next (one learning path per hub), related, tags and updated. The hubgen copy checks
clean (0 errors, 0 warnings).

One learning track per 100 articles (`tracks/track-XXX.md`, `type: track`) leads through 10 articles taken
from different hubs (a seeded sample of its own, so the articles are the same with or without tracks), and
the home page links to each; `--no-tracks` leaves them out.

With `--math`, one article in ten also has a "Formulas" section (three inline and three display formulas:
a neuron, softmax, a gradient step, attention, cross-entropy, a variance), and hub-000 has a page of 200
formulas (`formulas.md`, linked from the home page). The rest of the corpus is byte-identical either way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

ARTICLES_PER_HUB = 50
SEED = 20260501
TAGS = ("architecture", "operations", "testing", "performance", "security", "data", "tooling", "design")
QUESTIONS = ("How long does it take?", "What does it cost?", "When should I avoid it?")
# Fragments every article has (GitHub-style slugs of the shared headings).
FRAGMENTS = ("overview", "details", "examples", "common-questions", "what-does-it-cost", "when-should-i-avoid-it")

_WORD_TEXT = """
system model request response cache index graph node edge path route query table column record value field
schema version release branch commit review module package library function method class object instance
buffer stream queue worker thread process signal event handler callback promise future result error failure
retry timeout budget latency throughput capacity memory storage disk network packet socket server client proxy
gateway balancer cluster region zone replica shard partition leader follower quorum consensus snapshot backup
restore migration deployment rollout rollback canary flag toggle metric trace span log alert dashboard incident
runbook owner team service contract interface boundary layer adapter port domain entity aggregate invariant rule
policy permission role token secret key certificate signature hash digest checksum encoder decoder parser lexer
compiler runtime interpreter heap stack pointer reference garbage collector allocator pool arena page frame
window batch chunk block segment offset cursor iterator generator pipeline stage step phase cycle loop
careful simple robust fragile stable steady quick slow large small narrow wide shallow deep early late common
rare explicit implicit local remote shared private public internal external primary secondary optional required
usually often rarely always never sometimes quietly clearly roughly exactly mostly partly carefully gradually
measure compare reduce increase split merge store fetch send receive parse render validate observe record
replace remove extend limit protect expose isolate combine schedule cancel recover restart inspect explain
"""
WORDS = tuple(_WORD_TEXT.split())
CODE_WORDS = ("load_config", "max_retries", "cache.get", "queue.put", "--dry-run", "HTTP 429", "utf-8", "O(n log n)")
HEADER_CELLS = ("Option", "Typical value", "Notes")


def _sentence(rng: random.Random, spans: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    if spans and rng.random() < 0.35:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if spans and rng.random() < 0.25:
        i = rng.randrange(len(words))
        words[i] = f"`{rng.choice(CODE_WORDS)}`"
    if words[0][0].isalpha():
        words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _paragraph(rng: random.Random, sentences: int, link: str | None = None) -> str:
    parts = [_sentence(rng) for _ in range(sentences)]
    if link:
        parts.insert(rng.randrange(len(parts) + 1), link)
    return " ".join(parts)


def _title(index: int, rng: random.Random) -> str:
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    return f"How {a.capitalize()} {b.capitalize()} Works ({index})"


class Layout:
    """Who is where: article index -> hub, page id, file path."""

    def __init__(self, articles: int) -> None:
        self.articles = articles
        self.hubs = max(1, -(-articles // ARTICLES_PER_HUB))

    @staticmethod
    def hub_id(hub: int) -> str:
        return f"hub-{hub:03d}"

    @staticmethod
    def name(article: int) -> str:
        return f"article-{article:05d}"

    def hub_of(self, article: int) -> int:
        return article // ARTICLES_PER_HUB

    def page_id(self, article: int) -> str:
        return f"{self.hub_id(self.hub_of(article))}/{self.name(article)}"

    def href(self, source: int, target: int) -> str:
        """A relative .md link from article `source` to article `target`."""
        if self.hub_of(source) == self.hub_of(target):
            return f"{self.name(target)}.md"
        return f"../{self.hub_id(self.hub_of(target))}/{self.name(target)}.md"

    def members(self, hub: int) -> range:
        return range(hub * ARTICLES_PER_HUB, min((hub + 1) * ARTICLES_PER_HUB, self.articles))


def _article(layout: Layout, index: int, rng: random.Random, titles: list[str]) -> str:
    hub = layout.hub_of(index)
    members = layout.members(hub)
    others = [i for i in rng.sample(range(layout.articles), min(layout.articles, 12)) if i != index]
    if not others:  # a one-article corpus: link to itself by fragment only
        others = [index]
    related = list(dict.fromkeys(others[:3]))[: rng.randint(2, 3)] if layout.articles > 1 else []
    link_targets = [others[i % len(others)] for i in range(3, 8)]
    fragment_count = rng.randint(1, 2)
    links = []
    for n, target in enumerate(link_targets):
        href = layout.href(index, target) if target != index else ""
        if n < fragment_count:
            href += "#" + rng.choice(FRAGMENTS)
        links.append(f"See [{titles[target].lower()}]({href}).")
    tags = rng.sample(TAGS, rng.randint(1, 2))
    updated = dt.date(2026, 1, 1) + dt.timedelta(days=(index * 7) % 300)
    front = [
        "---",
        f"title: {titles[index]}",
        f"summary: {_sentence(rng, spans=False)}",
        f"hub: {layout.hub_id(hub)}",
    ]
    if index > members.start:
        front.append(f"prev: {layout.name(index - 1)}")
    if index + 1 < members.stop:
        front.append(f"next: {layout.name(index + 1)}")
    if related:
        front.append("related:")
        front += [f"  - {layout.page_id(r)}" for r in related]
    front += [f"tags: [{', '.join(tags)}]", f"updated: {updated.isoformat()}", "---"]

    code = [
        "```python",
        f"def handle_{index}(request, cache, retries=3):",
        '    """Serve one request, using the cache when possible."""',
        "    key = request.path.lower()",
        "    if key in cache:",
        "        return cache[key]",
        "    for attempt in range(retries):",
        "        result = request.fetch(timeout=2 ** attempt)",
        "        if result.ok:",
        "            cache[key] = result",
        "            return result",
        '    raise RuntimeError(f"gave up on {key}")',
        "```",
    ]
    table = [f"| {' | '.join(HEADER_CELLS)} |", "| --- | --- | --- |"]
    for _ in range(4):
        table.append(f"| `{rng.choice(WORDS)}` | {rng.randint(1, 500)} | {_sentence(rng, spans=False)} |")

    body = [
        _paragraph(rng, 5, links[0]),
        "## Overview",
        _paragraph(rng, 6),
        _paragraph(rng, 5, links[1]),
        "## Details",
        _paragraph(rng, 6, links[2]),
        _paragraph(rng, 6),
        _paragraph(rng, 6, links[3]),
        "## Examples",
        _paragraph(rng, 3),
        "\n".join(code),
        _paragraph(rng, 2),
        "\n".join(table),
        _paragraph(rng, 4, links[4]),
        "## Common questions",
    ]
    for question in QUESTIONS:
        body += [f"### {question}", _paragraph(rng, 4)]
    return "\n".join(front) + "\n" + "\n\n".join(body) + "\n"


MATH_EVERY = 10  # with --math: one article in this many has formulas
FORMULAS = (
    r"z_{%(i)d} = \mathbf{w}_{%(i)d} \cdot \mathbf{x} + b_{%(i)d}",
    r"\mathrm{softmax}(z)_{%(i)d} = \frac{e^{z_{%(i)d}}}{\sum_{j=1}^{%(k)d} e^{z_j}}",
    r"\theta_{t+1} = \theta_t - %(r)s \, \nabla_\theta L(\theta_t)",
    r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{Q K^\top}{\sqrt{%(k)d}}\right) V",
    r"L = -\sum_{c=1}^{%(k)d} y_c \log \hat{y}_c",
    r"\sigma^2 = \frac{1}{%(k)d} \sum_{i=1}^{%(k)d} (x_i - \mu)^2",
)


def _formula(number: int) -> str:
    """Formula `number` of the corpus: each differs (no converter cache hides the work)."""
    values = {"i": number, "k": 2 + number % 97, "r": f"0.{1 + number % 9}"}
    return FORMULAS[number % len(FORMULAS)] % values


def _math_section(index: int) -> str:
    first = index * len(FORMULAS)
    inline = ", ".join(f"${_formula(first + n)}$" for n in range(3))
    display = "\n\n".join(f"$$\n{_formula(first + n)}\n$$" for n in range(3, 6))
    return f"## Formulas\n\nThe quantities here are {inline}, each worth $1 or $2 to compute.\n\n{display}"


def _formula_page(layout: Layout) -> str:
    lines = ["---", "title: Two Hundred Formulas", f"hub: {layout.hub_id(0)}", "---"]
    for n in range(100):
        lines += ["", f"Formula {n}: ${_formula(10**6 + 2 * n)}$.", "", "$$", _formula(10**6 + 2 * n + 1), "$$"]
    return "\n".join(lines) + "\n"


def _hub_page(layout: Layout, hub: int, rng: random.Random) -> str:
    first = layout.members(hub).start
    return (
        f"---\ntype: hub\ntitle: Hub {hub:03d} - {rng.choice(WORDS).capitalize()} and "
        f"{rng.choice(WORDS).capitalize()}\nsummary: {_sentence(rng, spans=False)}\n---\n"
        f"{_paragraph(rng, 4)}\n\nStart with [the first article]({layout.name(first)}.md).\n"
    )


ARTICLES_PER_TRACK = 100  # one track per this many articles
TRACK_STEPS = 10


def _tracks(layout: Layout, titles: list[str], seed: int) -> list[tuple[str, str]]:
    """(file name, text) of each track: 10 articles from 10 different hubs where there are that many, in a
    seeded order, so a track crosses hubs and articles are shared between tracks."""
    rng = random.Random(seed + 1)  # its own sequence: the articles do not change with the tracks
    found = []
    for track in range(layout.articles // ARTICLES_PER_TRACK):
        hubs = rng.sample(range(layout.hubs), min(TRACK_STEPS, layout.hubs))
        steps = [rng.choice(layout.members(hubs[n % len(hubs)])) for n in range(TRACK_STEPS)]
        steps = list(dict.fromkeys(steps))
        lines = [
            "---",
            f"title: Track {track:03d} - {titles[steps[0]].split(' (')[0]} and More",
            "type: track",
            f"summary: {_sentence(rng, spans=False)}",
            "steps:",
            *(f"  - {layout.page_id(step)}" for step in steps),
            "---",
            _paragraph(rng, 3),
        ]
        found.append((f"track-{track:03d}.md", "\n".join(lines) + "\n"))
    return found


def _home(layout: Layout, math: bool = False, tracks: int = 0) -> str:
    lines = [
        "---",
        "title: Benchmark Hub",
        "summary: A generated knowledge hub for benchmarking static site generators.",
        "---",
        f"This generated hub has {layout.articles} articles in {layout.hubs} hubs.",
        "",
    ]
    lines += [f"- [Hub {h:03d}]({layout.hub_id(h)}/index.md)" for h in range(layout.hubs)]
    if math:
        lines += ["", f"See also [two hundred formulas]({layout.hub_id(0)}/formulas.md)."]
    if tracks:
        lines += ["", *(f"- [Track {t:03d}](tracks/track-{t:03d}.md)" for t in range(tracks))]
    return "\n".join(lines) + "\n"


def write_content(content: Path, articles: int, seed: int = SEED, math: bool = False, tracks: bool = True) -> None:
    """Write the shared Markdown corpus (hubgen's shape: hub-XXX/index.md pages) into `content`; with `math`,
    formulas in one article in ten and a page of 200 formulas; with `tracks`, one track per 100 articles."""
    layout = Layout(articles)
    rng = random.Random(seed)
    titles = [_title(i, rng) for i in range(articles)]
    content.mkdir(parents=True, exist_ok=True)
    track_files = _tracks(layout, titles, seed) if tracks else []
    (content / "index.md").write_text(_home(layout, math, len(track_files)), encoding="utf-8")
    if track_files:
        (content / "tracks").mkdir(exist_ok=True)
    for name, text in track_files:
        (content / "tracks" / name).write_text(text, encoding="utf-8")
    if math:
        (content / layout.hub_id(0)).mkdir(exist_ok=True)
        (content / layout.hub_id(0) / "formulas.md").write_text(_formula_page(layout), encoding="utf-8")
    for hub in range(layout.hubs):
        folder = content / layout.hub_id(hub)
        folder.mkdir(exist_ok=True)
        (folder / "index.md").write_text(_hub_page(layout, hub, rng), encoding="utf-8")
    for index in range(articles):
        path = content / layout.hub_id(layout.hub_of(index)) / f"{layout.name(index)}.md"
        text = _article(layout, index, rng, titles)
        if math and index % MATH_EVERY == 0:
            text += "\n" + _math_section(index) + "\n"
        path.write_text(text, encoding="utf-8")


HUGO_TOML = """baseURL = "https://example.org/bench/"
title = "Benchmark Hub"
contentDir = "content"

[markup.goldmark.renderer]
unsafe = true
"""
# Pagefind indexes what hubgen's theme marks (data-pagefind-body): the title, summary and text of articles and
# hubs (sections with an _index.md here), not the home page's, the tag pages' or the tracks folder's lists.
HUGO_LAYOUT = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<main{{ if and .File (or .IsPage (eq .Kind "section")) }} data-pagefind-body{{ end }}>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}
{{ .Content }}
</main>
%s</body>
</html>
"""
HUGO_LIST = '<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n'


def generate(dest: Path, articles: int, seed: int = SEED, math: bool = False, tracks: bool = True) -> dict[str, Path]:
    """Write DEST/hubgen, DEST/mkdocs and DEST/hugo for `articles` articles; return the three project folders."""
    dest = Path(dest)
    projects = {name: dest / name for name in ("hubgen", "mkdocs", "hugo")}
    for folder in projects.values():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    hubgen_content = projects["hubgen"] / "content"
    write_content(hubgen_content, articles, seed, math, tracks)
    (projects["hubgen"] / "hubgen.yaml").write_text(
        "title: Benchmark Hub\nbase_url: https://example.org/bench/\n", encoding="utf-8"
    )

    shutil.copytree(hubgen_content, projects["mkdocs"] / "content")
    (projects["mkdocs"] / "mkdocs.yml").write_text(
        "site_name: Benchmark Hub\nsite_url: https://example.org/bench/\ndocs_dir: content\n", encoding="utf-8"
    )

    hugo = projects["hugo"]
    shutil.copytree(hubgen_content, hugo / "content")
    for index_file in (hugo / "content").rglob("index.md"):  # Hugo: index.md is a leaf bundle, _index.md a section
        index_file.rename(index_file.with_name("_index.md"))
    (hugo / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    layouts = hugo / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_LAYOUT % "", encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LAYOUT % HUGO_LIST, encoding="utf-8")
    (hugo / "layouts" / "index.html").write_text(HUGO_LAYOUT % HUGO_LIST, encoding="utf-8")
    return projects


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path, help="folder to write hubgen/, mkdocs/ and hugo/ into")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--math", action="store_true", help="formulas in one article in ten, and a 200-formula page")
    parser.add_argument("--no-tracks", action="store_true", help="leave out the learning tracks (one per 100 articles)")
    args = parser.parse_args(argv)
    projects = generate(args.dest, args.articles, args.seed, args.math, tracks=not args.no_tracks)
    for name, folder in projects.items():
        print(f"{name}: {folder}")


if __name__ == "__main__":
    main()
