"""The opt-in external link checker behind `hubgen check --external`.

Every distinct http(s) URL (fragment stripped) is requested once, however many pages link to it, with a
HEAD request that falls back to a streamed GET when the server refuses HEAD. Requests run concurrently under
a global limit and a per-host limit; timeouts, connection errors, 429 and 5xx answers are retried with
exponential back-off (429 honours Retry-After).

Every server is a stranger's, so every request is bounded: `timeout` is a wall-clock deadline for one
attempt (connecting, every redirect, the headers), not a per-read timeout a server can reset by sending a
byte now and then; at most `MAX_RETRIES` retries, each back-off at most `max_retry_after` seconds; at
most `MAX_REDIRECTS` redirects; and at most `MAX_BODY_BYTES` of any answer's body are read (HEAD has
none, a GET is closed unread, a redirect's body is read by httpx and cut off there). One URL therefore
takes at most (retries + 1) x timeout plus its back-offs. Definitive answers are cached on disk in
`<cache_dir>/external-links.json` so repeated checks do not hammer the same sites.

Network problems never raise: they become `external-link` errors. A link that works only through a
redirect gets an `external-redirect` warning naming where it ends up.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import math
import os
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from hubgen.base.cache import BuildCache, Record, code_digest
from hubgen.base.records import JsonCodec
from hubgen.core.config import ExternalOptions
from hubgen.core.diagnostics import Diagnostic, diagnostic
from hubgen.core.graph import LinkGraph

CACHE_FILE = "external-links-{}.json"  # named with a digest of this machine's secret: see cache_file()
MAX_REDIRECTS = 10
MAX_RETRIES = 10
MAX_BODY_BYTES = 64 * 1024
# HEAD answers that mean "this server does not do HEAD properly": ask again with GET.
HEAD_REFUSED = frozenset({403, 405, 501})

_T = TypeVar("_T")


@dataclass(frozen=True)
class ExternalLink:
    url: str  # as written (may carry a #fragment; ignore the fragment when requesting)
    file: str  # project-relative path of the page, for the diagnostic
    line: int
    column: int


@dataclass(frozen=True)
class Pacing:
    """How the checker paces itself, beyond the settings (`config.ExternalOptions`): not written in hubgen.yaml."""

    backoff: float = 0.5  # first back-off in seconds, doubled each retry
    concurrency: int = 32  # concurrent requests overall
    max_retry_after: float = 30.0  # never wait longer than this for a Retry-After header
    user_agent: str = "hubgen-linkcheck/0.1 (+https://pypi.org/project/hubgen/)"


PACING = Pacing()


@dataclass(frozen=True)
class _Result:
    """What one URL came to. `final_url` is set only when redirects led somewhere else."""

    ok: bool
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    transient: bool = False  # a timeout, connection error, 429 or 5xx: may well work next time
    attempts: int = 1

    @property
    def cacheable(self) -> bool:
        """Only definitive answers are cached: it works (2xx, maybe via redirects) or a 4xx but 429."""
        if self.ok:
            return True
        return self.status is not None and 400 <= self.status < 500 and self.status != 429

    def to_cache(self, checked: float) -> dict[str, Any]:
        return {
            "checked": checked,
            "ok": self.ok,
            "status": self.status,
            "final_url": self.final_url,
            "error": self.error,
        }


@dataclass(frozen=True)
class _Attempt:
    """One try at a URL: a result, and whether (and after how long) to try again."""

    result: _Result
    retry: bool = False
    retry_after: float | None = None  # from a 429's Retry-After; None means exponential back-off


def _now() -> float:
    """Wall-clock time for the cache and Retry-After dates (tests replace it)."""
    return time.time()


# ------------------------------------------------------------------------------------------------ entry


def cache_file() -> str:
    """The results file's name, made with this machine's secret (`cache.code_digest`): a file committed in a
    pull request never has it, so no planted result can pass a broken link."""
    return CACHE_FILE.format(code_digest()[:16])


def check_external(
    links: Sequence[ExternalLink], settings: ExternalOptions, cache_dir: Path | None, pacing: Pacing = PACING
) -> list[Diagnostic]:
    """Check every distinct URL once (many links may share a URL: one request, a diagnostic per link),
    concurrently. Returns the diagnostics sorted; never raises for network problems."""
    excludes = [re.compile(pattern) for pattern in settings.exclude]
    checked: list[tuple[ExternalLink, str]] = []
    for link in links:
        if not _is_http(link.url):
            continue
        if any(pattern.search(link.url) for pattern in excludes):
            continue
        checked.append((link, _strip_fragment(link.url)))
    if not checked:
        return []

    urls = sorted({url for _, url in checked})
    kept = BuildCache(cache_dir).record(cache_file(), _RESULTS) if cache_dir is not None else None
    use_cache = kept is not None and settings.cache_ttl > 0
    now = _now()

    results: dict[str, _Result] = {}
    if use_cache and kept is not None:
        cached = _load_cache(kept)
        for url in urls:
            entry = cached.get(url)
            if entry is not None and 0 <= now - entry[0] < settings.cache_ttl:
                results[url] = entry[1]

    pending = [url for url in urls if url not in results]
    if pending:
        results.update(_run(lambda: _check_all(pending, settings, pacing)))
        if use_cache and kept is not None:
            fresh = {url: results[url] for url in pending if results[url].cacheable}
            _save_cache(kept, fresh, _now(), settings.cache_ttl)

    diagnostics = [d for link, url in checked if (d := _diagnose(link, results[url])) is not None]
    return sorted(diagnostics)


def _run(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """asyncio.run, or asyncio.run in a worker thread when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _fragment(url: str) -> str:
    return "#" + url.split("#", 1)[1] if "#" in url else ""


# ------------------------------------------------------------------------------------------- diagnostics


def _diagnose(link: ExternalLink, result: _Result) -> Diagnostic | None:
    where = (link.file, link.line, link.column)
    if result.ok:
        if result.final_url is None:
            return None
        final = result.final_url + _fragment(link.url)
        return diagnostic(
            "external-redirect", *where, f"{link.url} redirects to {final}", f"update the link to {final}"
        )
    via = f" (redirected to {result.final_url})" if result.final_url else ""
    if result.status is not None:
        phrase = httpx.codes.get_reason_phrase(result.status)
        status = f"{result.status} {phrase}".rstrip()
        message = f"{link.url} returned {status}{via}"
        return diagnostic("external-link", *where, message, _status_hint(result))
    message = f"{link.url} {result.error or 'failed'}{via}"
    return diagnostic("external-link", *where, message, _error_hint(result))


def _status_hint(result: _Result) -> str:
    status = result.status or 0
    tries = _tries(result)
    if status == 429:
        return f"the server is rate limiting{tries}; check again later or exclude the URL"
    if status >= 500:
        return f"the server failed{tries}; check again later, or exclude the URL if it stays down"
    if status in (401, 403):
        return "the server refuses the checker; if the link works in a browser, exclude the URL"
    if status in (404, 410):
        return "the page is gone: fix the link or remove it"
    return "fix the link or remove it"


def _error_hint(result: _Result) -> str:
    if result.transient:
        return f"no usable answer{_tries(result)}; check the URL, or exclude it if the site is unreachable"
    return "fix the link"


def _tries(result: _Result) -> str:
    return f" after {result.attempts} attempts" if result.attempts > 1 else ""


# ------------------------------------------------------------------------------------------------ checks


async def _check_all(urls: Sequence[str], settings: ExternalOptions, pacing: Pacing) -> dict[str, _Result]:
    checker = _Checker(settings, pacing)
    limits = httpx.Limits(
        max_connections=max(1, pacing.concurrency), max_keepalive_connections=max(1, pacing.concurrency)
    )
    async with httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(settings.timeout),
        limits=limits,
        verify=_ssl_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")),
        headers={"User-Agent": pacing.user_agent, "Accept": "*/*"},
        event_hooks={"response": [_cap_body]},
    ) as client:
        results = await asyncio.gather(*(checker.check(client, url) for url in urls))
    return dict(zip(urls, results, strict=True))


class _CappedStream(httpx.AsyncByteStream):
    """A response body cut after MAX_BODY_BYTES: a link check needs the status, never the body, so a large
    body (a redirect's page, a download) is read no further and is not a failure."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in self.inner:
            room = MAX_BODY_BYTES - total
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                if room > 0:
                    yield chunk[:room]
                return
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _cap_body(response: httpx.Response) -> None:
    """Called for every answer, redirects included, before httpx reads any of its body."""
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _CappedStream(response.stream)


@functools.lru_cache(maxsize=4)
def _ssl_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """httpx's default verifying context (it reads the same variables), built once: loading CAs is slow."""
    return httpx.create_ssl_context()


class _Checker:
    """Checks URLs under a global semaphore and one semaphore per host."""

    def __init__(self, settings: ExternalOptions, pacing: Pacing) -> None:
        self.settings = settings
        self.pacing = pacing
        self.overall = asyncio.Semaphore(max(1, pacing.concurrency))
        self.hosts: dict[str, asyncio.Semaphore] = {}

    def _host_semaphore(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.hosts:
            self.hosts[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return self.hosts[host]

    async def check(self, client: httpx.AsyncClient, url: str) -> _Result:
        if not urlsplit(url).hostname:
            return _Result(ok=False, error="is not a valid URL (no host)")
        settings = self.settings
        attempts = min(max(0, settings.retries), MAX_RETRIES) + 1
        # The host slot is held through back-offs (a busy host gets no extra traffic from us meanwhile);
        # the global slot only while a request is in flight, so other hosts keep going.
        async with self._host_semaphore(url):
            for attempt in range(attempts):
                async with self.overall:
                    outcome = await self._attempt_within(client, url)
                if not outcome.retry or attempt == attempts - 1:
                    return _with_attempts(outcome.result, attempt + 1)
                delay = outcome.retry_after
                if delay is None:
                    delay = min(max(0.0, self.pacing.backoff) * 2**attempt, max(0.0, self.pacing.max_retry_after))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt_within(self, client: httpx.AsyncClient, url: str) -> _Attempt:
        """One attempt under a wall-clock deadline: a server that drips bytes cannot outlast `timeout`."""
        timeout = self.settings.timeout
        try:
            return await asyncio.wait_for(self._attempt(client, url), timeout)
        except TimeoutError:
            return _Attempt(_transient(f"timed out after {timeout:g} s"), retry=True)

    async def _attempt(self, client: httpx.AsyncClient, url: str) -> _Attempt:
        settings = self.settings
        try:
            response = await client.head(url)
            status, final, redirected = response.status_code, response.url, bool(response.history)
            retry_after = response.headers.get("Retry-After")
            if status in HEAD_REFUSED:
                async with client.stream("GET", url) as response:  # closed unread: no body download
                    status, final, redirected = response.status_code, response.url, bool(response.history)
                    retry_after = response.headers.get("Retry-After")
        except httpx.TimeoutException:
            return _Attempt(_transient(f"timed out after {settings.timeout:g} s"), retry=True)
        except httpx.TooManyRedirects:
            return _Attempt(_Result(ok=False, error=f"redirects more than {MAX_REDIRECTS} times"))
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
            return _Attempt(_Result(ok=False, error=f"cannot be requested: {_describe(exc)}"))
        except httpx.ConnectError as exc:
            return _Attempt(_transient(f"connection failed: {_describe(exc)}"), retry=True)
        except (httpx.TransportError, OSError) as exc:
            return _Attempt(_transient(f"request failed: {_describe(exc)}"), retry=True)
        except httpx.HTTPError as exc:
            return _Attempt(_Result(ok=False, error=f"request failed: {_describe(exc)}"))

        final_url = str(final) if redirected and str(final) != str(httpx.URL(url)) else None
        if 200 <= status < 300:
            return _Attempt(_Result(ok=True, status=status, final_url=final_url))
        if status == 429:
            wait = _retry_after_seconds(retry_after, _now(), self.pacing.max_retry_after)
            result = _Result(ok=False, status=status, final_url=final_url, transient=True)
            return _Attempt(result, retry=True, retry_after=wait)
        if status >= 500:
            result = _Result(ok=False, status=status, final_url=final_url, transient=True)
            return _Attempt(result, retry=True)
        # 4xx, or something odd (a 3xx without a usable Location): a failure; retrying will not help.
        return _Attempt(_Result(ok=False, status=status, final_url=final_url))


def _transient(error: str) -> _Result:
    return _Result(ok=False, error=error, transient=True)


def _with_attempts(result: _Result, attempts: int) -> _Result:
    return replace(result, attempts=attempts)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _retry_after_seconds(value: str | None, now: float, cap: float) -> float | None:
    """Seconds to wait for a Retry-After header (delta-seconds or HTTP date), capped; None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    seconds: float | None = None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT by definition
            return None
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), max(cap, 0.0))


# ------------------------------------------------------------------------------------------------- cache


_RESULTS = JsonCodec(readable=True)  # url -> {checked, ok, status, final_url, error}, checked when read


def _load_cache(kept: Record[Any]) -> dict[str, tuple[float, _Result]]:
    """url -> (checked, result) for every well-formed entry; a missing or corrupt file is an empty cache."""
    data = kept.read()
    if not isinstance(data, dict):
        return {}
    entries: dict[str, tuple[float, _Result]] = {}
    for url, entry in data.items():
        parsed = _parse_entry(entry)
        if isinstance(url, str) and parsed is not None:
            entries[url] = parsed
    return entries


def _parse_entry(entry: object) -> tuple[float, _Result] | None:
    if not isinstance(entry, dict):
        return None
    checked, ok = entry.get("checked"), entry.get("ok")
    status, final_url, error = entry.get("status"), entry.get("final_url"), entry.get("error")
    if isinstance(checked, bool) or not isinstance(checked, int | float) or not math.isfinite(checked):
        return None
    if not isinstance(ok, bool):
        return None
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        return None
    if final_url is not None and not isinstance(final_url, str):
        return None
    if error is not None and not isinstance(error, str):
        return None
    return float(checked), _Result(ok=ok, status=status, final_url=final_url, error=error)


def _save_cache(kept: Record[Any], fresh: dict[str, _Result], now: float, ttl: float) -> None:
    """Merge fresh results into the cache file, drop expired entries, and write it atomically.

    The cache is only an optimisation: a directory that cannot be written is silently skipped.
    """
    if not fresh:
        return
    merged = {
        url: result.to_cache(checked)
        for url, (checked, result) in _load_cache(kept).items()
        if 0 <= now - checked < ttl
    }
    merged.update({url: result.to_cache(now) for url, result in fresh.items()})
    kept.write(merged)


def check_graph(graph: LinkGraph, cache_dir: Path | None) -> list[Diagnostic]:
    """Every http(s) link of the graph's pages, checked (`check --external`), results kept in `cache_dir`."""
    options = graph.config.external  # checked when hubgen.yaml was read: bounded numbers, patterns that compile
    links = [
        ExternalLink(item.link.href, graph.pages[page_id].file, item.link.line, item.link.column)
        for page_id, resolved in graph.links.items()
        for item in resolved
        if item.target.kind == "external" and item.link.href.lower().startswith(("http://", "https://"))
    ]
    return check_external(links, options, cache_dir)
