"""Author text at every sink: the terminal (text and GitHub diagnostics, the CLI's own messages), XML
(feed.xml, sitemap.xml), DOT and Mermaid, and git. Unit tests of `hubgen.base.sinks`, then the sinks in use."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hubkit import BASE, hubgen_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from hubgen import session
from hubgen.base.sinks import BadRef, for_terminal, for_xml, git, git_ref
from hubgen.core import export
from hubgen.core.diagnostics import Diagnostic, format_github, format_step_summary, format_text

ESC = "\x1b"
HOSTILE = f"{ESC}]0;owned\x07{ESC}[2J\r\u202eevil\u2028next\x9b31m\x00"
C0 = "".join(map(chr, range(32)))
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


# ------------------------------------------------------------------------------------------ for_terminal


@pytest.mark.parametrize("code", [*range(0x20), *range(0x7F, 0xA0), 0x202E, 0x2066, 0x2028, 0x2029, 0x200F])
def test_for_terminal_shows_every_control_character_as_an_escape(code: int) -> None:
    shown = for_terminal(f"a{chr(code)}b")
    assert not UNSAFE.search(shown) and shown.isprintable()
    assert shown == f"a\\x{code:02x}b" if code < 0x100 else shown == f"a\\u{code:04x}b"


def test_for_terminal_keeps_line_breaks_only_when_asked() -> None:
    assert for_terminal("a\nb") == "a\\x0ab"
    assert for_terminal("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_for_terminal_output_has_no_control_character(text: str) -> None:
    assert not UNSAFE.search(for_terminal(text))


# --------------------------------------------------------------------------------------------- for_xml


def _parses(value: str) -> str:
    """The text a parser reads back from `value` in an element and in both kinds of quoted attribute. A
    parser turns CR into LF in text, and tab, CR and LF into spaces in an attribute: XML's own rules."""
    document = f"<a x=\"{for_xml(value)}\" y='{for_xml(value)}'>{for_xml(value)}</a>"
    root = ET.fromstring(document.encode("utf-8", "surrogatepass"))
    text = root.text or ""
    assert root.get("x") == root.get("y") == re.sub("[\t\n]", " ", text)
    return text


@pytest.mark.parametrize("start", range(0, 0x110000, 0x800))
def test_for_xml_parses_for_every_code_point(start: int) -> None:
    """All 1,114,112 code points, 2,048 at a time: the result is well-formed as text and in attributes, and
    keeps exactly the characters XML 1.0 allows (a parser normalises a lone CR to LF)."""
    block = "".join(map(chr, range(start, start + 0x800)))
    kept = XML_FORBIDDEN.sub("", block).replace("\r\n", "\n").replace("\r", "\n")
    assert _parses(block) == kept


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())))
def test_for_xml_of_any_text_parses(text: str) -> None:
    _parses(text + "]]>&\"'<")


# -------------------------------------------------------------------------------------------------- git


@pytest.mark.parametrize(
    "ref", ["-", "--output=/tmp/x", "-c", "--upload-pack=touch x", "", "a b", "a\x00b", "a\nb", "\x7f", "x" * 256]
)
def test_git_ref_refuses_options_and_controls(ref: str) -> None:
    with pytest.raises(BadRef):
        git_ref(ref)


@pytest.mark.parametrize("ref", ["main", "origin/main", "HEAD~2", "v1.0", "a" * 40, "feature/x-y_z"])
def test_git_ref_accepts_revisions(ref: str) -> None:
    assert git_ref(ref) == ref


def test_git_runs_with_no_prompt_and_no_repository_configured_tool(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    marker = tmp_path / "PWNED"
    subprocess.run(["git", "-C", str(tmp_path), "config", "core.fsmonitor", f"touch {marker}"], check=True)
    done = git(tmp_path, "status", "--porcelain")
    assert done.returncode == 0 and not marker.exists()


# ------------------------------------------------------------------------------------- diagnostics out


def hostile_diagnostic() -> Diagnostic:
    return Diagnostic(f"content/h/{HOSTILE}.md", 3, 1, "broken-link", "error", f"'{HOSTILE}' names no page", HOSTILE)


def test_text_format_shows_author_controls_as_escapes() -> None:
    out = format_text([hostile_diagnostic()], color=False)
    assert not UNSAFE.search(out.replace("\n", "")) and ESC not in out
    assert out.count("\n") == 1  # the diagnostic line and its hint: nothing faked a third line
    assert "\\x1b]0;owned\\x07" in out and "\\u202e" in out


def test_colour_codes_are_hubgens_own_only() -> None:
    out = format_text([hostile_diagnostic()], color=True)
    assert len(re.findall("\x1b\\[[0-9;]*m", out)) == out.count(ESC) == 4  # hubgen's own colours only


def test_github_format_cannot_start_another_workflow_command() -> None:
    item = Diagnostic("a,b:c%.md", 1, 1, "broken-link", "error", "x\n::set-env name=A::1\r%0A" + ESC, "h\n::warning::y")
    [line] = format_github([item]).splitlines()
    assert line.startswith("::error file=a%2Cb%3Ac%25.md,line=1,col=1,title=broken-link::")
    assert ESC not in line and "\r" not in line and "%250A" in line
    message = line.split("::", 2)[2]
    assert message.startswith("x\\x0a::set-env")  # the message's own line break is shown, not kept
    assert message.endswith("%0Ah%0A::warning::y")  # the hint keeps its lines, %-escaped


def test_step_summary_rows_stay_one_row() -> None:
    item = Diagnostic("a|b\n.md", 1, 1, "broken-link", "error", "x | y\n| z |", "")
    table = format_step_summary([item], 1).splitlines()
    assert table[-1].startswith("| a\\|b\\x0a.md | 1:1 |") and len(table) == 7


def test_the_command_line_escapes_diagnostics_and_errors(make_hub, tmp_path: Path) -> None:
    page = f'---\ntitle: "T{HOSTILE.replace(chr(0), "")}"\nhub: h\nrelated: ["{ESC}]0;x\\x07"]\n---\nbody\n'
    page = page.replace("\x07", "\\a").replace(ESC, "\\e").replace("\x9b", "\\x9b").replace("\r", "\\r")
    project = make_hub({**BASE, "content/h/a.md": page})
    result = hubgen_cli(["check", "-C", str(project)], cwd=project)
    assert result.returncode == 1 and "unknown-reference" in result.stdout
    assert ESC not in result.stdout + result.stderr and "\\x1b]0;x" in result.stdout
    missing = tmp_path / f"no{ESC}]0;x\x07where"
    result = hubgen_cli(["check", "-C", str(missing)], cwd=project)
    assert result.returncode == 2 and ESC not in result.stderr and "\\x1b]0;x\\x07" in result.stderr


# ------------------------------------------------------------------------------------------ feed, sitemap


def _weird_hub() -> dict[str, str | bytes | None]:
    controls = "".join(f"\\x{c:02x}" for c in range(32) if c not in (10,))
    title = f'"C0 {controls} U+FFFE \\uFFFE U+FFFF \\uFFFF ]]> \\" \' & <b> {HOSTILE.replace(chr(0), "")!r}"'
    title = title.replace(ESC, "\\e").replace("\x07", "\\a").replace("\x9b", "\\x9b").replace("\r", "\\r")
    page = f"---\ntitle: {title}\nhub: h\nsummary: {title}\nupdated: 2026-05-01\n---\nbody\n"
    return {
        **BASE,
        "hubgen.yaml": "title: 'Hub & \"friends\" ]]> <x>'\nbase_url: https://example.org/l/\nsearch: false\n",
        "content/h/weird.md": page,
        "content/h/q&a'x.md": '---\ntitle: "Q&A"\nhub: h\nupdated: 2026-05-02\n---\nbody\n',
    }


def test_feed_and_sitemap_are_well_formed_whatever_the_titles(make_hub) -> None:
    project = make_hub(_weird_hub())
    result = session.build(project)
    assert result.check.errors == 0, format_text(result.check.diagnostics)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(result.output / "feed.xml").getroot()
    assert feed.findtext(f"{atom}title") == 'Hub & "friends" ]]> <x>'
    titles = [entry.findtext(f"{atom}title") or "" for entry in feed.iter(f"{atom}entry")]
    weird = next(t for t in titles if t.startswith("C0"))
    assert "]]> \" ' & <b>" in weird and not XML_FORBIDDEN.search(weird)
    ids = [entry.findtext(f"{atom}id") for entry in feed.iter(f"{atom}entry")]
    assert any(i and "q&a'x" in i for i in ids)
    sitemap = ET.parse(result.output / "sitemap.xml").getroot()
    locations = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc and "q&a'x" in loc for loc in locations)


# ---------------------------------------------------------------------------------------- DOT and Mermaid


def test_graph_exports_keep_their_syntax_whatever_the_titles(make_hub) -> None:
    project = make_hub(_weird_hub())
    graph = session.check(project).graph
    assert graph is not None
    dot = export.export(graph, "dot")
    for line in dot.splitlines()[3:-1]:  # one statement per line, each ending as a statement does
        assert re.fullmatch(r'  "(?:[^"\\]|\\.)*"( -> "(?:[^"\\]|\\.)*")? \[.*\];', line), line
    assert not UNSAFE.search(dot.replace("\n", ""))
    mermaid = export.export(graph, "mermaid")
    for line in mermaid.splitlines()[1:]:
        assert re.fullmatch(r'  n\d+(\["[^"]*"\]|\[\["[^"]*"\]\]| \S+\|\w+\| n\d+)', line), line
    assert "<" not in mermaid and not UNSAFE.search(mermaid.replace("\n", ""))
