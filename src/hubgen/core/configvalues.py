"""What a hubgen.yaml value may be, beyond its type: each setting's check, run once when the file is read.

Each setting in `config` names its check. A check takes the value (already of the field's type) and returns
None when it is acceptable, else `(problem, hint)`, the problem worded to follow the setting's name ("must be
...", "contains ..."); a list's check is run on each item, its problem following "setting: ".
A value that passes can go to its sink (a URL into XML and HTML attributes, a language
tag into `lang=` and `xml:lang=`, a number into a network deadline) without reaching anything it could
break out of or make unbounded.
"""

from __future__ import annotations

import importlib
import math
import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from hubgen.base.sinks import for_terminal

Problem = tuple[str, str] | None
Check = Callable[[Any], Problem]

MAX_TIMEOUT = 300.0
MAX_RETRIES = 10
MAX_PER_HOST = 64
MAX_PATTERN = 500

# Control characters (tab and newline are allowed in free text), lone surrogates and the non-characters
# U+FFFE/U+FFFF: none can be written to an XML file, and the controls could steer a terminal.
_TEXT_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NAME_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# RFC 3986 characters, less the single quote: nothing that ends a quoted attribute or opens markup.
# RFC 3986's characters and, as in an IRI, letters beyond ASCII (an international host or path): nothing
# that ends a quoted attribute or opens markup (", <, >, space, backslash); a ' is escaped by every sink.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%\u00a1-\U0010ffff]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*")  # en_US as locales write it is read too


def _shown(value: object) -> str:
    """`value` as written in a message, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return f"U+{ord(match.group()):04X}" if match else ""


def text(value: str) -> Problem:
    bad = _found(_TEXT_FORBIDDEN, value)
    if bad:
        return f"contains the control character {bad}", "remove it (tabs and line breaks are allowed)"
    return None


def folder(value: str) -> Problem:
    bad = _found(_NAME_FORBIDDEN, value)
    if bad:
        return f"contains the control character {bad}", "name a folder, e.g. site"
    if not value.strip():
        return "is empty", "name a folder, e.g. site"
    return None


def project_folder(value: str) -> Problem:
    """A folder the project's files are read from: relative, and never above the project, so a pull
    request cannot point hubgen at the machine's other files."""
    problem = folder(value)
    if problem:
        return problem
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "~")) or re.match(r"[A-Za-z]:", value) or ".." in parts:
        return f"must be a folder inside the project, not {_shown(value)}", "a relative path such as content"
    return None


FAVICON_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def favicon(value: str) -> Problem:
    """An image file in content/, named by its path there: relative, never above it, of a type browsers show
    as an icon, with nothing a URL would read otherwise."""
    hint = "a path in the content folder, such as favicon.svg or images/icon.png"
    if not value:
        return None
    bad = _found(_NAME_FORBIDDEN, value)
    if bad:
        return f"contains the control character {bad}", hint
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "~")) or re.match(r"[A-Za-z]:", value) or ".." in parts or "" in parts[:-1]:
        return f"must be a path inside the content folder, not {_shown(value)}", hint
    if any(c in value for c in '?#"<>'):
        return f"must be a file's path, without ?, #, quotes or <>: {_shown(value)}", hint
    if posixpath.splitext(value.lower())[1] not in FAVICON_TYPES:
        return f"must be an image browsers show as an icon ({', '.join(FAVICON_TYPES)}), not {_shown(value)}", hint
    return None


def base_url(url: str) -> Problem:
    hint = "an absolute http(s) URL, for example: https://example.org/learn/"
    if not url:
        return None
    if not _URL_CHARS.fullmatch(url) or _BAD_PERCENT.search(url) or for_terminal(url) != url:
        bad = next((c for c in url if not _URL_CHARS.fullmatch(c) or for_terminal(c) != c), "%")
        return f"must be an absolute http(s) URL; {bad!r} is not allowed in {_shown(url)}", (
            hint + " (percent-encode other characters)"
        )
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as error:
        return f"must be an absolute http(s) URL, not {_shown(url)}: {error}", hint
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        return f"must be an absolute http(s) URL, not {_shown(url)}", hint
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"must have no query (?) or fragment (#): {_shown(url)}", hint
    if "@" in parts.netloc:
        return f"must not carry a user name or password: {_shown(url)}", hint
    return None


def web_url(url: str) -> Problem:
    """An absolute http(s) URL (a person's or an organisation's page), under the rules of `base_url`."""
    return base_url(url)


def logo(value: str) -> Problem:
    """An absolute http(s) URL, or a path on the site: relative, no `..`, nothing but URL characters."""
    if not value or "://" in value:
        return base_url(value)
    hint = "an absolute http(s) URL, or a path on the site such as img/logo.png"
    parts = value.split("/")
    if value.startswith("/") or ".." in parts or "" in parts or ":" in parts[0]:
        return f"must be an http(s) URL or a path on the site, not {_shown(value)}", hint
    if not _URL_CHARS.fullmatch(value) or _BAD_PERCENT.search(value) or "?" in value or "#" in value:
        return f"must be an http(s) URL or a path on the site, not {_shown(value)}", hint
    return None


def language(tag: str) -> Problem:
    if _LANGUAGE.fullmatch(tag):
        return None
    return f"must be a language tag (letters, digits and hyphens), not {_shown(tag)}", "e.g. en, en-US, zh-Hant-TW"


def _number(value: float, low: float, high: float, low_open: bool = False) -> bool:
    try:
        value = float(value)
    except OverflowError:  # a whole number too large for a float
        return False
    if not math.isfinite(value) or value > high:
        return False
    return value > low if low_open else value >= low


def timeout(value: float) -> Problem:
    if _number(value, 0, MAX_TIMEOUT, low_open=True):
        return None
    return f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {_shown(value)}", ("e.g. timeout: 10")


def retries(value: int) -> Problem:
    if 0 <= value <= MAX_RETRIES:
        return None
    return f"must be 0 to {MAX_RETRIES}, not {_shown(value)}", "e.g. retries: 2"


def per_host(value: int) -> Problem:
    if 1 <= value <= MAX_PER_HOST:
        return None
    return f"must be 1 to {MAX_PER_HOST}, not {_shown(value)}", "e.g. per_host: 4"


def cache_ttl(value: float) -> Problem:
    if _number(value, 0, math.inf) and value < 1e12:
        return None
    return f"must be a number of seconds, 0 or more, not {_shown(value)}", "e.g. cache_ttl: 86400"


def pattern(value: str) -> Problem:
    hint = "a Python regular expression searched in each URL, e.g. ^https://example\\.org/"
    if len(value) > MAX_PATTERN:
        return f"a pattern longer than {MAX_PATTERN} characters", hint
    try:
        compiled = re.compile(value)
    except (re.error, RecursionError, OverflowError) as error:
        return f"bad pattern {_shown(value)}: {error}", hint
    if _nested_repeat(compiled.pattern):
        message = f"{_shown(value)} repeats a repetition or alternatives, which can take exponential time on a URL"
        hint = "write it without a quantifier or | inside a repeated group, e.g. (ab)+ rather than (a+b?)+ or (a|ab)+"
        return message, hint
    return None


def _nested_repeat(source: str) -> bool:
    """Whether an unbounded repetition holds another repetition or alternatives that can match the same
    text in more than one way: `(a+)+`, `(a*b)*`, `(x{1,3})*`, `(a|aa)*` (single characters, `(a|b)*`, are a
    character set and pass). A repeated part that ends each inner repetition with a character that
    repetition cannot match, `([a-z0-9-]+\\.)*` or `(?:[^/]+/)*`, splits the text one way only and passes."""
    try:  # re's private modules: typeshed has no stubs for them, so they are plain modules here
        compiler, const, parser = (
            importlib.import_module(f"re._{name}") for name in ("compiler", "constants", "parser")
        )
    except ImportError:  # pragma: no cover - the module moved; the check is then skipped
        return False
    repeats = {const.MAX_REPEAT, const.MIN_REPEAT, getattr(const, "POSSESSIVE_REPEAT", const.MAX_REPEAT)}
    atomic = getattr(const, "ATOMIC_GROUP", const.SUBPATTERN)
    groups = {const.SUBPATTERN, atomic, const.ASSERT, const.ASSERT_NOT}

    def matches(item: Any, literal: int) -> bool:
        """Whether the one-character pattern `item` matches the character `literal`."""
        try:
            compiled = compiler.compile(parser.SubPattern(parser.State(), [item]))
        except Exception:
            return True
        return compiled.fullmatch(chr(literal)) is not None

    def separated(body: Any) -> bool:
        """A sequence in which every repetition is of one character class and is followed by a literal
        character that class cannot match (so each round of the outer repetition ends in one place)."""
        items = list(body)
        while len(items) == 1 and items[0][0] == const.SUBPATTERN:
            items = list(items[0][1][-1])
        found = False
        for index, (op, arg) in enumerate(items):
            if op in repeats:
                inner = list(arg[2])
                after = items[index + 1] if index + 1 < len(items) else None
                if len(inner) != 1 or inner[0][0] in repeats or inner[0][0] in groups or inner[0][0] == const.BRANCH:
                    return False
                if after is None or after[0] != const.LITERAL or matches(inner[0], after[1]):
                    return False
                found = True
            elif op in groups or op == const.BRANCH:
                return False
        return found

    def walk(items: Any, inside: bool) -> bool:
        for op, arg in items:
            if op in repeats:
                _low, high, body = arg
                unbounded = high == const.MAXREPEAT
                if inside and high > 1:
                    return True
                if unbounded and separated(body):
                    continue
                if walk(body, inside or unbounded):
                    return True
            elif op == const.BRANCH:  # alternatives inside a repetition can overlap: `(a|aa)*$` backtracks too
                if inside or any(walk(branch, inside) for branch in arg[1]):
                    return True
            elif op in groups and walk(arg if op == atomic else arg[-1], inside):
                return True
        return False

    return walk(parser.parse(source), False)
