"""The hubgen command line: flags, finding the project, messages and exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import hubgen
from helpers import read_html, run_cli

HUB = {
    "hubgen.yaml": "title: CLI Hub\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nSee [the hub](topic/index.md).\n",
    "content/topic/index.md": "---\ntype: hub\ntitle: Topic Hub\n---\nStart with [first](first.md).\n",
    "content/topic/first.md": "---\ntitle: First Article\nnext: second\n---\nFirst.\n",
    "content/topic/second.md": "---\ntitle: Second Article\n---\nSecond.\n",
}

SUMMARY = re.compile(r"^Built 4 pages \(1 hub, (\d+) files\) in \d+\.\d\d s -> (.+)/$")


@pytest.fixture
def hub(make_hub) -> Path:
    return make_hub(HUB)


def test_version(tmp_path):
    for flag in ("--version", "-V"):
        outcome = run_cli(flag, cwd=tmp_path)
        assert outcome.exit_code == 0
        assert outcome.stdout.strip() == f"hubgen, version {hubgen.__version__}"


def test_version_from_the_installed_script():
    done = subprocess.run(
        [sys.executable, "-m", "hubgen.cli", "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0
    assert hubgen.__version__ in done.stdout


COUNT_COLLECTIONS = """
import gc, sys
from pathlib import Path
from hubgen import session
from hubgen.cli import main
collections = []
gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
project, how = Path(sys.argv[1]), sys.argv[2]
def run():
    if how == "library":
        session.check(project, jobs=1, bodies=False)
        return
    try:
        main(["check", "-j", "1", "--no-cache", "-C", str(project)])
    except SystemExit:
        pass
run()  # the first run imports what checking needs; the second is the work alone
collections.clear()
run()
print(len(collections), gc.isenabled())
"""


def test_a_command_collects_garbage_more_rarely_than_pythons_default_but_still_does(make_hub):
    """The README's Performance: a run's long-lived records are not scanned again and again by the cyclic
    collector, as they are at Python's defaults (the library's `check` of the same pages shows how often);
    the collector stays on."""
    steps = 200
    files = {**HUB, "content/topic/index.md": "---\ntype: hub\ntitle: Topic Hub\n---\nStart with [s0](s0.md).\n"}
    for n in range(steps):
        files[f"content/topic/s{n}.md"] = (
            f"---\ntitle: Step {n}\n{f'next: s{n + 1}' if n + 1 < steps else ''}\n---\n"
            f"Step {n} of the path, linking [a later step](s{(n * 7) % steps}.md).\n\n## More\n\nWords.\n"
        )
    project = make_hub(files)
    counts = {}
    for how in ("command", "library"):
        done = subprocess.run(
            [sys.executable, "-c", COUNT_COLLECTIONS, str(project), how], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        collections, enabled = done.stdout.split()[-2:]
        counts[how] = int(collections)
        assert enabled == "True"
    assert counts["library"] >= 5, counts
    assert counts["command"] * 5 <= counts["library"], counts


def test_check_starts_without_what_only_a_build_needs(hub):
    """`check` renders nothing, so its start-up leaves out the renderer, Jinja, the writer and urllib."""
    script = (
        "import sys\nfrom hubgen.cli import main\ntry:\n    main(['check', '-C', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in ('jinja2', 'hubgen.build.render', 'hubgen.build.write',"
        " 'urllib.request') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script, str(hub)], capture_output=True, text=True, timeout=60)
    assert "0 errors" in done.stdout and done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr


def test_build_prints_a_one_line_summary(hub):
    outcome = run_cli("build", cwd=hub)
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    assert match.group(2) == "site"
    files = [p for p in (hub / "site").rglob("*") if p.is_file() and p.name != ".hubgen-site"]
    assert 4 < int(match.group(1)) <= len(files)
    assert outcome.stderr == ""
    assert read_html(hub / "site", "topic/first/index.html").one("h1").text == "First Article"


@pytest.mark.parametrize("flag", ["-C", "--project"])
def test_project_option_builds_another_folder(hub, tmp_path, flag):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outcome = run_cli("build", flag, str(hub), cwd=elsewhere)
    assert outcome.exit_code == 0, outcome.output
    assert SUMMARY.match(outcome.stdout.strip())
    assert (hub / "site/topic/second/index.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_project_option_with_a_missing_folder(tmp_path):
    outcome = run_cli("build", "-C", str(tmp_path / "nope"), cwd=tmp_path)
    assert outcome.exit_code == 2
    assert "does not exist" in outcome.output
    assert "Traceback" not in outcome.output


def test_project_is_found_from_a_subfolder(hub):
    outcome = run_cli("build", cwd=hub / "content" / "topic")
    assert outcome.exit_code == 0, outcome.output
    assert (hub / "site/index.html").is_file()
    assert not (hub / "content/topic/site").exists()
    assert SUMMARY.match(outcome.stdout.strip())


def test_output_option(hub, tmp_path):
    out = tmp_path / "out"
    outcome = run_cli("build", "-o", str(out), cwd=hub)
    assert outcome.exit_code == 0, outcome.output
    assert (out / "topic/first/index.html").is_file()
    assert not (hub / "site").exists()


def test_quiet_silences_the_summary(hub):
    outcome = run_cli("build", "-q", cwd=hub)
    assert outcome.exit_code == 0
    assert outcome.stdout == ""
    assert outcome.stderr == ""
    assert (hub / "site/index.html").is_file()


def test_quiet_hides_warnings_but_not_errors(make_hub):
    orphan = {**HUB, "content/topic/lonely.md": "---\ntitle: Lonely\n---\nNobody links here.\n"}
    project = make_hub(orphan)
    loud = run_cli("build", cwd=project)
    assert loud.exit_code == 0
    assert "warning[orphan-page]" in loud.stderr
    quiet = run_cli("build", "-q", cwd=project)
    assert quiet.exit_code == 0
    assert quiet.output == ""
    make_hub({"content/topic/lonely.md": "---\ntitle: Lonely\nnext: nowhere\n---\nx\n"})
    failed = run_cli("build", "-q", cwd=project)
    assert failed.exit_code == 1
    assert "error[unknown-reference]" in failed.stderr
    assert "warning" not in failed.stderr.split("build failed")[0]


def test_content_errors_exit_1_and_write_nothing(make_hub):
    project = make_hub({**HUB, "content/topic/second.md": "---\ntitle: Second\nrelated: [missing-page]\n---\nx\n"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 1
    assert "content/topic/second.md:3:" in outcome.stderr
    assert "error[unknown-reference]" in outcome.stderr
    assert "missing-page" in outcome.stderr
    assert "build failed: 1 error" in outcome.stderr
    assert "nothing written" in outcome.stderr
    assert outcome.stdout == ""
    assert not (project / "site").exists()


def test_strict_turns_warnings_into_failure(make_hub):
    project = make_hub({**HUB, "content/topic/lonely.md": "---\ntitle: Lonely\n---\nx\n"})
    outcome = run_cli("build", "--strict", cwd=project)
    assert outcome.exit_code == 1
    assert "warning[orphan-page]" in outcome.stderr
    assert "--strict" in outcome.stderr
    assert not (project / "site").exists()


def test_drafts_flag(make_hub):
    project = make_hub({**HUB, "content/topic/draft.md": "---\ntitle: A Draft\ndraft: true\n---\nSoon.\n"})
    assert run_cli("build", "-q", cwd=project).exit_code == 0
    assert not (project / "site/topic/draft").exists()
    outcome = run_cli("build", "--drafts", cwd=project)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.startswith("Built 5 pages")
    assert read_html(project / "site", "topic/draft/index.html").one("h1").text == "A Draft"


def test_unknown_config_key_with_a_hint(make_hub):
    project = make_hub({**HUB, "hubgen.yaml": "language: en\ntitel: My Hub\n"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 2
    assert "hubgen.yaml:2:1: error[config-unknown-key]: unknown setting 'titel'" in outcome.stderr
    assert "did you mean 'title'?" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert not (project / "site").exists()


def test_wrong_config_type_points_at_the_value(make_hub):
    project = make_hub({**HUB, "hubgen.yaml": "title: CLI Hub\nmarkdown:\n  html: maybe\noutput_dir: [a, b]\n"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 2
    assert "hubgen.yaml:3:9: error[config-type]: 'markdown.html' must be true or false, not a string" in outcome.stderr
    assert "hubgen.yaml:4:13: error[config-type]: 'output_dir' must be a string, not a list" in outcome.stderr
    assert "Traceback" not in outcome.output


def test_invalid_yaml_config(make_hub):
    project = make_hub({**HUB, "hubgen.yaml": "title: [unclosed\n"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 2
    assert re.search(r"hubgen\.yaml:\d+:\d+: error\[config-syntax\]", outcome.stderr)
    assert "Traceback" not in outcome.output


def test_missing_content_folder(make_hub):
    project = make_hub({"hubgen.yaml": "title: Empty\n"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("hubgen: error: no content folder")
    assert str(project / "content") in outcome.stderr
    assert "-C DIR" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert outcome.exception is None


def test_unsafe_output_folder_exit_2(make_hub):
    project = make_hub({**HUB, "site/mine.txt": "precious"})
    outcome = run_cli("build", cwd=project)
    assert outcome.exit_code == 2
    assert "not written by hubgen" in outcome.stderr
    assert (project / "site/mine.txt").read_text() == "precious"
    assert sorted(p.name for p in (project / "site").iterdir()) == ["mine.txt"]


def test_the_hubgen_script_in_a_subprocess(hub):
    script = Path(sys.executable).parent / "hubgen"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hubgen.cli"]
    done = subprocess.run([*command, "build"], cwd=hub, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert SUMMARY.match(done.stdout.strip())
    bad = subprocess.run(
        [*command, "build", "-C", str(hub / "content" / "nope")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
