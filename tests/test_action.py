"""The GitHub Action at the repository's root (action.yml): its shell steps, run as a runner would run them
(`bash --noprofile --norc -eo pipefail`, each `${{ }}` expression replaced by its value), in a temporary
project: the exit code and annotations for a good hub, a broken one, `strict`, and `changed-since` on a pull
request (old errors of the base branch are not blamed on it).

The install step is run with a stand-in `python` that records its command line: really installing would
replace this environment's hubgen and fetch the build backend from a package index. The check step runs the
hubgen of this checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import write_files

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
GOOD = {
    "hubgen.yaml": "title: Action Hub\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nSee [the basics](basics/index.md).\n",
    "content/basics/index.md": "---\ntitle: Basics\ntype: hub\n---\nRead [Alpha](alpha.md).\n",
    "content/basics/alpha.md": "---\ntitle: Alpha\nhub: basics\n---\nAlpha, then [the hub](index.md).\n",
}


def run_steps(tmp_path: Path, workspace: Path, inputs: dict[str, str], base_ref: str = "") -> tuple[int, str, str]:
    """Every `run` step of the action, in order, as a runner runs it; (exit code of the first that fails, or
    0), what the steps printed, and the stand-in python's record of its command line."""
    values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values |= {f"inputs.{name}": value for name, value in inputs.items()}
    values |= {"github.action_path": str(REPO), "github.base_ref": base_ref}
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    record = tmp_path / "python-calls"
    (tools / "python").write_text(f'#!/bin/sh\necho "$@" >> "{record}"\n')
    (tools / "hubgen").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hubgen.cli "$@"\n')
    for tool in tools.iterdir():
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO / "src")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    printed = ""
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach the script through the environment only"
        step_env = {name: substitute(str(value), values) for name, value in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        printed += done.stdout + done.stderr
        if done.returncode:
            return done.returncode, printed, record.read_text() if record.exists() else ""
    return 0, printed, record.read_text() if record.exists() else ""


def substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)


def test_a_good_hub_passes_and_hubgen_is_installed_from_the_actions_checkout(tmp_path: Path) -> None:
    workspace = write_files(tmp_path / "repo", {f"docs/{rel}": text for rel, text in GOOD.items()})
    code, printed, installs = run_steps(tmp_path, workspace, {"project": "docs"})
    assert code == 0, printed
    assert "::error" not in printed
    assert installs.split() == ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", str(REPO)]


def test_a_broken_hub_fails_with_an_annotation_at_the_line(tmp_path: Path) -> None:
    broken = {**GOOD, "content/basics/alpha.md": "---\ntitle: Alpha\nhub: basics\n---\nSee [gone](gone.md).\n"}
    workspace = write_files(tmp_path / "repo", broken)
    code, printed, _ = run_steps(tmp_path, workspace, {})
    assert code == 1
    assert "::error file=content/basics/alpha.md,line=5,col=12,title=broken-link::" in printed


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    orphan = {**GOOD, "content/basics/lonely.md": "---\ntitle: Lonely\nhub: basics\n---\nNobody links here.\n"}
    workspace = write_files(tmp_path / "repo", orphan)
    assert run_steps(tmp_path, workspace, {})[0] == 0
    code, printed, _ = run_steps(tmp_path, workspace, {"strict": "true"})
    assert code == 1 and "title=orphan-page::" in printed
    assert run_steps(tmp_path, workspace, {"strict": "maybe"})[0] == 2


def test_on_a_pull_request_only_what_it_made_new_fails(tmp_path: Path) -> None:
    old_error = {**GOOD, "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\n---\nSee [gone](gone.md).\n"}
    workspace = write_files(tmp_path / "repo", old_error)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-qm", "base, with an old broken link")
    git(workspace, "update-ref", "refs/remotes/origin/main", "HEAD")  # as `fetch-depth: 0` leaves it
    (workspace / "content/basics/alpha.md").write_text("---\ntitle: Alpha\nhub: basics\n---\nAlpha, edited.\n")
    git(workspace, "commit", "-qam", "a good change")
    assert run_steps(tmp_path, workspace, {}, base_ref="main")[0] == 0, "the base branch's error is not blamed"
    assert run_steps(tmp_path, workspace, {}, base_ref="")[0] == 1, "on a push the whole hub is judged"
    assert run_steps(tmp_path, workspace, {"changed-since": ""}, base_ref="main")[0] == 1
    (workspace / "content/basics/alpha.md").write_text("---\ntitle: Alpha\nhub: basics\n---\n[x](nowhere.md)\n")
    git(workspace, "commit", "-qam", "a broken change")
    code, printed, _ = run_steps(tmp_path, workspace, {}, base_ref="main")
    assert code == 1 and "file=content/basics/alpha.md" in printed and "file=content/basics/beta.md" not in printed


def git(workspace: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, *args], cwd=workspace, check=True)
