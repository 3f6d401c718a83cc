"""Load: the content folder -> `Page` records and a list of assets. A bad file is a diagnostic, never an
abort: every other page is still read, so one run reports every problem.

What is read, and each file's page id, comes from scan.py.
"""

from __future__ import annotations

import multiprocessing
import posixpath
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from typing import Literal, cast

from hubgen.base.cache import Cache, key_for
from hubgen.base.files import read_regular
from hubgen.base.records import BadRecord, Codec
from hubgen.core.config import SiteConfig
from hubgen.core.diagnostics import Diagnostic, diagnostic
from hubgen.core.frontmatter import (
    LIST_KEYS,
    PAGE_TYPES,
    STRING_KEYS,
    FrontMatter,
    parse_front_matter,
    split_front_matter,
)
from hubgen.core.gitdates import Dates, git_dates
from hubgen.core.imagesize import image_size
from hubgen.core.markdown import ParsedMarkdown, html_ids, parse_markdown
from hubgen.core.options import RunOptions
from hubgen.core.scan import Scan, read_text, scan_content

PageType = Literal["home", "hub", "article", "track"]


@dataclass
class Page:
    id: str
    rel: str  # path under the content folder, "neural-networks/index.md"
    file: str  # path under the project, for diagnostics: "content/neural-networks/index.md"
    title: str
    type: PageType
    front: FrontMatter
    body: ParsedMarkdown
    draft: bool = False
    git_updated: str | None = None  # the date of the last commit that touched the file
    git_created: str | None = None  # and of the first

    @property
    def updated(self) -> str | None:
        """YYYY-MM-DD: front matter `updated`, else the file's last commit, else None."""
        return self.front.values.get("updated") or self.git_updated

    @property
    def published(self) -> str | None:
        """YYYY-MM-DD: the file's first commit, else `updated`, else None."""
        return self.git_created or self.updated

    @property
    def summary(self) -> str:
        return str(self.front.values.get("summary") or self.body.excerpt)

    @property
    def folder(self) -> str:
        """The folder (under content/) the source file is in: relative links resolve from here."""
        return posixpath.dirname(self.rel)

    @property
    def slug(self) -> str:
        return self.id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Content:
    pages: dict[str, Page]  # id -> page, ids sorted
    assets: tuple[str, ...]  # every other file under content/, relative paths, sorted
    folders: frozenset[str]  # every folder under content/ (relative), "" included
    diagnostics: tuple[Diagnostic, ...]
    digest: str = ""  # changes whenever anything loaded could change the site ("": serve, which writes none)
    html_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)  # .html asset -> its ids
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # image asset -> width, height
    cache_ignored: int = 0  # unusable entries of the build cache, ignored and made again


@dataclass(frozen=True)
class _Job:
    """One Markdown file to parse (or to find in the cache)."""

    rel: str
    page_id: str
    file: str
    text: str
    key: str


Parsed = tuple[Page | None, list[Diagnostic]]
PARSED: Codec[Parsed] = Codec(tuple[Page, list[Diagnostic]])  # what a parse worker sends and the cache keeps
BATCH = 500  # records read from, or written to, the cache at once
POOL_THRESHOLD = 48  # fewer pages to parse than this are parsed in-process: a pool costs more than it saves


@dataclass(frozen=True)
class Loaded:
    """One Markdown file as loaded: its page id, the key of its text ("" when it could not be read), and
    what parsing it gave."""

    page_id: str
    key: str
    page: Page | None
    problems: list[Diagnostic]


@dataclass(frozen=True)
class Held:
    """What a session already holds from its last load (`hubgen serve`): a scan of content/, the files known
    loaded last time (rel -> Loaded: those not `changed` are not even read again), and git's dates."""

    scan: Scan | None
    reuse: Mapping[str, Loaded]
    dates: Dates
    changed: frozenset[str] = frozenset()  # files under content/ changed since: read again, never reused


def load_content(
    project_dir: Path, config: SiteConfig, options: RunOptions, cache: Cache | None = None, held: Held | None = None
) -> tuple[Content, dict[str, Loaded]]:
    """Every page and asset under content/, and each Markdown file as loaded (rel -> Loaded). Parse results
    come from `held` (files known unchanged), then from `cache` when the file's text is unchanged; the rest
    are parsed by `options.jobs` processes. The result depends on none of them. Without `options.bodies`,
    the pages' HTML is left empty: only validation's facts are made (a cached full result serves as well),
    and git's history is not read (its dates are only ever shown on rendered pages)."""
    content_dir = project_dir / config.content_dir
    scan = (held and held.scan) or scan_content(content_dir, config.content_dir)
    ids = scan.ids
    reuse, changed = (held.reuse, held.changed) if held else ({}, frozenset())
    loaded: dict[str, Loaded | None] = {}  # in the scan's order; None until parsed
    todo: list[_Job] = []
    for rel in scan.markdown:
        known = reuse.get(rel)
        if known is not None and known.page_id == ids[rel] and rel not in changed:
            loaded[rel] = known
            continue
        loaded[rel] = None
        file = posixpath.join(config.content_dir, rel)
        text, problem = read_text(content_dir / rel, file)
        if problem:
            loaded[rel] = Loaded(ids[rel], "", None, [problem])
        else:
            key = key_for(rel, ids[rel], file, repr(config.markdown), config.faq_heading, text)
            todo.append(_Job(rel, ids[rel], file, text, key))
    parsed_now, ignored = _parse_all(todo, config, options, cache)
    for job in todo:
        loaded[job.rel] = Loaded(job.page_id, job.key, *parsed_now[job.rel])
    dates = held.dates if held else None
    if dates is None:  # only rendered pages show them
        dates = git_dates(project_dir, config.content_dir, cache.folder if cache else None) if options.bodies else {}
    every = cast("dict[str, Loaded]", loaded)  # every file is loaded now: none is None
    content = assemble_content(every, scan, dates, config, content_dir)
    ignored += cache.ignored if cache else 0
    digest = _digest(every, scan.assets, content_dir, dates) if held is None else ""  # serve builds nothing
    return replace(content, digest=digest, cache_ignored=ignored), every


def _ids_in_html(path: Path) -> frozenset[str]:
    """The ids (and <a name>s) an HTML file in content/ declares, for links into it with a #fragment."""
    try:
        return frozenset(html_ids(read_regular(path, whole=False).decode("utf-8", "replace")))  # 8 MiB of it
    except OSError:  # NotRegular too: a pipe swapped in after the scan has no ids
        return frozenset()


def assemble_content(
    parsed: Mapping[str, Loaded],
    scan: Scan,
    dates: Dates,
    config: SiteConfig,
    content_dir: Path,
) -> Content:
    """Content from each Markdown file's (id, page, problems): a second file claiming an id (ignoring case
    and Unicode normal form) is a duplicate; an unreadable page still exists, as a file, so a link to it
    is not a broken link on top of file-unreadable."""
    problems: list[Diagnostic] = list(scan.problems)
    pages: dict[str, Page] = {}
    assets = list(scan.assets)
    seen: dict[str, str] = {}  # folded id -> rel of the first file that took it
    for rel, item in sorted(parsed.items()):
        page_id, page, page_problems = item.page_id, item.page, item.problems
        file = posixpath.join(config.content_dir, rel)
        folded = unicodedata.normalize("NFC", page_id).casefold()
        if folded in seen:
            problems.append(_duplicate(file, page_id, seen[folded], config))
            continue
        seen[folded] = rel
        problems += page_problems
        if page is not None:
            page.git_updated, page.git_created = dates.get(file, (None, None))
            pages[page_id] = page
        else:
            assets.append(rel)
    html = {rel: _ids_in_html(content_dir / rel) for rel in scan.assets if rel.endswith((".html", ".htm"))}
    sizes = {rel: size for rel in scan.assets if (size := image_size(content_dir / rel))}
    return Content(
        dict(sorted(pages.items())),
        tuple(sorted(assets)),
        frozenset(scan.folders),
        tuple(problems),
        html_ids=html,
        image_sizes=sizes,
    )


def _digest(loaded: Mapping[str, Loaded], assets: list[str], content_dir: Path, dates: Dates) -> str:
    """Every page's cache key, every asset's size and modification time, and the git dates."""
    parts = [item.key for item in loaded.values() if item.key]
    for rel in sorted(assets):
        try:
            info = (content_dir / rel).stat()
            parts.append(f"{rel}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append(f"{rel}:?")
    parts += [f"{file}={last},{first}" for file, (last, first) in sorted(dates.items())]
    return key_for(*parts)


def _parse_all(
    todo: list[_Job], config: SiteConfig, options: RunOptions, cache: Cache | None
) -> tuple[dict[str, Parsed], int]:
    """Each job's (page, problems): from the cache, else parsed; and how many cached records could not be
    used (each is parsed again and replaced). A full record (with the body's HTML) is cached under the
    job's key, a facts-only one under `_facts_key`; facts-only callers take either."""
    jobs, progress, bodies = options.jobs, options.progress, options.bodies
    own = {job.key: job.key if bodies else _facts_key(job.key) for job in todo}  # where this run's records go
    results: dict[str, Parsed] = {}
    used: list[str] = []
    unusable: list[str] = []
    for start in range(0, len(todo) if cache else 0, BATCH):  # a batch at a time: never every record's bytes
        batch = todo[start : start + BATCH]
        keys = [job.key for job in batch] + ([] if bodies else [own[job.key] for job in batch])
        found = _cached(batch, own, cache.get_many(keys) if cache else {})
        results |= found[0]
        used += found[1]
        unusable += found[2]
    if cache:
        cache.delete(unusable)  # before any is stored again under its key
    missing = [job for job in todo if job.rel not in results]
    fresh: dict[str, bytes] = {}
    with ExitStack() as stack:
        if jobs > 1 and len(missing) >= POOL_THRESHOLD:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context()))
            chunk = max(1, len(missing) // (jobs * 8))
            made: Iterable[bytes] = pool.map(_parse_job, missing, repeat(config), repeat(bodies), chunksize=chunk)
            pairs: Iterable[tuple[bytes, Parsed]] = ((data, PARSED.decode(data)) for data in made)
        else:
            pairs = (_parse_here(job, config, bodies, cache is not None) for job in missing)
        for done, (job, (data, result)) in enumerate(zip(missing, pairs, strict=True), 1):
            results[job.rel] = result
            if cache:  # the bytes are kept only to be stored, a batch at a time
                fresh[own[job.key]] = data
                if len(fresh) >= BATCH:
                    cache.put_many(fresh)
                    fresh = {}
            used.append(own[job.key])
            progress("parse", done, len(missing))
    if cache:
        cache.put_many(fresh)
        cache.prune(used)
    return results, len(unusable)


def _cached(
    todo: list[_Job], own: Mapping[str, str], stored: Mapping[str, bytes]
) -> tuple[dict[str, Parsed], list[str], list[str]]:
    """The records `stored` holds for `todo` (rel -> record), the keys they were under, and the keys of
    stored records that are not valid records (corrupt, forged, of another type)."""
    results: dict[str, Parsed] = {}
    used: list[str] = []
    unusable: list[str] = []
    for job in todo:
        for key in dict.fromkeys((job.key, own[job.key])):
            data = stored.get(key)
            if data is None:
                continue
            try:
                result = PARSED.decode(data)
            except BadRecord:
                result = None
            if result is None or not _fits(result[0], job):
                unusable.append(key)
                continue
            results[job.rel] = result
            used.append(key)
            break
    return results, used, unusable


def _fits(page: Page | None, job: _Job) -> bool:
    """Whether a cached record could be what parsing the job's file gives: its own path and id, and front
    matter values of the types `parse_front_matter` makes. (A record that passes is still only as
    trustworthy as the file it stands for: both come from the same pull request.)"""
    if page is None or (page.id, page.rel, page.file) != (job.page_id, job.rel, job.file):
        return False
    front = page.front.values
    if page.type != ("home" if page.id == "" else front.get("type", "article")):
        return False
    if page.draft is not bool(front.get("draft", False)):
        return False
    return all(_FRONT_TYPES.get(key, _bad_key)(value) for key, value in front.items())


def _bad_key(value: object) -> bool:
    return False


def _strings(value: object) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)


_FRONT_TYPES: dict[str, Callable[[object], bool]] = {
    **{key: lambda value: type(value) is str for key in (*STRING_KEYS, "updated")},
    **dict.fromkeys(LIST_KEYS, _strings),
    "type": lambda value: value in PAGE_TYPES,
    "draft": lambda value: type(value) is bool,
}


def _facts_key(key: str) -> str:
    return key_for("facts only", key)


def _parse_job(job: _Job, config: SiteConfig, bodies: bool = True) -> bytes:
    """Parse one page, as JSON: a pool sends these bytes back, and the cache stores the same bytes."""
    return PARSED.encode(parse_page(job.text, job.rel, job.page_id, job.file, config, bodies))


def _parse_here(job: _Job, config: SiteConfig, bodies: bool, encode: bool) -> tuple[bytes, Parsed]:
    """Parse one page in this process; its JSON only if there is a cache to keep it in."""
    result = parse_page(job.text, job.rel, job.page_id, job.file, config, bodies)
    return (PARSED.encode(result) if encode else b""), result


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork where there is one (workers start at once, modules already imported), else the default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def parse_page(
    text: str, rel: str, page_id: str, file: str, config: SiteConfig, bodies: bool = True
) -> tuple[Page, list[Diagnostic]]:
    split = split_front_matter(text)
    front, problems = parse_front_matter(split, file)
    body = parse_markdown(
        split.body, config.markdown.html, config.faq_heading, render=bodies, math=config.markdown.math
    )
    for line in body.cuts:
        message = "lists or quotes nest deeper than 20 levels here: the rest of this block is not read"
        hint = "nest less deeply: what is cut is neither shown on the site nor checked"
        problems.append(diagnostic("markdown-too-deep", file, line, 1, message, hint))
    title = str(front.values.get("title", ""))
    if not title and body.first_h1:
        title = body.first_h1.text
    unreadable = any(
        p.code in ("frontmatter-syntax", "frontmatter-unclosed", "frontmatter-not-mapping") for p in problems
    )
    if not title and not unreadable:  # a front matter that cannot be read may well hold a title
        hint = "add `title: ...` to the front matter, or start the page with a '# Title' line"
        problems.append(diagnostic("missing-title", file, 1, 1, "page has no title", hint))
    if not title:
        title = page_id.rsplit("/", 1)[-1] or "Home"
    page_type: PageType = "home" if page_id == "" else front.values.get("type", "article")
    draft = bool(front.values.get("draft", False))
    return Page(page_id, rel, file, title, page_type, front, body, draft), problems


def _duplicate(file: str, page_id: str, first_rel: str, config: SiteConfig) -> Diagnostic:
    other = posixpath.join(config.content_dir, first_rel)
    label = f"'{page_id}'" if page_id else "the home page"
    message = f"this file gives the page id {label}, which {other} already gives (ids are compared ignoring case)"
    hint = "rename one of the two files; two pages cannot share one URL"
    return diagnostic("duplicate-page", file, 1, 1, message, hint)
