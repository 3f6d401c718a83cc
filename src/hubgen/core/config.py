"""hubgen.yaml: the site settings, read into a frozen `SiteConfig`.

The schema is declared once: every key is a field of `SiteConfig` or of a section (`MarkdownOptions`,
`ExternalOptions`), made by `setting()`, which gives its default, its meaning (the README's table is
`settings_table()`) and its check; its type is the field's. A missing file means the defaults. An unknown
key or a wrong type is a diagnostic naming the key (with did-you-mean), positioned at the key's own line and
column.

The file is as hostile as any page (a pull request can change it): it is read by the bounded YAML reader
(`yamlread`), only scalars and flat lists are ever constructed, and every value passes its check from
`configvalues` (a URL, a language tag, a bounded number, a regular expression that compiles) before a
`SiteConfig` holds it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import posixpath
import stat
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml

from hubgen.base.yamlread import Limits, Loader, YamlLimit, compose
from hubgen.core import configvalues
from hubgen.core.diagnostics import CODES, Diagnostic, diagnostic, did_you_mean

CONFIG_FILE = "hubgen.yaml"
# A settings file has a dozen keys: a megabyte, 64 levels and 10,000 values (aliases copied out) are far
# beyond any real one, and small enough that reading it is instant.
LIMITS = Limits(max_bytes=2**20, max_depth=64, max_aliases=100, max_expanded=10_000)
CheckSetting = Literal["error", "warning", "off"]  # a severity, or no diagnostic at all
SEVERITY_CHOICES: tuple[CheckSetting, ...] = ("error", "warning", "off")
_T = TypeVar("_T")
SETTING = "hubgen.setting"  # the key of a field's metadata that holds its `Setting`
INTERNAL = "hubgen.internal"  # a field's metadata key marking a field that is not a key of hubgen.yaml


@dataclass(frozen=True)
class Setting:
    """What a key of hubgen.yaml means (the README's wording) and what its value must be beyond its type."""

    doc: str
    check: configvalues.Check | None = None  # for a list: each item's check
    item: str = ""  # for a list: what each item is, named when one is not a string


_UNCHECKED = Setting("")  # a section (`markdown:`), whose fields are the settings, or a `checks` value


def setting(default: _T, doc: str, check: configvalues.Check | None = None, item: str = "") -> _T:
    """A dataclass field that is a key of hubgen.yaml: its default, its meaning and its check."""
    return field(default=default, metadata={SETTING: Setting(doc, check, item)})


@dataclass(frozen=True)
class MarkdownOptions:
    html: bool = setting(True, "`false` escapes raw HTML in Markdown instead of passing it through.")
    math: bool = setting(
        True, "`$…$`, `$$…$$` and ```` ```math ```` blocks become MathML at build time; `false` leaves them as text."
    )


@dataclass(frozen=True)
class ExternalOptions:
    timeout: float = setting(
        10.0,
        "Wall-clock seconds for one attempt with `check --external` (connection, redirects, headers): more than 0, "
        f"at most {configvalues.MAX_TIMEOUT:g}.",
        configvalues.timeout,
    )
    retries: int = setting(
        2,
        f"Extra attempts after a timeout, a connection error, a 429 or a 5xx: 0 to {configvalues.MAX_RETRIES}.",
        configvalues.retries,
    )
    per_host: int = setting(
        4, f"Requests at once to one host: 1 to {configvalues.MAX_PER_HOST}.", configvalues.per_host
    )
    cache_ttl: float = setting(
        86400.0, "Seconds a result is reused from `.hubgen-cache/` (0: no cache; 0 or more).", configvalues.cache_ttl
    )
    exclude: tuple[str, ...] = setting(
        (),
        "Regular expressions; matching URLs are not checked. Each is compiled when `hubgen.yaml` is read "
        "(`config-type` at its line); a repetition of a repetition or of alternatives, such as `(a+)+` or "
        "`(a|aa)*`, is refused (a set of single characters, `(a|b)*`, passes).",
        configvalues.pattern,
        item="a pattern",
    )


@dataclass(frozen=True)
class AuthorOptions:
    name: str = setting(
        "", "Who writes the articles: the `author` of their `Article` JSON-LD (a person).", configvalues.text
    )
    url: str = setting("", "The author's page: an absolute http(s) URL, as for `base_url`.", configvalues.web_url)
    logo: str = setting(
        "", "The author's picture: an absolute http(s) URL or a path on the site (`img/me.png`).", configvalues.logo
    )


@dataclass(frozen=True)
class PublisherOptions:
    name: str = setting(
        "", "Who publishes the site: the `publisher` of `Article` JSON-LD (an organisation).", configvalues.text
    )
    url: str = setting("", "The publisher's site: an absolute http(s) URL.", configvalues.web_url)
    logo: str = setting(
        "", "The publisher's logo: an absolute http(s) URL or a path on the site (`img/logo.png`).", configvalues.logo
    )


@dataclass(frozen=True)
class SiteConfig:
    title: str = setting("Knowledge Hub", "The site's name, in every page title and the header.", configvalues.text)
    description: str = setting(
        "", "One sentence about the site: the meta description of pages without a summary.", configvalues.text
    )
    base_url: str = setting(
        "",
        "The absolute URL the site is published at. It may carry a sub-path (`https://example.org/learn/`, as for a "
        "GitHub Pages project site). Used for canonical URLs and by `serve`. An absolute http(s) URL (international "
        'hosts and paths allowed) with no query, fragment, user name, `"`, `<>`, spaces or control characters.',
        configvalues.base_url,
    )
    language: str = setting(
        "en",
        "`<html lang>`: a language tag such as `en`, `en-US` (or `en_US`), `zh-Hant-TW`.",
        configvalues.language,
    )
    content_dir: str = setting(
        "content",
        "The folder of pages and assets: a relative path inside the project (no `..`, not a link out of it).",
        configvalues.project_folder,
    )
    templates_dir: str = setting(
        "templates",
        "The folder of your template overrides: inside the project, like `content_dir`.",
        configvalues.project_folder,
    )
    output_dir: str = setting(
        "site",
        "Where `build` writes the site: a folder of its own inside the project, neither holding nor inside "
        "`content_dir` or `templates_dir` (`check` says so too; `-o DIR` builds anywhere else).",
        configvalues.folder,  # may lie outside the project (a docs/ folder beside it): the writer judges it
    )
    faq_heading: str = setting(
        "Common questions",
        "The `##` heading whose `###` questions make a page's FAQ (its `FAQPage` structured data).",
        configvalues.text,
    )
    search: bool = setting(True, "Full-text search with Pagefind; `false` turns it off (and skips the indexing step).")
    llms: bool = setting(
        True,
        "Text for AI assistants: `llms.txt`, `llms-full.txt` and each page's Markdown twin at its URL + `index.md`; "
        "`false` writes none of them.",
    )
    favicon: str = setting(
        "",
        "The site's icon, linked from every page: an image in `content_dir` (`favicon.svg`, `images/icon.png`; "
        "SVG, PNG, ICO, GIF, JPEG or WebP), written as a path relative to it. A path naming no file is "
        '`favicon-missing`. `""`: the theme\'s icon.',
        configvalues.favicon,
    )
    social_cards: bool = setting(
        True,
        "A 1200×630 picture per page for links shared on social sites (`og:image`), drawn at build time; a page's "
        "own `image` front matter wins; `false` draws none.",
    )
    author: AuthorOptions = field(default_factory=AuthorOptions)
    publisher: PublisherOptions = field(default_factory=PublisherOptions)
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    external: ExternalOptions = field(default_factory=ExternalOptions)
    checks: tuple[tuple[str, CheckSetting], ...] = setting(  # (code, "error" | "warning" | "off"), written as a mapping
        (), "Severity per diagnostic code: `error`, `warning` or `off` (see below)."
    )
    # where each top-level value was written in hubgen.yaml, (key, line, column): for what is found wrong only
    # once the content is known (favicon-missing). Not a setting, and no part of the settings' identity.
    positions: tuple[tuple[str, int, int], ...] = field(
        default=(), compare=False, repr=False, metadata={INTERNAL: True}
    )

    @property
    def base_path(self) -> str:
        """The URL path the site is served under: '/' or '/learn/'."""
        path = urlsplit(self.base_url).path if self.base_url else "/"
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def site_url(self) -> str:
        """base_url with exactly one trailing slash, or '' when none is set."""
        return self.base_url.rstrip("/") + "/" if self.base_url else ""

    def position_of(self, key: str) -> tuple[int, int]:
        """(line, column) of a top-level setting's value in hubgen.yaml; (1, 1) when it is not written there."""
        return next(((line, column) for name, line, column in self.positions if name == key), (1, 1))

    def severity_for(self, code: str) -> CheckSetting:
        return dict(self.checks).get(code, CODES[code][0])


def favicon_path(config: SiteConfig) -> str:
    """The `favicon` setting as a path in content/ (`./a//b.svg` -> `a/b.svg`), or "" when none is set."""
    return posixpath.normpath(config.favicon.replace("\\", "/")) if config.favicon else ""


def settings_rows(kind: type = SiteConfig, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(key, default as written in YAML, meaning) for every setting, a section's as `section.key`."""
    for item in dataclasses.fields(kind):
        if item.name not in _fields(kind):
            continue
        kind_of_value, meaning = _fields(kind)[item.name]
        if isinstance(kind_of_value, type) and dataclasses.is_dataclass(kind_of_value):
            yield from settings_rows(kind_of_value, f"{prefix}{item.name}.")
        else:
            yield f"{prefix}{item.name}", _as_written(item.default, kind_of_value), meaning.doc


def settings_table() -> str:
    """The README's table of hubgen.yaml settings, made from the schema (a test holds the README to it)."""
    rows = [f"| `{key}` | `{default}` | {doc} |" for key, default, doc in settings_rows()]
    return "\n".join(["| key | default | meaning |", "|---|---|---|", *rows]) + "\n"


def _as_written(default: object, kind: Any) -> str:
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, float):
        return f"{default:g}"
    if isinstance(default, tuple) and not default:
        return "{}" if _written_as(kind) is dict else "[]"
    return str(default) if default != "" else '""'


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
    values = _read_section(root, SiteConfig, problems, "")
    settings = _settings(SiteConfig, values, problems, "")
    positions = tuple((key, node.line, node.column) for key, node in values.items())
    config = SiteConfig(**settings, positions=positions)
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


def _read_section(node: yaml.MappingNode, kind: type, problems: list[Diagnostic], prefix: str) -> dict[str, _Node]:
    """Key -> value node for the keys of a mapping that are fields of `kind`; unknown keys, wrong types and
    values their check refuses become problems."""
    loader = Loader("")
    fields = _fields(kind)
    found: dict[str, _Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in fields:
            hint = did_you_mean(key, fields) or "known keys: " + ", ".join(fields)
            problems.append(_at("config-unknown-key", key_node, f"unknown setting '{prefix}{key}'", hint))
            continue
        kind_of_value, meaning = fields[key]
        value = _value(loader, value_node, _written_as(kind_of_value), prefix + key, problems, meaning)
        if value is not None:
            found[key] = _Node(value, *_position(value_node))
    return found


def _settings(kind: type, values: dict[str, _Node], problems: list[Diagnostic], prefix: str) -> dict[str, Any]:
    """The keyword arguments of `kind` for the values read: a nested section is read in turn, in field order."""
    settings: dict[str, Any] = {}
    for name, (kind_of_value, _) in _fields(kind).items():
        if name not in values:
            continue
        if isinstance(kind_of_value, type) and dataclasses.is_dataclass(kind_of_value):
            section = _read_section(values[name].value, kind_of_value, problems, f"{prefix}{name}.")
            settings[name] = kind_of_value(**_settings(kind_of_value, section, problems, f"{prefix}{name}."))
        elif _written_as(kind_of_value) is dict:  # pairs written as a mapping: `checks`
            settings[name] = _read_checks(values[name], problems)
        else:
            settings[name] = values[name].value
    return settings


def _value(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    expected: Any,
    name: str,
    problems: list[Diagnostic],
    meaning: Setting = _UNCHECKED,
) -> Any:
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
    if expected is list and isinstance(node, yaml.SequenceNode):  # a list is only ever read from a sequence
        return _items(loader, node, name, meaning, problems)
    problem = meaning.check(value) if meaning.check is not None else None
    if problem is not None:
        problems.append(_at("config-type", node, f"{name} {problem[0]}", problem[1]))
        return None
    return node if isinstance(value, dict) else value


def _items(
    loader: yaml.SafeLoader, node: yaml.SequenceNode, name: str, meaning: Setting, problems: list[Diagnostic]
) -> tuple[str, ...] | None:
    """A list of strings (`external.exclude`): each item passes the setting's check, at the item's own line."""
    items: list[str] = []
    for item in node.value:
        try:
            value = loader.construct_object(item) if isinstance(item, yaml.ScalarNode) else None
        except (yaml.YAMLError, ValueError, OverflowError, TypeError):
            value = None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(_at("config-type", item, f"each {name} item must be a string ({meaning.item})"))
            continue
        problem = meaning.check(str(item.value)) if meaning.check is not None else None
        if problem is not None:
            problems.append(_at("config-type", item, f"{name}: {problem[0]}", problem[1]))
            continue
        items.append(str(item.value))
    return tuple(items) if len(items) == len(node.value) else None


def _read_checks(entry: _Node, problems: list[Diagnostic]) -> tuple[tuple[str, CheckSetting], ...]:
    loader = Loader("")
    checks: list[tuple[str, CheckSetting]] = []
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
            checks.append((code, value))  # one of SEVERITY_CHOICES
    return tuple(sorted(checks))


@functools.cache
def _fields(kind: type) -> dict[str, tuple[Any, Setting]]:
    """Key -> (type, setting) for every field of a settings dataclass, in the order they are declared."""
    types = typing.get_type_hints(kind)
    return {
        f.name: (types[f.name], f.metadata.get(SETTING, _UNCHECKED))
        for f in dataclasses.fields(kind)
        if not f.metadata.get(INTERNAL)
    }


def _written_as(kind: Any) -> type | tuple[type, ...]:
    """The YAML type a field's value is written as: a section or pairs as a mapping, a tuple as a list, a
    float as any number."""
    if dataclasses.is_dataclass(kind):
        return dict
    if typing.get_origin(kind) is tuple:
        return dict if typing.get_origin(typing.get_args(kind)[0]) is tuple else list
    return (int, float) if kind is float else kind


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
