"""hubgen.yaml: the site settings, read into a frozen `SiteConfig`.

The schema is declarative: `FIELDS` names every key, its type and its meaning. A missing file means the
defaults. An unknown key or a wrong type is a diagnostic naming the key (with did-you-mean), positioned
at the key's own line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from hubgen.diagnostics import CODES, Diagnostic, diagnostic, did_you_mean

CONFIG_FILE = "hubgen.yaml"
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
    if not path.is_file():
        return SiteConfig(), []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, 1, 1, f"cannot read: {error}")]
    return parse_config(text)


def parse_config(text: str) -> tuple[SiteConfig, list[Diagnostic]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, line, column, f"invalid YAML: {problem}")]
    if root is None:
        return SiteConfig(), []
    if not isinstance(root, yaml.MappingNode):
        message = "hubgen.yaml must be a mapping of settings (key: value)"
        return SiteConfig(), [_at("config-syntax", root, message)]
    problems: list[Diagnostic] = []
    values = _read_section(root, FIELDS, problems, "")
    settings = {k: v.value for k, v in values.items() if k not in ("markdown", "external", "checks")}
    if "base_url" in values:
        _check_base_url(values["base_url"], problems)
    if "markdown" in values:
        settings["markdown"] = MarkdownOptions(**_plain(values["markdown"], MARKDOWN_FIELDS, problems, "markdown"))
    if "external" in values:
        external = _plain(values["external"], EXTERNAL_FIELDS, problems, "external")
        if "exclude" in external:
            external["exclude"] = tuple(str(item) for item in external["exclude"])
        settings["external"] = ExternalOptions(**external)
    if "checks" in values:
        settings["checks"] = _read_checks(values["checks"], problems)
    return SiteConfig(**settings), problems


def _read_section(node: yaml.MappingNode, fields: Schema, problems: list[Diagnostic], prefix: str) -> dict[str, _Node]:
    """Key -> value node for the known keys of a mapping; unknown keys and wrong types become problems."""
    loader = yaml.SafeLoader("")
    found: dict[str, _Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in fields:
            hint = did_you_mean(key, fields) or "known keys: " + ", ".join(fields)
            problems.append(_at("config-unknown-key", key_node, f"unknown setting '{prefix}{key}'", hint))
            continue
        expected = fields[key][0]
        value = _construct(loader, value_node)
        if not _is_instance(value, expected):
            wanted = _type_name(expected)
            message = f"'{prefix}{key}' must be {wanted}, not {_type_name(type(value))}"
            problems.append(_at("config-type", value_node, message))
            continue
        found[key] = _Node(value_node if isinstance(value, dict) else value, *_position(value_node))
    return found


def _plain(entry: _Node, fields: Schema, problems: list[Diagnostic], section: str) -> dict[str, Any]:
    values = _read_section(entry.value, fields, problems, section + ".")
    return {k: v.value for k, v in values.items()}


def _read_checks(entry: _Node, problems: list[Diagnostic]) -> tuple[tuple[str, str], ...]:
    loader = yaml.SafeLoader("")
    checks: list[tuple[str, str]] = []
    for key_node, value_node in entry.value.value:
        code = str(key_node.value)
        value = _construct(loader, value_node)
        value = "off" if value is False else value
        if code not in CODES:
            hint = did_you_mean(code, CODES) or "see the README's list of codes"
            problems.append(_at("config-unknown-key", key_node, f"unknown check code '{code}'", hint))
        elif value not in SEVERITY_CHOICES:
            message = f"checks.{code} must be one of error, warning, off; not {value!r}"
            problems.append(_at("config-type", value_node, message))
        else:
            checks.append((code, str(value)))
    return tuple(sorted(checks))


def _check_base_url(entry: _Node, problems: list[Diagnostic]) -> None:
    url = entry.value
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        message = f"base_url must be an absolute http(s) URL, not {url!r}"
        problems.append(
            diagnostic(
                "config-type", CONFIG_FILE, entry.line, entry.column, message, "for example: https://example.org/learn/"
            )
        )


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): None for k, _ in node.value}
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
