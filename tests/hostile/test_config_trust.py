"""A hostile hubgen.yaml: YAML bombs, deep nesting, object tags and values that would break a sink or make
work unbounded are each a diagnostic at the value's line and column, exit 2, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hubkit import BASE, hubgen_cli, tree_bytes

from hubgen import session
from hubgen.cli import app
from hubgen.core.config import LIMITS, parse_config
from hubgen.core.diagnostics import Diagnostic

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True)
)


def problems(text: str) -> list[tuple[str, int, int]]:
    started = time.monotonic()
    _config, found = parse_config(text)
    assert time.monotonic() - started < 2
    return [(d.code, d.line, d.column) for d in found]


def only(text: str) -> Diagnostic:
    [item] = parse_config(text)[1]
    assert item.file == "hubgen.yaml" and item.severity == "error"
    return item


# ------------------------------------------------------------------------------------------- YAML itself


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (BOMB, (5, 8), "alias bomb"),
        (BOMB + "title: *i\n", (5, 8), "alias bomb"),
        ("external:\n  exclude: " + "[" * 1000 + "]" * 1000 + "\n", (2, 74), "nested more than 64 deep"),
        ("".join("  " * i + "k:\n" for i in range(1000)), (65, 129), "nested more than 64 deep"),
        ("title: &a [*a]\n", (1, 12), "contains it"),
        ("a: &a [1]\n" + "".join(f"k{i}: *a\n" for i in range(101)), (102, 7), "more than 100 aliases"),
        ("title: x\n" + "#" * LIMITS.max_bytes + "\n", (1, 1), "bytes"),
        ("title: !!python/object/apply:os.system ['touch PWNED']\n", (1, 8), "constructor"),
        ("title: !!python/name:os.system\n", (1, 8), "constructor"),
        ("external: !!python/object:os.Foo {}\n", (1, 11), "constructor"),
        ("checks: !!omap [a: 1]\n", (1, 9), "constructor"),
        ("title: a\n---\ntitle: b\n", (2, 1), "single document"),
        ("title: *nowhere\n", (1, 8), "undefined alias"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_hostile_yaml_is_config_syntax_at_its_position(text: str, where: tuple[int, int], words: str) -> None:
    assert problems(text) == [("config-syntax", *where)]
    assert words in only(text).message


def test_object_tags_never_run(tmp_path: Path, make_hub) -> None:
    marker = tmp_path / "PWNED"
    config = f"title: !!python/object/apply:os.system ['touch {marker}']\nsearch: false\n"
    project = make_hub({**BASE, "hubgen.yaml": config})
    result = hubgen_cli(["check", "-C", str(project)], cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "hubgen.yaml:1:8" in result.stdout + result.stderr and not marker.exists()


@pytest.mark.parametrize(
    "config",
    [BOMB, "title: " + "[" * 100_000 + "\n", "title: !!python/name:os.system\n", "base_url: https://[::1/\n"],
    ids=["bomb", "deep", "tag", "ipv6"],
)
def test_the_command_line_exits_2_quickly_and_writes_nothing(make_hub, config: str) -> None:
    project = make_hub({**BASE, "hubgen.yaml": config})
    before = tree_bytes(project)
    started = time.monotonic()
    result = hubgen_cli(["build", "-C", str(project)], cwd=project, timeout=30)
    assert time.monotonic() - started < 20
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "error[config-" in result.stderr
    assert tree_bytes(project) == before and not (project / "site").exists()


# ------------------------------------------------------------------------------------------ setting values


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("base_url: https://[::1/\n", (1, 11), "Invalid IPv6 URL"),
        ("base_url: 'https://example.org/\" onload=\"x'\n", (1, 11), "is not allowed"),
        ("base_url: 'https://example.org/a b/'\n", (1, 11), "is not allowed"),
        ("base_url: 'https://example.org/<script>'\n", (1, 11), "is not allowed"),
        ("base_url: 'https://example.org/\\x1b'\n".replace("'", '"'), (1, 11), "is not allowed"),
        ("base_url: https://example.org/?a=b\n", (1, 11), "no query"),
        ("base_url: https://example.org/#top\n", (1, 11), "no query"),
        ("base_url: https://user:pw@example.org/\n", (1, 11), "user name"),
        ("base_url: https://example.org:99999/\n", (1, 11), "Port out of range"),
        ("base_url: javascript:alert(1)\n", (1, 11), "absolute http(s) URL"),
        ("base_url: https:///path\n", (1, 11), "absolute http(s) URL"),
        ("base_url: https://example.org/%zz\n", (1, 11), "is not allowed"),
        ("language: 'en\" onload=\"x'\n", (1, 11), "language tag"),
        ("language: en_US-\n", (1, 11), "language tag"),
        ("language: ''\n", (1, 11), "language tag"),
        ('title: "Hub\\x1b]0;owned\\x07"\n', (1, 8), "U+001B"),
        ('description: "a\\x85b"\n', (1, 14), "U+0085"),
        ('faq_heading: "a\\x00b"\n', (1, 14), "U+0000"),
        ('output_dir: "si\\x00te"\n', (1, 13), "U+0000"),
        ("content_dir: ' '\n", (1, 14), "empty"),
        ("external:\n  timeout: .nan\n", (2, 12), "more than 0"),
        ("external:\n  timeout: .inf\n", (2, 12), "more than 0"),
        ("external:\n  timeout: -1\n", (2, 12), "more than 0"),
        ("external:\n  timeout: 0\n", (2, 12), "more than 0"),
        ("external:\n  timeout: 301\n", (2, 12), "at most 300"),
        ("external:\n  timeout: " + "9" * 400 + "\n", (2, 12), "at most 300"),
        ("external:\n  retries: 1000000\n", (2, 12), "0 to 10"),
        ("external:\n  retries: -1\n", (2, 12), "0 to 10"),
        ("external:\n  per_host: 0\n", (2, 13), "1 to 64"),
        ("external:\n  per_host: 100000\n", (2, 13), "1 to 64"),
        ("external:\n  cache_ttl: -5\n", (2, 14), "0 or more"),
        ("external:\n  cache_ttl: .nan\n", (2, 14), "0 or more"),
        ("external:\n  timeout: !!float 1e400\n", (2, 12), "more than 0"),
        ("title: !!timestamp 2026-02-30\n", (1, 8), "not a valid value"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_values_are_config_type_at_their_line(text: str, where: tuple[int, int], words: str) -> None:
    assert problems(text) == [("config-type", *where)]
    item = only(text)
    assert words in item.message and item.hint


@pytest.mark.parametrize(
    "text",
    [
        "language: en_US\n",  # as locales write it: browsers read it, and no sink can be broken by it
        "base_url: https://bücher.example/\n",  # an international host, as an IRI
        "base_url: https://example.org/wiki/Über/\n",
        'base_url: "https://example.org/it\'s/"\n',  # every sink escapes a single quote
        "base_url: https://user.github.io/repo/\n",
    ],
)
def test_real_world_values_are_accepted(text: str) -> None:
    assert problems(text) == []


def test_each_exclude_pattern_is_checked_at_its_item() -> None:
    items = ["^https://ok\\.example/", "'['", "'(a+)+$'", "[nested]", "'x{'"]
    text = "external:\n  exclude:\n" + "".join(f"    - {item}\n" for item in items)
    assert problems(text) == [("config-type", 4, 7), ("config-type", 5, 7), ("config-type", 6, 7)]
    messages = [d.message for d in parse_config(text)[1]]
    assert "bad pattern '['" in messages[0] and "exponential" in messages[1] and "must be a string" in messages[2]


def test_an_exclude_problem_names_the_setting_and_its_item() -> None:
    """Each pattern is compiled when hubgen.yaml is read: a `config-type` error at the item, naming the setting."""
    found = parse_config("external:\n  exclude: ['ok', '(', 7, [x]]\n")[1]
    assert [(d.code, d.line, d.column, d.message) for d in found] == [
        ("config-type", 2, 19, "external.exclude: bad pattern '(': missing ), unterminated subpattern at position 0"),
        ("config-type", 2, 27, "each external.exclude item must be a string (a pattern)"),
    ]


def test_good_values_are_kept_and_normalised() -> None:
    text = (
        'base_url: https://Example.org:8443/learn\nlanguage: zh-Hant-TW\ntitle: "Tabs\\tand\\nbreaks"\n'
        "external:\n  timeout: 2.5\n  retries: 0\n  per_host: 64\n  cache_ttl: 0\n  exclude: ['^https://a/', 42]\n"
    )
    config, found = parse_config(text)
    assert found == []
    assert config.site_url == "https://Example.org:8443/learn/" and config.base_path == "/learn/"
    assert config.language == "zh-Hant-TW" and config.title == "Tabs\tand\nbreaks"
    assert config.external.exclude == ("^https://a/", "42") and config.external.timeout == 2.5


def test_a_bad_exclude_stops_before_the_network(make_hub) -> None:
    """Refused when hubgen.yaml is read, at the item's line, not when links are checked."""
    project = make_hub({**BASE, "hubgen.yaml": "external:\n  exclude:\n    - ok\n    - '('\n"})
    result = session.check(project, external=True)
    assert result.config_broken
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("config-type", 4, 7)]


def test_a_huge_hubgen_yaml_is_refused_without_reading_it_all(make_hub) -> None:
    project = make_hub({**BASE, "hubgen.yaml": None})
    with (project / "hubgen.yaml").open("wb") as stream:
        stream.write(b"title: x\n")
        stream.truncate(1 << 30)  # a sparse gigabyte of NULs
    started = time.monotonic()
    result = session.check(project)
    assert time.monotonic() - started < 5
    assert [(d.code, d.line) for d in result.diagnostics] == [("config-syntax", 1)]


# -------------------------------------------------------------------------------------------------- --jobs


def test_jobs_is_capped_at_the_cpus(make_hub, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = session.Session.check

    def spy(self: session.Session) -> session.CheckResult:
        seen.append(self.options.jobs)
        return real(self)

    monkeypatch.setattr(session.Session, "check", spy)
    project = make_hub(BASE)
    from helpers import run_cli

    result = run_cli("check", "-C", str(project), "-j", "10000")
    assert result.exit_code == 0
    assert seen == [app.max_jobs()] and 1 <= seen[0] <= app.MAX_JOBS
    result = run_cli("check", "-C", str(project), "-j", "0")
    assert result.exit_code == 2


# ------------------------------------------------------------------- the same reader reads front matter


def test_deep_front_matter_is_a_diagnostic_not_a_crash(make_hub) -> None:
    """yaml.compose recursed once per level: the C loader crashed the process at 100,000 levels."""
    page = "---\ntitle: " + "[" * 100_000 + "\nhub: h\n---\nbody\n"
    project = make_hub({**BASE, "content/h/deep.md": page})
    started = time.monotonic()
    result = hubgen_cli(["check", "-C", str(project)], cwd=project, timeout=30)
    assert time.monotonic() - started < 20
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/h/deep.md:2:71: error[frontmatter-syntax]" in result.stdout
    assert "nested more than 64 deep" in result.stdout
