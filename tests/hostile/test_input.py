"""Hostile file contents: every bad file is a diagnostic at the right place, never a traceback, and the
rest of the hub is still checked."""

from __future__ import annotations

import time
from pathlib import Path

from hubkit import BASE, article, diags, errors, found, hub_files

from helpers import build_site, run_cli
from hubgen.base.files import MAX_PAGE_BYTES


def test_empty_page_is_missing_title_and_the_hub_still_checks(make_hub):
    project = make_hub(hub_files(a=b"", b=article("B", "next: nowhere\n")))
    assert errors(project) == [
        ("missing-title", "content/h/a.md", 1, 1),
        ("unknown-reference", "content/h/b.md", 4, 7),
    ]


def test_binary_page_is_file_unreadable_at_the_nul_line(make_hub):
    project = make_hub(hub_files(a=b"---\ntitle: A\nhub: h\n---\nok\nbad \x00 byte\n"))
    [d] = [d for d in diags(project) if d.code == "file-unreadable"]
    assert (d.file, d.line, d.column, d.severity) == ("content/h/a.md", 6, 1, "error")
    assert "binary" in d.message and "NUL" in d.message
    # the unreadable page is still a known file: a link to it is not also a broken link
    make_hub({"content/h/ok.md": article("Ok", body="[a](a.md)\n")})
    assert [c for c, *_ in errors(project)] == ["file-unreadable"]


def test_non_utf8_page_names_the_byte_line_and_column(make_hub):
    project = make_hub(hub_files(a=b"---\ntitle: A\nhub: h\n---\nline\ncaf\xe9 au lait\n"))
    [d] = [d for d in diags(project) if d.code == "file-unreadable"]
    assert (d.file, d.line, d.column) == ("content/h/a.md", 6, 4)
    assert "0xe9" in d.message and "offset 32" in d.message
    assert d.hint == "save the file as UTF-8"


def test_non_utf8_column_counts_characters_not_bytes(make_hub):
    project = make_hub(hub_files(a="---\ntitle: A\nhub: h\n---\nçà".encode() + b"\xff\n"))
    assert found(project, "file-unreadable") == [("file-unreadable", "content/h/a.md", 5, 3)]


def _variants(text: str) -> dict[str, bytes]:
    lf = text.encode()
    return {
        "lf": lf,
        "bom": b"\xef\xbb\xbf" + lf,
        "crlf": text.replace("\n", "\r\n").encode(),
        "cr": text.replace("\n", "\r").encode(),
        "bom-crlf": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    }


PAGE = (
    "---\ntitle: Line endings\nhub: h\nsummary: A summary.\nnext: nowhere\n---\n"
    "# Heading\n\nSome *text* and [a broken link](gone.md).\n\n```python\nx = 1\n```\n\n- a\n- b\n"
)


def test_bom_crlf_and_cr_give_the_same_diagnostics_as_lf(make_hub):
    expected = [
        ("broken-link", "content/h/page.md", 9, 33),
        ("unknown-reference", "content/h/page.md", 5, 7),
    ]
    for name, data in _variants(PAGE).items():
        project = make_hub(hub_files(page=data), name=name)
        assert sorted(errors(project)) == expected, name


def test_bom_crlf_and_cr_give_the_same_html_as_lf(make_hub):
    fine = PAGE.replace("next: nowhere\n", "").replace("gone.md", "ok.md")
    pages = {}
    for name, data in _variants(fine).items():
        site = build_site(make_hub(hub_files(page=data), name=name))
        pages[name] = (site / "h/page/index.html").read_bytes()
    assert b"<title>Line endings" in pages["lf"]
    assert b"\r" not in pages["lf"] and b"\xef\xbb\xbf" not in pages["lf"]
    assert all(html == pages["lf"] for html in pages.values()), [k for k, v in pages.items() if v != pages["lf"]]


def test_page_over_8_mib_is_file_too_large_and_not_parsed(make_hub):
    huge = b"---\ntitle: Huge\nhub: h\nnext: nowhere\n---\n" + b"x" * MAX_PAGE_BYTES
    project = make_hub(hub_files(huge=huge, b=article("B", "next: also-nowhere\n")))
    started = time.perf_counter()
    got = errors(project)
    assert time.perf_counter() - started < 5
    # not parsed: no unknown-reference for its `next`; the other page is still checked
    assert got == [
        ("unknown-reference", "content/h/b.md", 4, 7),
        ("file-too-large", "content/h/huge.md", 1, 1),
    ]


def test_page_of_exactly_8_mib_is_read(make_hub):
    head = b"---\ntitle: Big\nhub: h\n---\n"
    project = make_hub(hub_files(big=head + b"y" * (MAX_PAGE_BYTES - len(head))))
    assert errors(project) == []


def test_ten_thousand_related_items_are_diagnosed_quickly(make_hub):
    related = "related:\n" + "".join(f"  - missing-{i}\n" for i in range(10_000))
    project = make_hub(hub_files(a=article("A", related)))
    started = time.perf_counter()
    got = errors(project)
    assert time.perf_counter() - started < 5
    assert len(got) == 10_000
    assert got[0] == ("unknown-reference", "content/h/a.md", 5, 5)
    assert got[-1] == ("unknown-reference", "content/h/a.md", 10_004, 5)


def test_ten_thousand_valid_related_items_build(make_hub):
    related = "related:\n" + "  - ok\n" * 10_000
    project = make_hub(hub_files(a=article("A", related)))
    started = time.perf_counter()
    site = build_site(project)
    assert time.perf_counter() - started < 10
    assert (site / "h/a/index.html").read_text().count('href="../ok/"') >= 1


def test_thousands_of_nested_lists_and_quotes_do_not_recurse_forever(make_hub):
    body = (
        "Before the deep part.\n\n"
        + ">" * 5000
        + " deep quote\n\n"
        + "- " * 5000
        + "deep item\n\n"
        + "1. " * 3000
        + "x\n\n"
        + "[" * 5000
        + "\n"
    )
    nested = "".join("  " * i + "- item\n" for i in range(1500))
    project = make_hub(hub_files(a=article("Deep", body=body + "\n" + nested)))
    assert errors(project) == []
    site = build_site(project)
    html = (site / "h/a/index.html").read_text()
    # markdown-it stops nesting at its limit (content past it is dropped, as upstream does): no crash
    assert "<p>Before the deep part.</p>" in html
    assert html.count("<blockquote>") == html.count("</blockquote>") > 0


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_yaml_alias_bomb_in_known_keys_is_diagnosed_fast(make_hub):
    text = "---\ntitle: Bomb\nhub: h\nx:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines())
    text += "tags: *i\nrelated: *i\nsummary: *i\n---\nbody\n"
    project = make_hub(hub_files(bomb=text))
    started = time.perf_counter()
    got = found(project, "frontmatter-type")
    assert time.perf_counter() - started < 3
    # an alias is reported where its anchor is defined: `i: &i [...]`
    assert got == [("frontmatter-type", "content/h/bomb.md", 13, 6)] * 3


def test_yaml_alias_bomb_as_the_whole_front_matter_is_not_expanded(make_hub):
    project = make_hub(hub_files(bomb="---\n" + BOMB + "---\n# Bomb\n"))
    started = time.perf_counter()
    got = found(project, "frontmatter-unknown-key", "missing-hub")
    assert time.perf_counter() - started < 3
    assert ("missing-hub", "content/h/bomb.md", 1, 1) not in got  # the folder's hub stands in
    assert [line for _c, _f, line, _col in got] == list(range(2, 11))


def test_python_tags_are_a_syntax_error_and_never_run(make_hub, tmp_path: Path):
    marker = tmp_path / "PWNED"
    for number, tag in enumerate(("!!python/object/apply:os.system", "!!python/object/new:os.system")):
        text = f"---\ntitle: {tag} ['touch {marker}']\nhub: h\n---\nbody\n"
        project = make_hub(hub_files(a=text), name=f"p{number}")
        [d] = [d for d in diags(project) if d.code == "frontmatter-syntax"]
        assert (d.file, d.line, d.column) == ("content/h/a.md", 2, 8)
        assert "safe loader" in d.hint
        result = run_cli("build", "-C", str(project))
        assert result.exit_code == 1 and result.exception is None
        assert "frontmatter-syntax" in result.output
    # under an unknown key the value is never even constructed
    text = f"---\ntitle: A\nhub: h\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    project = make_hub(hub_files(a=text), name="p-unknown")
    assert found(project, "frontmatter-unknown-key") == [("frontmatter-unknown-key", "content/h/a.md", 4, 1)]
    assert not marker.exists()


def test_duplicate_key_is_a_warning_and_the_last_wins(make_hub):
    project = make_hub(hub_files(a=article("First", "title: Second\n")))
    [d] = [d for d in diags(project) if d.code == "frontmatter-duplicate-key"]
    assert (d.file, d.line, d.column, d.severity) == ("content/h/a.md", 4, 1, "warning")
    assert "'title' is given twice" in d.message
    assert "<title>Second" in (build_site(project) / "h/a/index.html").read_text()


def test_tab_indentation_is_a_syntax_error_with_the_tab_hint(make_hub):
    project = make_hub(hub_files(a="---\ntitle: A\nhub: h\nrelated:\n\t- ok\n---\nbody\n"))
    [d] = [d for d in diags(project) if d.code == "frontmatter-syntax"]
    assert (d.file, d.line, d.column) == ("content/h/a.md", 5, 1)
    assert d.hint == "YAML does not allow tabs for indentation; use spaces"


def test_tab_error_line_is_right_with_crlf(make_hub):
    project = make_hub(hub_files(a=b"---\r\ntitle: A\r\nhub: h\r\nrelated:\r\n\t- ok\r\n---\r\nbody\r\n"))
    assert found(project, "frontmatter-syntax") == [("frontmatter-syntax", "content/h/a.md", 5, 1)]


def test_five_broken_pages_are_all_reported_in_one_check(make_hub):
    project = make_hub(
        hub_files(
            binary=b"\x00\x01",
            latin=b"---\ntitle: L\n---\n\xe9\n",
            unclosed="---\ntitle: U\nhub: h\nbody\n",
            typed=article("T", "draft: maybe\n"),
            linky=article("K", body="\n[x](missing.md)\n"),
        )
    )
    result = run_cli("check", "-C", str(project))
    assert result.exit_code == 1 and result.exception is None
    lines = [line for line in result.stdout.splitlines() if ": error[" in line]
    assert [line.split(": error[")[0] for line in lines] == [
        "content/h/binary.md:1:1",
        "content/h/latin.md:4:1",
        "content/h/linky.md:6:5",
        "content/h/typed.md:4:8",
        "content/h/unclosed.md:1:1",
    ]
    codes = [line.split("[")[1].split("]")[0] for line in lines]
    assert codes == ["file-unreadable", "file-unreadable", "broken-link", "frontmatter-type", "frontmatter-unclosed"]
    assert "5 errors" in result.stdout


def test_base_hub_is_clean(make_hub):
    assert diags(make_hub(BASE)) == [] or all(d.severity == "warning" for d in diags(make_hub(BASE)))


def test_impossible_dates_are_a_type_error_not_a_traceback(make_hub):
    project = make_hub(hub_files(a=article("A", "updated: 2026-02-30\n"), b=article("B", "updated: 2026-13-01\n")))
    got = [(d.code, d.file, d.line, d.column, d.severity) for d in diags(project) if d.code == "frontmatter-type"]
    assert got == [
        ("frontmatter-type", "content/h/a.md", 4, 10, "error"),
        ("frontmatter-type", "content/h/b.md", 4, 10, "error"),
    ]
    result = run_cli("build", "-C", str(project))
    assert result.exception is None and result.exit_code == 1
