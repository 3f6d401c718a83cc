"""hubgen.yaml: the site settings, read into a frozen `SiteConfig`.

The schema is declarative: `FIELDS` names every key, its type and its meaning. A missing file means the
defaults. An unknown key or a wrong type is a diagnostic naming the key (with did-you-mean), positioned
at the key's own line and column.

The file is as hostile as any page (a pull request can change it): it is read by the bounded YAML reader
(`yamlread`), only scalars and flat lists are ever constructed, and every value passes its check in
`configvalues` (a URL, a language tag, a bounded number, a regular expression that compiles) before a
`SiteConfig` holds it.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from hubgen.base.yamlread import Limits, Loader, YamlLimit, compose
from hubgen.core import configvalues
from hubgen.core.diagnostics import CODES, Diagnostic, diagnostic, did_you_mean

CONFIG_FILE = "hubgen.yaml"
# A settings file has a dozen keys: a megabyte, 64 levels and 10,000 values (aliases copied out) are far
# beyond any real one, and small enough that reading it is instant.
LIMITS = Limits(max_bytes=2**20, max_depth=64, max_aliases=100, max_expanded=10_000)
SEVERITY_CHOICES = ("error", "warning", "off")


@dataclass(frozen=True)
class MarkdownOptions:
    html: bool = True  # raw HTML in Markdown passes through; False escapes it


@dataclass(frozen=True)
class ExternalOptions:
    timeout: float = 10.0
    retries: int = 2
    per_host: int = 4
    cache_ttl: float = 86400.0
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Knowledge Hub"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    content_dir: str = "content"
    templates_dir: str = "templates"
    output_dir: str = "site"
    faq_heading: str = "Common questions"
    search: bool = True
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    external: ExternalOptions = field(default_factory=ExternalOptions)
    checks: tuple[tuple[str, str], ...] = ()  # (code, "error" | "warning" | "off")

    @property
    def base_path(self) -> str:
        """The URL path the site is served under: '/' or '/learn/'."""
        path = urlsplit(self.base_url).path if self.base_url else "/"
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def site_url(self) -> str:
        """base_url with exactly one trailing slash, or '' when none is set."""
        return self.base_url.rstrip("/") + "/" if self.base_url else ""

    def severity_for(self, code: str) -> str:
        return dict(self.checks).get(code, CODES[code][0])


Schema = dict[str, tuple[type | tuple[type, ...], str]]

# key -> (expected python type(s), description). Nested sections are validated by their own tables.
FIELDS: Schema = {
    "title": (str, "the site's name, in every page title and the header"),
    "description": (str, "one sentence about the site; the meta description of pages without a summary"),
    "base_url": (str, "absolute URL the site is published at, may end in a sub-path: https://example.org/learn/"),
    "language": (str, "the site's language tag, <html lang>"),
    "content_dir": (str, "folder of Markdown pages and assets"),
    "templates_dir": (str, "folder of template overrides"),
    "output_dir": (str, "folder the site is written to"),
    "faq_heading": (str, "heading text that starts a page's FAQ section"),
    "search": (bool, "full-text search with Pagefind"),
    "markdown": (dict, "Markdown options: html (bool)"),
    "external": (dict, "external link checking: timeout, retries, per_host, cache_ttl, exclude"),
    "checks": (dict, "severity per diagnostic code: error, warning or off"),
}
MARKDOWN_FIELDS: Schema = {
    "html": (bool, "pass raw HTML in Markdown through (true) or escape it (false)"),
}
EXTERNAL_FIELDS: Schema = {
    "timeout": ((int, float), "seconds per request"),
    "retries": (int, "extra attempts after a timeout, 429 or 5xx"),
    "per_host": (int, "concurrent requests to one host"),
    "cache_ttl": ((int, float), "seconds a result is reused from .hubgen-cache/"),
    "exclude": (list, "regular expressions of URLs not to check"),
}


@dataclass(frozen=True)
class _Node:
    """A YAML value with where it was written."""

    value: Any
    line: int
    column: int


def load_config(project_dir: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """Read hubgen.yaml from project_dir; defaults when it is absent."""
    path = project_dir / CONFIG_FILE
    if path.is_symlink():  # its settings would come from elsewhere, and differ from what git holds at a REF
        message = "hubgen.yaml is a symbolic link; hubgen reads settings only from the file itself"
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, 1, 1, message, "replace the link by the file")]
    if not path.is_file():
        return SiteConfig(), []
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise OSError("not a regular file")
            data = stream.read(LIMITS.max_bytes + 1)
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, 1, 1, f"cannot read: {error}")]
    return parse_config(text)


def parse_config(text: str) -> tuple[SiteConfig, list[Diagnostic]]:
    try:
        root = compose(text, LIMITS)
    except yaml.YAMLError as error:
        return SiteConfig(), [_syntax_error(error)]
    if root is None:
        return SiteConfig(), []
    if not isinstance(root, yaml.MappingNode):
        message = "hubgen.yaml must be a mapping of settings (key: value)"
        return SiteConfig(), [_at("config-syntax", root, message)]
    problems: list[Diagnostic] = []
    values = _read_section(root, FIELDS, problems, "")
    settings = {k: v.value for k, v in values.items() if k not in ("markdown", "external", "checks")}
    if "markdown" in values:
        settings["markdown"] = MarkdownOptions(**_plain(values["markdown"], MARKDOWN_FIELDS, problems, "markdown"))
    if "external" in values:
        settings["external"] = ExternalOptions(**_plain(values["external"], EXTERNAL_FIELDS, problems, "external"))
    if "checks" in values:
        settings["checks"] = _read_checks(values["checks"], problems)
    config = SiteConfig(**settings)
    if "output_dir" in values and not problems:
        problems += _output_overlap(config, values["output_dir"])
    return config, problems


def _output_overlap(config: SiteConfig, where: _Node) -> list[Diagnostic]:
    """`output_dir` is replaced whole by every build: it may not be the project, hold its content or
    templates, or lie inside them. The writer refuses such a folder too; saying so here makes `check` fail
    where `build` would."""
    output = posixpath.normpath(config.output_dir.replace("\\", "/"))
    for name in (config.content_dir, config.templates_dir):
        other = posixpath.normpath(name.replace("\\", "/"))
        if output == "." or output == other or output.startswith(other + "/") or other.startswith(output + "/"):
            message = f"output_dir {config.output_dir!r} would hold or lie inside {name!r}: building replaces it whole"
            hint = "a folder of its own, such as site"
            return [diagnostic("config-type", CONFIG_FILE, where.line, where.column, message, hint)]
    return []


def _syntax_error(error: yaml.YAMLError) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(error, "problem", None) or str(error)
    if isinstance(error, YamlLimit):
        return diagnostic("config-syntax", CONFIG_FILE, line, column, f"hubgen.yaml refused: {problem}", error.hint)
    context = getattr(error, "context", None)
    problem += f" ({context})" if context else ""
    hint = ""
    if "constructor" in problem:
        hint = "YAML tags (!!python/..., !custom) are not allowed: hubgen.yaml is read with a safe loader"
    return diagnostic("config-syntax", CONFIG_FILE, line, column, f"invalid YAML: {problem}", hint)


def _read_section(node: yaml.MappingNode, fields: Schema, problems: list[Diagnostic], prefix: str) -> dict[str, _Node]:
    """Key -> value node for the known keys of a mapping; unknown keys, wrong types and values their check
    refuses become problems."""
    loader = Loader("")
    found: dict[str, _Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in fields:
            hint = did_you_mean(key, fields) or "known keys: " + ", ".join(fields)
            problems.append(_at("config-unknown-key", key_node, f"unknown setting '{prefix}{key}'", hint))
            continue
        value = _value(loader, value_node, fields[key][0], prefix + key, problems)
        if value is not None:
            found[key] = _Node(value, *_position(value_node))
    return found


def _value(loader: yaml.SafeLoader, node: yaml.Node, expected: Any, name: str, problems: list[Diagnostic]) -> Any:
    """The checked value of one setting, or None with a problem added."""
    try:
        value = _construct(loader, node, expected)
    except yaml.YAMLError as error:
        problems.append(_syntax_error(error))
        return None
    except (ValueError, OverflowError, TypeError) as error:  # `!!timestamp 2026-02-30`, `!!int x`
        message = f"'{name}' is not a valid value: {str(error)[:80]}"
        problems.append(_at("config-type", node, message, "write a plain value, without a YAML tag"))
        return None
    if not _is_instance(value, expected):
        message = f"'{name}' must be {_type_name(expected)}, not {_type_name(type(value))}"
        problems.append(_at("config-type", node, message))
        return None
    if name == "external.exclude":
        return _patterns(loader, node, problems)
    check = configvalues.CHECKS.get(name)
    problem = check(value) if check is not None else None
    if problem is not None:
        problems.append(_at("config-type", node, f"{name} {problem[0]}", problem[1]))
        return None
    return node if isinstance(value, dict) else value


def _patterns(loader: yaml.SafeLoader, node: yaml.SequenceNode, problems: list[Diagnostic]) -> tuple[str, ...] | None:
    """external.exclude: each item a string that compiles, checked at the item's own line."""
    patterns: list[str] = []
    for item in node.value:
        try:
            value = loader.construct_object(item) if isinstance(item, yaml.ScalarNode) else None
        except (yaml.YAMLError, ValueError, OverflowError, TypeError):
            value = None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(_at("config-type", item, "each external.exclude item must be a string (a pattern)"))
            continue
        problem = configvalues.pattern(str(item.value))
        if problem is not None:
            problems.append(_at("config-type", item, *problem))
            continue
        patterns.append(str(item.value))
    return tuple(patterns) if len(patterns) == len(node.value) else None


def _plain(entry: _Node, fields: Schema, problems: list[Diagnostic], section: str) -> dict[str, Any]:
    values = _read_section(entry.value, fields, problems, section + ".")
    return {k: v.value for k, v in values.items()}


def _read_checks(entry: _Node, problems: list[Diagnostic]) -> tuple[tuple[str, str], ...]:
    loader = Loader("")
    checks: list[tuple[str, str]] = []
    for key_node, value_node in entry.value.value:
        code = str(key_node.value)
        if code not in CODES:
            hint = did_you_mean(code, CODES) or "see the README's list of codes"
            problems.append(_at("config-unknown-key", key_node, f"unknown check code '{code}'", hint))
            continue
        value = _value(loader, value_node, (str, bool), f"checks.{code}", problems)
        value = "off" if value is False else value
        if value not in SEVERITY_CHOICES and value is not None:
            message = f"checks.{code} must be one of error, warning, off; not {value!r}"
            problems.append(_at("config-type", value_node, message))
        elif value is not None:
            checks.append((code, str(value)))
    return tuple(sorted(checks))


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _construct(loader: yaml.SafeLoader, node: yaml.Node, expected: Any) -> Any:
    """A scalar's value; a mapping's keys (values unread); a list only when a list is expected, else its
    kind alone: nothing nested is ever built, so no alias is ever copied out."""
    if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark
        )
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): None for k, _ in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [] if expected is not list else list(node.value)
    return loader.construct_object(node, deep=True)


def _is_instance(value: Any, expected: type | tuple[type, ...]) -> bool:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    dict: "a mapping",
    list: "a list",
    type(None): "empty",
}


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _at(code: str, node: yaml.Node, message: str, hint: str = "") -> Diagnostic:
    return diagnostic(code, CONFIG_FILE, *_position(node), message, hint)
