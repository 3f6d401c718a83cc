"""Failures explained one way for `build` and `serve`: what is the project's fault (a template, two outputs on
one path, an output folder that cannot be written, a broken hubgen.yaml) becomes a message naming it."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from hubgen.core.config import CONFIG_FILE, SiteConfig, load_config
from hubgen.core.diagnostics import Diagnostic, diagnostic


def explain(error: Exception, collision: str, output: Path | None = None) -> tuple[str, str] | None:
    """(kind, message) for a failure that is the project's, not hubgen's: a template error, two outputs on
    one path (`collision` is the message, `{}` the path), an output folder that cannot be written. None for
    anything else."""
    jinja2 = sys.modules.get("jinja2")  # loaded whenever anything was rendered
    if jinja2 is not None and isinstance(error, jinja2.TemplateError):
        return "template", template_message(error)
    from hubgen.core.layout import OutputCollision

    if isinstance(error, OutputCollision):
        return "output-collision", collision.format(error)
    write, search = sys.modules.get("hubgen.build.write"), sys.modules.get("hubgen.build.search")
    if (write and isinstance(error, write.OutputError)) or (search and isinstance(error, search.SearchIndexError)):
        return "output", str(error)
    if output is not None and isinstance(error, OSError):  # a full disk, a name too long, no permission
        where = f" ({error.filename})" if error.filename else ""
        return "output", f"cannot write the site to {output}: {error.strerror or error}{where}"
    return None


def template_message(error: Exception) -> str:
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        where = f"{error.filename or error.name}:{error.lineno}"
        return f"{where}: template error: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        return f"template not found: {error.name}"
    failure = error.__cause__ or error  # the renderer chains what a template raised
    frames = [f for f in traceback.extract_tb(failure.__traceback__) if not f.filename.endswith(".py")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    hint = " (a template uses a value the page does not have)" if isinstance(error, jinja2.UndefinedError) else ""
    return f"{where}template error: {error}{hint}"


def read_config(project_dir: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """`load_config`, with anything it raises on a broken hubgen.yaml turned into a config-syntax diagnostic."""
    try:
        return load_config(project_dir)
    except Exception as error:  # a YAML tag, an impossible date: the file is wrong, not serve
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(error, "problem", None) or one_line(error)
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, line, column, f"invalid setting: {problem}")]


def one_line(error: BaseException) -> str:
    """An exception as one line of text: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
