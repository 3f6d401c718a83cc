"""Diagnostics: what hubgen says about a hub's content, and the forms it says it in.

A `Diagnostic` is a problem in the content (never an exception). Every one carries a stable code from
`CODES`, a severity, a position (`file:line:column`, 1-based, `file` relative to the project root), a
message and a hint. The formatters at the bottom turn a list of them into text, JSON, GitHub Actions
workflow commands or SARIF; only the CLI prints them.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

from hubgen.base.sinks import for_markdown_cell, for_terminal

Severity = Literal["error", "warning"]

# code -> (default severity, one-line meaning). The README's code table is generated from the same facts.
CODES: dict[str, tuple[Severity, str]] = {
    # configuration
    "config-syntax": ("error", "hubgen.yaml is not valid YAML or not a mapping"),
    "config-unknown-key": ("error", "hubgen.yaml has a key hubgen does not know"),
    "config-type": ("error", "a hubgen.yaml value has the wrong type or an invalid value"),
    "favicon-missing": ("error", "the favicon setting names no file in content/"),
    # reading files and front matter
    "file-unreadable": ("error", "a page cannot be read: not UTF-8, binary, or an I/O error"),
    "file-too-large": ("error", "a page is larger than 8 MiB and is not read"),
    "unsafe-symlink": ("error", "a symbolic link leaves content/, loops or points to nothing; not read"),
    "not-a-file": ("error", "a named pipe, socket or device under content/; never opened"),
    "folder-too-deep": ("error", "folders under content/ nest deeper than hubgen reads (64)"),
    "markdown-too-deep": ("warning", "lists or quotes nest past markdown-it's limit: the rest is not read"),
    "math-syntax": ("error", "a formula's TeX cannot be converted to MathML"),
    "alert-unknown": ("warning", "a `> [!KIND]` quote names no GitHub alert kind; it stays a quote"),
    "frontmatter-syntax": ("error", "the front matter is not valid YAML"),
    "frontmatter-unclosed": ("error", "the front matter's opening --- has no closing ---"),
    "frontmatter-not-mapping": ("error", "the front matter is YAML but not a mapping of keys"),
    "frontmatter-type": ("error", "a front-matter value has the wrong type"),
    "frontmatter-unknown-key": ("warning", "a front-matter key hubgen does not know"),
    "frontmatter-duplicate-key": ("warning", "a front-matter key is given twice; the last one wins"),
    "missing-title": ("error", "a page has no title in front matter and no '# ' heading"),
    "missing-hub": ("error", "an article names no hub and its folder has no hub page"),
    "duplicate-page": ("error", "two files give the same page id or URL"),
    "output-collision": ("error", "a page or copied file would land where another output or a reserved name goes"),
    # aliases
    "alias-invalid": ("error", "an alias is not a path on this site (a URL, the root, '..', '?', '#'...)"),
    "alias-self": ("error", "an alias is its own page's id"),
    "alias-collision": ("error", "an alias lands on a page, a file, a generated path or another alias"),
    # references in front matter
    "unknown-reference": ("error", "hub/prev/next/related/steps names no page"),
    "ambiguous-reference": ("error", "a bare name matches more than one page"),
    "not-a-hub": ("error", "`hub` names a page whose type is not hub"),
    "self-reference": ("error", "a page names itself as hub, prev, next, related or a step"),
    "draft-reference": ("error", "a published page refers to a draft"),
    # learning paths
    "path-conflict": ("error", "prev and next disagree (A.next = B but B.prev = C)"),
    "path-fork": ("error", "two pages claim the same next or the same prev"),
    "hub-cycle": ("error", "hubs are each other's parents, so none is at the top"),
    "path-cycle": ("error", "following next comes back to where it started"),
    "path-leaves-hub": ("warning", "a learning path moves into another hub"),
    "empty-hub": ("warning", "a hub has no pages"),
    "orphan-page": ("warning", "an article is on no path and linked from nowhere"),
    # learning tracks
    "duplicate-step": ("error", "a track names the same page twice in its steps"),
    "track-too-short": ("error", "a track has fewer than two steps"),
    "track-step-kind": ("error", "a track's step is neither an article nor a hub (another track, the home page)"),
    "steps-not-track": ("error", "a page that is not `type: track` has `steps`"),
    "track-on-path": ("error", "a track has prev or next, or is one: a track is not a step of a hub's path"),
    # links in the body
    "broken-link": ("error", "a link points to a page or file that does not exist"),
    "broken-anchor": ("error", "a link's #fragment matches no heading or id in its target"),
    "missing-image": ("error", "an image points to a file that does not exist"),
    "unsafe-link": ("warning", "a javascript:, vbscript: or data: link, not rendered as a link"),
    "external-link": ("error", "an external link failed (with --external)"),
    "external-redirect": ("warning", "an external link redirects (with --external)"),
    "image-alt": ("warning", "an image has no alt text"),
    "image-invalid": ("error", "a page's `image` is not a PNG, JPEG, GIF or WebP file of the site, nor an https URL"),
    "link-via-alias": ("warning", "an internal link goes through an alias instead of to the page"),
}


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: `file` relative to the project, line and column from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Ordered by file, then position, so reports read top to bottom.
    `related`: the other lines taking part (the other side of a contradiction, the rest of a cycle).
    `caused_by_change`: with `check --changed-since`, a new problem in a file the change did not touch."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    hint: str = ""
    related: tuple[Location, ...] = ()
    caused_by_change: bool = False

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)


def diagnostic(
    code: str, file: str, line: int, column: int, message: str, hint: str = "", related: Sequence[Location] = ()
) -> Diagnostic:
    """A diagnostic with the code's default severity."""
    severity, _ = CODES[code]
    return Diagnostic(file, max(line, 1), max(column, 1), code, severity, message, hint, tuple(related))


CAUSED_BY_CHANGE = "caused by this change (this file was not changed)"


def did_you_mean(word: str, choices: Iterable[str], prefix: str = "did you mean") -> str:
    """`did you mean 'x'?` for the closest choice, or '' when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"{prefix} '{matches[0]}'?" if matches else ""


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for item in diagnostics:
        if item.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def summary_line(diagnostics: Sequence[Diagnostic], pages: int) -> str:
    errors, warnings = count(diagnostics)
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(pages, 'page')}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------------------------------------- formats


def format_text(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """`path:line:col: severity[code]: message`, an indented hint, a blank line between files. The path,
    message and hint can hold an author's text: control characters are shown as escapes (a hint keeps
    its line breaks), so no diagnostic can retitle a terminal, clear it or fake another line."""
    lines: list[str] = []
    previous_file: str | None = None
    for item in sorted(diagnostics):
        if previous_file is not None and item.file != previous_file:
            lines.append("")
        previous_file = item.file
        where = f"{for_terminal(item.file)}:{item.line}:{item.column}:"
        label = f"{item.severity}[{item.code}]:"
        if color:
            where = _ansi(where, "1")
            label = _ansi(label, "1;31" if item.severity == "error" else "1;33")
        lines.append(f"{where} {label} {for_terminal(item.message)}")
        if item.hint:
            lines.append(f"    hint: {for_terminal(item.hint)}")  # author text in a hint never starts a line
        lines += [f"    related: {for_terminal(str(where))}" for where in item.related]
        if item.caused_by_change:
            lines.append(f"    note: {CAUSED_BY_CHANGE}")
    return "\n".join(lines)


def _ansi(text: str, style: str) -> str:
    return f"\x1b[{style}m{text}\x1b[0m"


def format_json(diagnostics: Sequence[Diagnostic], pages: int) -> str:
    errors, warnings = count(diagnostics)
    items = [_json_item(d) for d in sorted(diagnostics)]
    document = {"diagnostics": items, "errors": errors, "warnings": warnings, "pages": pages}
    return json.dumps(document, indent=2, ensure_ascii=False)


def _json_item(d: Diagnostic) -> dict[str, object]:
    """The seven keys always; `related` and `caused_by_change` only when they say something."""
    item: dict[str, object] = {k: getattr(d, k) for k in ("severity", "code", "file", "line", "column", "message")}
    item["hint"] = d.hint
    if d.related:
        item["related"] = [asdict(where) for where in d.related]
    if d.caused_by_change:
        item["caused_by_change"] = True
    return item


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request, and so
    does each related line. Control characters in author text are shown as escapes (the log is a terminal
    too), then the command's own escaping applies: %, CR and LF in the message, and : and , as well in a
    property."""
    ordered = sorted(diagnostics)
    lines = [_gh_line(d, d.location, _full_message(d)) for d in ordered]
    annotated = {(d.code, d.location) for d in ordered}
    for d in ordered:  # each related line gets its own annotation, unless it already has one for this code
        for where in d.related:
            if (d.code, where) not in annotated:
                annotated.add((d.code, where))
                lines.append(_gh_line(d, where, f"{_full_message(d)}\n(part of the problem reported at {d.location})"))
    return "\n".join(lines)


def _full_message(d: Diagnostic) -> str:
    hint = f"\n{for_terminal(d.hint, keep_newlines=True)}" if d.hint else ""  # %0A below: safe
    return for_terminal(d.message) + hint + (f"\n{CAUSED_BY_CHANGE}" if d.caused_by_change else "")


def _gh_line(d: Diagnostic, where: Location, message: str) -> str:
    props = f"file={_gh_prop(for_terminal(where.file))},line={where.line},col={where.column},title={_gh_prop(d.code)}"
    return f"::{d.severity} {props}::{_gh_data(message)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_sarif(diagnostics: Sequence[Diagnostic], version: str) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it."""
    used = sorted({d.code for d in diagnostics})
    rules = [
        {
            "id": code,
            "shortDescription": {"text": CODES[code][1]},
            "defaultConfiguration": {"level": CODES[code][0]},
        }
        for code in used
    ]
    results = [_sarif_result(d) for d in sorted(diagnostics)]
    document = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hubgen",
                        "version": version,
                        "informationUri": "https://pypi.org/project/hubgen/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _sarif_result(d: Diagnostic) -> dict[str, object]:
    text = d.message + (f" ({d.hint})" if d.hint else "") + (f"; {CAUSED_BY_CHANGE}" if d.caused_by_change else "")
    result: dict[str, object] = {
        "ruleId": d.code,
        "level": d.severity,
        "message": {"text": text},
        "locations": [_sarif_location(d.location)],
    }
    if d.related:
        result["relatedLocations"] = [{"id": n, **_sarif_location(where)} for n, where in enumerate(d.related, 1)]
    if d.caused_by_change:
        result["properties"] = {"causedByChange": True}
    return result


def _sarif_location(where: Location) -> dict[str, object]:
    region = {"startLine": where.line, "startColumn": where.column}
    return {"physicalLocation": {"artifactLocation": {"uri": where.file}, "region": region}}


def format_step_summary(diagnostics: Sequence[Diagnostic], pages: int) -> str:
    """A Markdown table for `$GITHUB_STEP_SUMMARY`."""
    lines = ["## hubgen check", "", summary_line(diagnostics, pages), ""]
    if diagnostics:
        lines += ["| file | line | severity | code | message |", "|---|---|---|---|---|"]
        for d in sorted(diagnostics):
            text = d.message + (f" ({CAUSED_BY_CHANGE})" if d.caused_by_change else "")
            message, file = (for_markdown_cell(part) for part in (text, d.file))
            lines.append(f"| {file} | {d.line}:{d.column} | {d.severity} | `{d.code}` | {message} |")
    return "\n".join(lines) + "\n"
