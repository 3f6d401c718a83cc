"""The README is the contract a newcomer reads: its commands must be the ones CI runs, and its tables
must cover every diagnostic code and hubgen.yaml key."""

from __future__ import annotations

import re
from pathlib import Path

from hubgen.core.config import settings_rows, settings_table
from hubgen.core.diagnostics import CODES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.DOTALL)


def test_readme_has_exactly_two_setup_commands_install_build_and_test() -> None:
    commands = setup_commands()
    assert len(commands) == 2
    install, test = commands
    assert "pip install ." in install and "hubgen build" in install
    assert "chromium" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_every_diagnostic_code_is_documented_with_its_default_severity() -> None:
    for code, (severity, _) in CODES.items():
        assert re.search(rf"\| `{re.escape(code)}` \| {severity} \|", README), code


def test_every_setting_is_documented() -> None:
    keys = [key for key, _, _ in settings_rows()]
    assert {"title", "markdown.html", "external.exclude", "checks"} <= set(keys)
    for key in keys:
        assert f"| `{key}` |" in README, key


def test_the_settings_table_is_the_one_the_schema_makes() -> None:
    """The README's table is `config.settings_table()`, row for row: the schema is written once."""
    section = README.split("## Settings: hubgen.yaml", 1)[1].split("\n## ", 1)[0]
    table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    assert table == settings_table()


def test_the_install_command_brings_everything_the_parser_needs() -> None:
    """The parser turns on linkify, which markdown-it-py runs through linkify-it-py only with its `linkify`
    extra: without it a clean `pip install .` built nothing (found by trying the README in a fresh venv)."""
    import tomllib

    from hubgen.core.markdown import _QuickLinkify

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("markdown-it-py[linkify]") for d in dependencies)
    try:
        _QuickLinkify(None)
    except RuntimeError as error:
        assert "pip install 'markdown-it-py[linkify]'" in str(error)
    else:
        raise AssertionError("a missing linkify-it-py must be named, not fail later on None")
