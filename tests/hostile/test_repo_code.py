"""No code from the repository runs, and no file outside it is read or chosen as the output: a pull request's
templates run in Jinja's sandbox and are read only from their folder, and the folders hubgen.yaml names
stay inside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hubkit import CONFIG, hub_files, tree_bytes

from helpers import run_cli

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch {canary}') }}",
    "{{ lipsum.__globals__['os'].popen('touch {canary}').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {canary}') }}",
    "{{ page.__class__.__init__.__globals__ }}",
    "{% set x = namespace() %}{{ x.__class__.__init__.__globals__['sys'].modules['os'].system('touch {canary}') }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_cannot_reach_python(make_hub, tmp_path: Path, escape: str) -> None:
    canary = tmp_path / "ran"
    project = make_hub({**hub_files(), "templates/article.html": escape.replace("{canary}", str(canary))})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2, result.output
    assert "template error" in result.stderr and "Traceback" not in result.output
    assert not canary.exists()
    assert not (project / "site").exists()


def test_a_template_linked_out_of_templates_is_not_read(make_hub, tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("TOP-SECRET {{ page.title }}", encoding="utf-8")
    project = make_hub(hub_files())
    (project / "templates").mkdir()
    os.symlink(secret, project / "templates" / "article.html")
    os.symlink(secret, project / "templates" / "static.css")
    (project / "templates" / "static").mkdir()
    os.symlink(secret, project / "templates" / "static" / "leak.txt")
    os.symlink(project / "templates" / "static", project / "templates" / "static" / "loop")
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 0, result.output
    site = tree_bytes(project / "site")
    assert not any(b"TOP-SECRET" in data for data in site.values())
    assert not any("leak" in name or "loop" in name for name in site)
    assert b"Ok" in site["h/ok/index.html"]  # the built-in article template took the linked one's place


def test_a_template_linked_inside_templates_is_read(make_hub) -> None:
    project = make_hub({**hub_files(), "templates/mine.html": "MINE {{ page.title }}"})
    os.symlink("mine.html", project / "templates" / "article.html")
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "site/h/ok/index.html").read_text(encoding="utf-8") == "MINE Ok"


@pytest.mark.parametrize(("key", "value"), [("content_dir", "/etc"), ("content_dir", "../x"), ("templates_dir", "~")])
def test_folders_outside_the_project_are_refused(make_hub, key: str, value: str) -> None:
    project = make_hub({**hub_files(), "hubgen.yaml": CONFIG + f"{key}: {value!r}\n"})
    result = run_cli("check", "-C", str(project))
    assert result.exit_code == 2
    assert f"hubgen.yaml:3:{len(key) + 3}: error[config-type]: {key} must be a folder inside the project" in (
        result.output
    )


@pytest.mark.parametrize("name", ["content", "templates"])
def test_a_folder_linked_out_of_the_project_is_refused(make_hub, tmp_path: Path, name: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "h").mkdir(parents=True)
    (elsewhere / "h" / "index.md").write_text("---\ntitle: Secret\ntype: hub\n---\n", encoding="utf-8")
    project = make_hub({"hubgen.yaml": CONFIG, "content/index.md": "---\ntitle: Home\n---\n"}, name="linked")
    target = project / name
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        target.rmdir()
    os.symlink(elsewhere, target)
    result = run_cli("check", "-C", str(project))
    assert result.exit_code == 2
    assert f"{name} is a symbolic link out of the project" in result.stderr


def test_output_dir_beside_the_project_is_built_into_when_it_is_hubgens(make_hub, tmp_path: Path) -> None:
    """A docs/ folder beside the project (GitHub Pages' layout) is a legitimate output; a folder there that
    hubgen did not write is never replaced."""
    project = make_hub({**hub_files(), "hubgen.yaml": CONFIG + "output_dir: ../public\n"})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "public" / "index.html").is_file()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("mine", encoding="utf-8")
    make_hub({"hubgen.yaml": CONFIG + "output_dir: ../mine\n"})
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 2 and "was not written by hubgen" in result.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["keep.txt"]


def test_theme_files_linked_from_elsewhere_in_the_project_are_read(make_hub) -> None:
    """A shared theme folder in the project, linked into templates/: inside the project, so it is read."""
    project = make_hub(
        {
            **hub_files(),
            "theme-shared/partials/footer.html": "SHARED FOOTER",
            "theme-shared/static/custom.css": "body{color:red}",
            "templates/article.html": "{% include 'partials/footer.html' %} {{ page.title }}",
        }
    )
    os.symlink("../theme-shared/partials", project / "templates" / "partials")
    os.symlink("../theme-shared/static", project / "templates" / "static")
    os.symlink(".", project / "theme-shared" / "static" / "loop")  # a loop inside: walked once
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "site/h/ok/index.html").read_text(encoding="utf-8") == "SHARED FOOTER Ok"
    site = tree_bytes(project / "site")
    assert [data for name, data in site.items() if name.startswith("_static/custom.")] == [b"body{color:red}"]
    assert not any("loop" in name for name in site)
