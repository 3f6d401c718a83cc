"""Plain helpers for the tests (importable as `from helpers import ...`; conftest puts tests/ on sys.path)."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from hubgen import session
from hubgen.cli import main
from hubgen.core.diagnostics import format_text


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Write `files` (relative path -> text/bytes; None deletes) under root and return root."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@dataclass(frozen=True)
class CliOutcome:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr


def run_cli(*args: str, cwd: Path | None = None) -> CliOutcome:
    """Run `hubgen ARGS` in-process (CliRunner) with the working directory `cwd`. What a command sets for its
    whole process (the collector's thresholds, `serve` freezing what it keeps, the SIGTERM handler) is undone
    afterwards, so that it holds for that command only, as it would in a process of its own."""
    import gc
    import os
    import signal

    runner = CliRunner()
    previous, thresholds, frozen = Path.cwd(), gc.get_threshold(), gc.get_freeze_count()
    on_term = signal.getsignal(signal.SIGTERM)
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=True)
    finally:
        os.chdir(previous)
        gc.set_threshold(*thresholds)
        if not frozen:
            gc.unfreeze()
        signal.signal(signal.SIGTERM, on_term)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return CliOutcome(result.exit_code, result.stdout, result.stderr, exception)


def build_site(project: Path, include_drafts: bool = False, output_dir: Path | None = None) -> Path:
    """Build the project through the pipeline, assert it had no errors, and return the output folder."""
    result = session.build(project, drafts=include_drafts, output_dir=output_dir)
    assert result.check.errors == 0, format_text(result.check.diagnostics)
    assert result.files > 0
    return result.output


# ---------------------------------------------------------------- a tiny HTML tree (stdlib only)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    # -- reading
    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        return "" if value is None else value

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed."""
        return " ".join(self._text().split())

    def _text(self) -> str:
        return "".join(c if isinstance(c, str) else c._text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    # -- finding (a small selector language: "tag", ".class", "#id", "tag.class", "[attr]", "[attr=value]",
    #    combined and separated by spaces for descendants)
    def select(self, selector: str) -> list[Element]:
        current = [self]
        for part in selector.split():
            found: list[Element] = []
            seen: set[int] = set()
            for element in current:
                for candidate in element.iter():
                    if id(candidate) not in seen and _matches(candidate, part):
                        seen.add(id(candidate))
                        found.append(candidate)
            current = found
        return current

    def select_one(self, selector: str) -> Element | None:
        found = self.select(selector)
        return found[0] if found else None

    def one(self, selector: str) -> Element:
        """Exactly one match, else an AssertionError naming the selector."""
        found = self.select(selector)
        assert len(found) == 1, f"{selector!r}: {len(found)} matches"
        return found[0]

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


def _matches(element: Element, part: str) -> bool:
    import re

    tokens = re.findall(r"\[[^\]]*\]|[.#]?[^.#\[]+", part)
    for token in tokens:
        if token.startswith("["):
            name, _, value = token[1:-1].partition("=")
            if name not in element.attrs:
                return False
            if value and (element.attrs[name] or "") != value.strip("\"'"):
                return False
        elif token.startswith("."):
            if not element.has_class(token[1:]):
                return False
        elif token.startswith("#"):
            if element.attrs.get("id") != token[1:]:
                return False
        elif element.tag != token.lower():
            return False
    return True


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def read_html(site: Path, relative: str) -> Element:
    """Parse site/relative (e.g. "neural-networks/x/index.html") into an Element tree."""
    return parse_html((site / relative).read_text(encoding="utf-8"))


html = read_html


def git_commit(project: Path, day: str, message: str = "") -> None:
    """Commit everything in `project` (a git repository) as made on `day` (YYYY-MM-DD), at noon UTC."""
    env = {
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@x",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@x",
        "GIT_AUTHOR_DATE": f"{day}T12:00:00Z",
        "GIT_COMMITTER_DATE": f"{day}T12:00:00Z",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", message or f"hub on {day}"]):
        subprocess.run(command, cwd=project, check=True, env=env)
