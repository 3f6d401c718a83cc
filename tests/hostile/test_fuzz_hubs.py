"""The hub fuzzer: Hypothesis writes whole hubs (hubgen.yaml, file names, front matter, Markdown, hostile
all through), then `check` and `build` run on each. Whatever the hub, nothing escapes but the documented
ProjectError; every diagnostic has a known code and a position inside the project; build writes a site
exactly when check finds no errors; and building twice gives the same bytes.

Bounded for CI (60 hubs, well under a minute). The long run, nightly:

    HUBGEN_FUZZ_EXAMPLES=5000 python -m pytest tests/hostile/test_fuzz_hubs.py -q -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from fragments import KEYS, MD, SCALARS
from hubkit import tree_bytes
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hubgen import session
from hubgen.core.diagnostics import CODES, Diagnostic

EXAMPLES = int(os.environ.get("HUBGEN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# -- names ------------------------------------------------------------------------------------------

NAMES = [
    "p0", "p1", "p2", "a b", "a#b", "q?x", "100%", "A", "a", "cafe\u0301", "caf\u00e9", "x/index", "x/README",
    "index", "README", "h", "ü", "日本語", "a.b", "-x", ".hidden", "x/y/z", "[x]", "a&b", "<b>", "emoji\U0001f600",
]  # fmt: skip
NAME = st.one_of(st.sampled_from(NAMES), st.text("ab -_#?%.é/", min_size=1, max_size=8))

# -- YAML -------------------------------------------------------------------------------------------

HOSTILE_YAML = [
    "!!binary xyz",
    "!!timestamp 2026-13-45",
    "!!int x",
    "!!float nope",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!str",
    "!!null x",
    "&anchor [1, 2]",
    "*anchor",
    "&x [*x]",
    "{<<: *nope}",
    "'unterminated",
    '"\\x00"',
    '"\\ud800"',
    "? complex\n: key",
    "2001-12-14t21:59:43.10-05:00",
    ".inf",
    "-.nan",
    "0o17",
    "0b101",
    "1_000",
    "@at",
    "`tick",
    "%percent",
]


def scalar(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SCALARS),
        st.sampled_from(HOSTILE_YAML),
        st.sampled_from(names or ["p0"]),
        st.sampled_from(names or ["p0"]).map(lambda n: f"h/{n}"),
        st.text(max_size=12).map(lambda t: repr(t)),  # a quoted Python repr: mostly valid YAML strings
    )


@st.composite
def yaml_value(draw: st.DrawFn, names: list[str]) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        return " " + draw(scalar(names))
    items = draw(st.lists(scalar(names), max_size=4))
    if kind <= 7:
        return " [" + ", ".join(items) + "]"
    return "\n" + "".join(f"  - {item}\n" for item in items).rstrip("\n")


@st.composite
def front_matter(draw: st.DrawFn, names: list[str]) -> str:
    lines = []
    if draw(st.booleans()):  # a page that would be valid but for what follows
        lines += [f"title: {draw(st.sampled_from(['T', 'Title', 'Q?', '#x', 'a: b']))}", "hub: h"]
    for _ in range(draw(st.integers(0, 5))):
        key = draw(st.one_of(st.sampled_from(KEYS), st.sampled_from(["summary", "&k title", "*k", "? x", "<<"])))
        lines.append(f"{key}:{draw(yaml_value(names))}")
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.text(max_size=20)))
    return "\n".join(lines)


# -- Markdown ---------------------------------------------------------------------------------------

MATH = ["$x$ ", "$$\nx^2\n$$\n", "costs $5 and $6 ", "\\$ ", "$`a`$ "]
IGNORES = ["<!-- hubgen-ignore -->\n", "<!-- hubgen-ignore-next-line -->\n", "<!-- hubgen-ignore broken-link -->\n"]


@st.composite
def markdown(draw: st.DrawFn, names: list[str]) -> str:
    target = st.sampled_from([*names, "nope", "index", "../index", "h/p0"]) if names else st.just("nope")
    fragment = st.sampled_from(["", "#heading", "#missing", "#", "#a%20b", "#sec"])
    link = st.builds(lambda t, f, md: f"[x]({t}{'.md' if md else '/'}{f}) ", target, fragment, st.booleans())
    heading = st.builds(lambda n, t: "#" * n + " " + t + "\n", st.integers(1, 6), st.sampled_from(["Heading", "Sec"]))
    piece = st.one_of(
        st.sampled_from(MD), st.sampled_from(MATH), st.sampled_from(IGNORES), link, heading, st.text(max_size=10)
    )
    return "".join(draw(st.lists(piece, max_size=20)))


# -- hubgen.yaml ------------------------------------------------------------------------------------

CONFIG_VALUES: dict[str, list[str]] = {
    "title": ["Fuzz", "''", "[a]", "!!binary xyz", "<script>x</script>", '"\\e[31mred"', "*a"],
    "description": ["d", "{a: 1}", "2026-02-30", "&a x"],
    "base_url": ["https://example.org/f/", "https://example.org", "ftp://x", "/rel/", "'http://[::1'", "5", "''"],
    "language": ["en", "'\"><x'", "[en]"],
    "faq_heading": ["Common questions", "Q?", "''"],
    "markdown": ["{html: false}", "{html: true}", "{html: maybe}", "[1]", "{nope: 1}"],
    "checks": ["{orphan-page: off}", "{image-alt: error}", "{nope: off}", "{broken-link: maybe}", "[a]"],
    "external": ["{timeout: -1}", "{exclude: ['(']}", "{retries: x}"],
    "templates_dir": ["templates", "nope", "''", "content"],
    "unknown": ["1", "x"],
}


@st.composite
def config(draw: st.DrawFn) -> str:
    lines = [f"{key}: {draw(st.sampled_from(values))}" for key, values in CONFIG_VALUES.items() if draw(st.booleans())]
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["- a", "title: [unclosed", "%TAG ! x", "\t", "a: &x [*x]"])))
    return "\n".join(lines)


# -- whole hubs -------------------------------------------------------------------------------------


SAFE_MD = [piece for piece in MD if "](" not in piece and "[r]" not in piece]
SAFE_LINKS = ["[home](../index.md) ", "[hub](index.md#sec) ", "[up](../) ", "[web](https://example.org/a?b#c) "]
SAFE_TEXT = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp", "Co", "Cn"], exclude_characters="[]()!<>&`*_\\#|~$:"),
    max_size=12,
)
SAFE_CONFIG = [
    "title: Fuzz",
    "base_url: https://example.org/f/",
    "markdown: {html: false}",
    "checks: {orphan-page: off, image-alt: off}",
    "language: en",
    "faq_heading: Questions",
]


def quoted(value: object) -> str:
    """A YAML flow value: JSON, with characters outside ASCII as they are (YAML has no surrogate escapes)."""
    return json.dumps(value, ensure_ascii=False)


@st.composite
def valid_page(draw: st.DrawFn, name: str) -> str:
    """A page with no error in it, whatever its name and characters: what the fuzzer builds."""
    title = draw(
        st.one_of(
            st.just(name.strip() or "T"), SAFE_TEXT.filter(str.strip), st.sampled_from(["<b>", "a: b", "#x", "é"])
        )
    )
    front = [f"title: {quoted(title)}", "hub: h"]
    if draw(st.booleans()):
        front.append(f"tags: {quoted(draw(st.lists(SAFE_TEXT.filter(str.strip), max_size=3)))}")
    if draw(st.booleans()):
        front.append(f"summary: {quoted(draw(SAFE_TEXT))}")
    pieces = st.one_of(
        st.sampled_from(SAFE_MD),
        st.sampled_from(MATH),
        st.sampled_from(SAFE_LINKS),
        st.sampled_from(IGNORES),
        SAFE_TEXT,
    )
    body = "## Sec\n\n" + "".join(draw(st.lists(pieces, max_size=15)))
    return "---\n" + "\n".join(front) + "\n---\n" + body


@st.composite
def hostile_page(draw: st.DrawFn, refs: list[str]) -> bytes:
    text = f"---\n{draw(front_matter(refs))}\n---\n{draw(markdown(refs))}"
    if draw(st.integers(0, 19)) == 0:
        text = text.replace("\n---\n", "\n", 1)  # unclosed front matter
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 0:
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff", b"\x00"])) + data.replace(b"\n", b"\r\n")
    return data


# Files that want the place of a generated page or of another page's output (check must see what build hits)
SQUATTERS = [
    "content/tags.md", "content/tags/intro.md", "content/404.md", "content/sitemap.xml", "content/robots.txt",
    "content/feed.xml", "content/_static/style.css", "content/h/p0/index.html", "content/h/a b/index.html",
    "content/h/index.html", "content/index.html", "content/h/p0.html", "content/_static/hubgen.js",
]  # fmt: skip


@st.composite
def hubs(draw: st.DrawFn) -> dict[str, bytes]:
    """Half the hubs are meant to build (hostile names and characters, no errors); the rest are hostile
    through and through (hubgen.yaml, front matter, Markdown, bytes)."""
    valid = draw(st.booleans())
    names = draw(st.lists(NAME, min_size=1, max_size=6, unique=True))  # case twins too: A.md and a.md
    settings_text = "\n".join(draw(st.lists(st.sampled_from(SAFE_CONFIG), unique=True))) if valid else draw(config())
    files: dict[str, bytes] = {
        "hubgen.yaml": (settings_text + "\nsearch: false\n").encode(),
        "content/index.md": b"# Home\n",
        "content/h/index.md": b"---\ntitle: H\ntype: hub\n---\n## Sec\n",
        "content/h/img.png": b"\x89PNG",
    }
    refs = [name.split("/")[0] for name in names]
    for name in names:
        if valid and name.rsplit("/", 1)[-1].lower() in ("index", "readme"):
            continue  # it would take the hub's (or a folder's) place
        page = draw(valid_page(name)).encode() if valid else draw(hostile_page(refs))
        files[f"content/h/{name}.md"] = page
    for squatter in draw(st.lists(st.sampled_from(SQUATTERS), max_size=2, unique=True)) if draw(st.booleans()) else ():
        files[squatter] = draw(valid_page("S")).encode() if squatter.endswith(".md") else b"<p>squat</p>\n"
    return files


def write(project: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = project / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError:  # a name the file system refuses (a clash with a folder of the same name)
            continue


# -- the properties ---------------------------------------------------------------------------------


def allowed(run: Callable[[], Any]) -> tuple[Any, str]:
    """run(), or (None, message) for the documented ProjectError; any other exception fails the test."""
    try:
        return run(), ""
    except session.ProjectError as error:
        return None, str(error)


def assert_well_formed(diagnostics: tuple[Diagnostic, ...], project: Path) -> None:
    for d in diagnostics:
        where = f"{d.file}:{d.line}:{d.column}: {d.code}"
        assert d.code in CODES, where
        assert d.severity in ("error", "warning"), where
        assert d.line >= 1 and d.column >= 1, where
        assert d.message, where
        path = PurePosixPath(d.file)
        assert d.file and not path.is_absolute() and ".." not in path.parts, f"outside the project: {where}"
        assert (project / d.file).resolve().is_relative_to(project.resolve()), where


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(files=hubs(), twice=st.integers(0, 3))
def test_any_hub_checks_and_builds_cleanly(workdir: Path, files: dict[str, bytes], twice: int) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    project, out = workdir / "hub", workdir / "out"
    write(project, files)
    before = tree_bytes(project)
    checked, refused = allowed(lambda: session.check(project))
    built, failed = allowed(lambda: session.build(project, output_dir=out))
    event("project error" if checked is None else "errors" if checked.errors else "builds")
    if checked is None:
        assert built is None and refused == failed, (refused, failed)  # the same project error, at the same step
        return
    assert_well_formed(checked.diagnostics, project)
    assert built is not None, f"check passed ({checked.errors} errors) but build raised: {failed}"
    assert sorted(built.check.diagnostics) == sorted(checked.diagnostics)
    if checked.errors:
        assert built.files == 0 and not out.exists(), "a hub with errors was built"
    else:
        assert built.files > 0 and (out / "index.html").is_file()
    assert tree_bytes(project) == before, "check or build changed the project"
    if built.files and twice == 0:  # on a quarter of the hubs that build: again, into a fresh folder
        again = session.build(project, output_dir=workdir / "again")
        assert again.files == built.files
        assert tree_bytes(workdir / "again") == tree_bytes(out), "two builds of one hub differ"
