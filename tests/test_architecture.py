"""The package's shape, enforced: each layer imports only the layers below it (import-linter's contracts in
pyproject.toml), and `check` never loads the output side."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over the hubgen package found in `src`, with the project's contracts."""
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", script, "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=src,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_contract_is_kept() -> None:
    done = lint_imports(REPO / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_core_module_importing_the_renderer_breaks_the_contracts(tmp_path: Path) -> None:
    """The contracts can fail: the core reaching up into the build side, or loading Jinja, is caught."""
    shutil.copytree(REPO / "src/hubgen", tmp_path / "hubgen", ignore=shutil.ignore_patterns("__pycache__"))
    graph = tmp_path / "hubgen/core/graph.py"
    graph.write_text(graph.read_text() + "\n\ndef _upward() -> None:\n    import hubgen.build.render  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert "hubgen.core.graph -> hubgen.build.render" in done.stdout


def test_check_loads_no_build_serve_or_template_module(tmp_path: Path) -> None:
    project = tmp_path / "hub"
    (project / "content").mkdir(parents=True)
    (project / "content/index.md").write_text("# Home\n\nA hub.\n", encoding="utf-8")
    script = (
        "import sys\nfrom hubgen.cli import main\ntry:\n    main(['check', '--no-cache', '-C', sys.argv[1]])\n"
        "except SystemExit as done:\n    print('exit', done.code)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('hubgen.build', 'hubgen.serve', 'jinja2', "
        "'watchfiles', 'pagefind'))))"
    )
    done = subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-2:] == ["exit 0", "[]"], done.stdout + done.stderr
