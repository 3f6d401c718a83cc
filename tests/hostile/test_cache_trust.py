"""A committed `.hubgen-cache/` is input like any other file of a pull request: nothing in it runs, nothing
is read or written through a link in it, and whatever is wrong with it only costs the entries concerned
(made again, with one warning line). `check` and `build` then say and write exactly what they would
without a cache."""

from __future__ import annotations

import json
import os
import pickle
import re
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import CONFIG, hub_files, hubgen_cli, tree_bytes

from helpers import run_cli
from hubgen.base.cache import CACHE_DIR, MAX_ENTRY_BYTES, SCHEMA, key_for
from hubgen.base.records import BadRecord, Codec
from hubgen.build.deps import MEMO_FILE, MEMO_VERSION
from hubgen.core.config import load_config
from hubgen.core.diagnostics import Diagnostic
from hubgen.core.external import cache_file
from hubgen.core.load import PARSED, Page, parse_page
from hubgen.core.scan import page_ids, read_text, scan_content

REPO = Path(__file__).resolve().parents[2]
WARNING = re.compile(r"hubgen: warning: ignored \d+ unreadable entr(y|ies) in \.hubgen-cache/ \(rebuilt\)")
PAGES = {
    "ok": "---\ntitle: Ok\nhub: h\nnext: two\ntags: [a, b]\nupdated: 2026-05-01\n---\n"
    "# Ok\n\nSee [two](two.md#part).\n",
    "two": "---\ntitle: Two\nhub: h\nrelated: [ok]\n---\n## Part\n\n![pic](pic.png)\n\n## Common questions\n\n"
    "### Why?\nBecause.\n",
}


class Boom:
    """Unpickling this creates `path`: what a crafted pickle in the cache would do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def project(make_hub) -> Path:
    return make_hub({**hub_files(**PAGES), "content/h/pic.png": b"\x89PNG fake"})


@pytest.fixture
def reference(project: Path, tmp_path: Path) -> dict[str, object]:
    """What check and build say and write with no cache at all (into another folder)."""
    clean = tmp_path / "clean"
    subprocess.run(["cp", "-a", str(project), str(clean)], check=True)
    checked = run_cli("check", "--no-cache", cwd=clean)
    built = run_cli("build", "--no-cache", cwd=clean)
    assert checked.exit_code == 0 and built.exit_code == 0, checked.stdout + built.stderr
    return {"check": checked.stdout, "build": _timeless(built.stdout), "site": tree_bytes(clean / "site")}


def _timeless(text: str) -> str:
    return re.sub(r"in \d+\.\d+ s", "in T s", text)


def _assert_as_if_no_cache(project: Path, reference: dict[str, object], runs: int = 2) -> None:
    """check, build, then both again (the cache as this run left it): each exits 0 with the output of a run
    without a cache, at most one warning line, no traceback."""
    for _ in range(runs):
        for command in ("check", "build"):
            result = run_cli(command, cwd=project)
            assert result.exception is None, result.exception
            assert result.exit_code == 0, result.stdout + result.stderr
            output = _timeless(result.stdout) if command == "build" else result.stdout
            assert output == reference[command]
            lines = result.stderr.splitlines()
            assert len(lines) <= 1 and all(WARNING.fullmatch(line) for line in lines), result.stderr
            assert "Traceback" not in result.stdout + result.stderr
        assert tree_bytes(project / "site") == reference["site"]
        project_site = project / "site"
        assert not any(p.is_symlink() for p in project_site.rglob("*"))


def _keys(project: Path) -> list[str]:
    """The parse cache's keys for every page, full and facts-only, made as load.py makes them."""
    config, _ = load_config(project)
    content = project / config.content_dir
    keys = []
    for rel, page_id in page_ids(scan_content(content, config.content_dir).markdown).items():
        file = f"{config.content_dir}/{rel}"
        text, _ = read_text(content / rel, file)
        key = key_for(rel, page_id, file, repr(config.markdown), config.faq_heading, text)
        keys += [key, key_for("facts only", key)]
    return keys


def _rows(project: Path, rows: dict[str, object], table: str = "parse") -> None:
    cache = project / CACHE_DIR
    cache.mkdir(exist_ok=True)
    with sqlite3.connect(cache / f"parse-v{SCHEMA}.sqlite") as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", rows.items())
    db.close()


def _real_records(project: Path) -> dict[str, bytes]:
    """The records a cached check and build leave, key -> JSON."""
    assert run_cli("build", "-C", str(project)).exit_code == 0
    assert run_cli("check", "-C", str(project)).exit_code == 0
    with sqlite3.connect(project / CACHE_DIR / f"parse-v{SCHEMA}.sqlite") as db:
        found = dict(db.execute("SELECT key, data FROM parse"))
    db.close()
    return found


# ------------------------------------------------------------------------------------ (a) pickles anywhere


ARTEFACTS = (
    MEMO_FILE,
    "render-memo.pickle",
    "git-dates.json",
    cache_file(),
    "site-state.json",
    "search/marks.json",
    ".gitignore",
)


def test_a_pickle_in_every_cache_artefact_never_runs(project: Path, reference, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Boom(marker))
    cache = project / CACHE_DIR
    (cache / "search").mkdir(parents=True)
    for name in ARTEFACTS:
        (cache / name).write_bytes(payload)
    _rows(project, dict.fromkeys(_keys(project), payload))
    _rows(project, {"k" * 64: payload}, table="render")
    with sqlite3.connect(cache / "parse-v1.sqlite") as old:  # the old schema's file, pickles and all
        old.execute("CREATE TABLE parse (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        old.executemany("INSERT INTO parse VALUES (?, ?)", ((key, payload) for key in _keys(project)))
    old.close()
    _assert_as_if_no_cache(project, reference)
    assert not marker.exists()


# --------------------------------------------------------------------- (b) crafted rows under the real keys


def _wrong_typed(record: bytes) -> list[bytes]:
    """The real record with one value of the wrong type, for several places in it."""
    value = json.loads(record)
    variants = []
    for path, wrong in (((0, 0), 5), ((0, 3), None), ((0, 5, 3), "12"), ((0, 6, 2), {}), ((1,), "x"), ((0, 7), 1)):
        changed = json.loads(record)
        target = changed
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = wrong
        variants.append(json.dumps(changed).encode())
    variants.append(json.dumps(value[:1]).encode())  # a field missing
    variants.append(json.dumps([value[0] + [None], value[1]]).encode())  # a field too many
    return variants


@pytest.mark.parametrize("variant", range(8))
def test_wrong_typed_json_under_the_real_keys_is_a_miss(project: Path, reference, variant: int) -> None:
    records = _real_records(project)  # the full records a build leaves (check found and used them)
    keys = _keys(project)
    assert sorted(records) == sorted(keys[::2])
    crafted = {
        key: _wrong_typed(records[full])[variant]
        for full, facts in zip(keys[::2], keys[1::2], strict=True)
        for key in (full, facts)
    }
    _rows(project, crafted)
    result = run_cli("check", "-C", str(project))
    assert result.exit_code == 0 and WARNING.fullmatch(result.stderr.strip()), result.stderr
    assert f"ignored {len(keys)} unreadable entries" in result.stderr  # each one once, never again
    assert run_cli("check", "-C", str(project)).stderr == ""
    _rows(project, crafted)
    _assert_as_if_no_cache(project, reference)


def _set(record: list[Any], path: tuple[int | str, ...], value: object) -> list[Any]:
    target: Any = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return record


# (page, front matter values): a record of the right types that parsing this file could not have given
FORGED: dict[str, Callable[[list[Any]], list[Any]]] = {
    "another id": lambda r: _set(r, (0, 0), "/"),
    "another file": lambda r: _set(r, (0, 2), "../../etc/passwd"),
    "an article typed home": lambda r: _set(r, (0, 4), "home") if r[0][0] else _set(r, (0, 4), "hub"),
    "tags as one string": lambda r: _set(r, (0, 5, 0, "tags"), "abc"),
    "a draft that is not a bool": lambda r: _set(r, (0, 5, 0, "draft"), "yes"),
    "a key the parser never keeps": lambda r: _set(r, (0, 5, 0, "layout"), "x"),
    "draft flag and front matter disagree": lambda r: _set(r, (0, 7), True),
}


@pytest.mark.parametrize("forgery", FORGED)
def test_a_well_typed_record_parsing_could_not_give_is_a_miss(project: Path, reference, forgery: str) -> None:
    records = _real_records(project)
    _rows(project, {key: json.dumps(FORGED[forgery](json.loads(data))).encode() for key, data in records.items()})
    done = hubgen_cli(["check"], cwd=project, timeout=30)  # another id once sent the graph round forever
    assert done.returncode == 0 and done.stdout == reference["check"], done.stderr
    assert WARNING.fullmatch(done.stderr.strip()), done.stderr
    _assert_as_if_no_cache(project, reference)


def test_url_slots_a_forged_body_invents_render_as_nothing(project: Path) -> None:
    records = _real_records(project)
    body = "<p>a\x02999\x03b\x02" + "9" * 5000 + "\x03c</p>"
    _rows(project, {key: json.dumps(_set(json.loads(data), (0, 6, 0), body)).encode() for key, data in records.items()})
    (project / "content/h/pic.png").write_bytes(b"another")  # the render stage runs
    result = run_cli("build", cwd=project)
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert b"<p>abc</p>" in (project / "site/h/two/index.html").read_bytes()


# ------------------------------------------------------------------------------------ (c) garbage and damage

GARBAGE: dict[str, object] = {
    "bytes": b"\x00\xff garbage",
    "empty": b"",
    "truncated json": b'[["index","index.md"',
    "json null": b"null",
    "json object": b'{"a": 1}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b"[" + b"9" * 5000 + b"]",
    "bad utf-8": b'["\xff\xfe"]',
    "text, not a blob": "[]",
    "an integer": 7,
}


@pytest.mark.parametrize("kind", GARBAGE)
def test_garbage_rows_are_ignored_and_rebuilt(project: Path, reference, kind: str) -> None:
    _rows(project, dict.fromkeys(_keys(project), GARBAGE[kind]))
    _assert_as_if_no_cache(project, reference)


def test_the_warning_is_one_line_for_the_run_whatever_the_command(project: Path, reference) -> None:
    for args in (["build", "--strict"], ["check", "--format", "json"], ["check", "--format", "sarif"]):
        _rows(project, dict.fromkeys(_keys(project), b"garbage"))
        result = run_cli(*args, cwd=project)
        assert result.exit_code == 0 and result.exception is None, result.stderr
        assert WARNING.fullmatch(result.stderr.strip()), result.stderr
        if "check" in args:
            json.loads(result.stdout)  # the report itself is untouched
    assert tree_bytes(project / "site") == reference["site"]


def test_a_row_larger_than_the_limit_is_not_read(project: Path, reference) -> None:
    key = _keys(project)[0]
    _rows(project, {})
    with sqlite3.connect(project / CACHE_DIR / f"parse-v{SCHEMA}.sqlite") as db:
        db.execute("INSERT INTO parse VALUES (?, zeroblob(?))", (key, MAX_ENTRY_BYTES + 1))
    db.close()
    result = run_cli("check", "-C", str(project))
    assert result.exit_code == 0 and "ignored 1 unreadable entry" in result.stderr
    _assert_as_if_no_cache(project, reference)


def _trigger(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE parse (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        db.execute("CREATE TABLE log (x)")
        db.execute("CREATE TRIGGER t AFTER INSERT ON parse BEGIN INSERT INTO log VALUES (new.key); END")
    db.close()


def _sql(path: Path, statement: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(statement)
    db.close()


DATABASES: dict[str, Callable[[Path], None]] = {
    "not a database": lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000),
    "random bytes": lambda path: path.write_bytes(os.urandom(8192)),
    "an empty file": lambda path: path.write_bytes(b""),
    "a trigger and another table": _trigger,
    "a view named parse": lambda path: sqlite3.connect(path).execute(
        "CREATE VIEW parse AS SELECT 'k' AS key, 1 AS data"
    ),
}


@pytest.mark.parametrize("kind", DATABASES)
def test_a_damaged_or_foreign_database_is_replaced(project: Path, reference, kind: str) -> None:
    (project / CACHE_DIR).mkdir()
    path = project / CACHE_DIR / f"parse-v{SCHEMA}.sqlite"
    DATABASES[kind](path)
    _assert_as_if_no_cache(project, reference)
    with sqlite3.connect(path) as db:
        tables = sorted(name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    db.close()
    assert tables == ["cards", "parse", "render", "twins"]


def test_a_database_damaged_inside_is_dropped_and_made_again(project: Path, reference) -> None:
    _real_records(project)
    path = project / CACHE_DIR / f"parse-v{SCHEMA}.sqlite"
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 4096
    data[4096 + 8 : len(data) - 16] = b"\xa5" * (len(data) - 4096 - 24)  # every page but the schema's
    path.write_bytes(bytes(data))
    result = run_cli("check", cwd=project)
    assert result.exit_code == 0 and WARNING.fullmatch(result.stderr.strip()), result.stderr
    assert result.stdout == reference["check"]
    _assert_as_if_no_cache(project, reference)
    assert run_cli("check", cwd=project).stderr == ""


MEMOS = {
    "garbage": b"\x80\x05garbage",
    "truncated": b'[%d,"salt"' % MEMO_VERSION,
    "wrong types": json.dumps([MEMO_VERSION, "s", "s", ["index"], [["a", "b", ["t", "s", "c"], "k", [-1]]]]).encode(),
    "too few rows": json.dumps(
        [MEMO_VERSION, "s", "s", ["index", "h"], [["a", "b", ["t", "s", "c"], "k", []]]]
    ).encode(),
    "a number": b"12",
}


@pytest.mark.parametrize("memo", MEMOS)
def test_a_damaged_render_memo_is_ignored(project: Path, reference, memo: str) -> None:
    assert run_cli("build", "-C", str(project)).exit_code == 0
    (project / CACHE_DIR / MEMO_FILE).write_bytes(MEMOS[memo])
    os.utime(project / "content/h/pic.png", ns=(1, 1))  # the same site, but a new digest: the render stage runs
    result = run_cli("build", "-C", str(project))
    assert result.exit_code == 0 and WARNING.fullmatch(result.stderr.strip()), result.stderr
    assert json.loads((project / CACHE_DIR / MEMO_FILE).read_bytes())[0] == MEMO_VERSION  # made again
    _assert_as_if_no_cache(project, reference)


# ------------------------------------------------------------------------------------------ (d) symbolic links


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim").write_bytes(b"precious\n")
    with sqlite3.connect(folder / "victim.sqlite") as db:  # a database hubgen would happily write into
        db.execute("CREATE TABLE parse (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
    db.close()
    return folder


LINKED = (
    f"parse-v{SCHEMA}.sqlite",
    f"parse-v{SCHEMA}.sqlite-journal",
    MEMO_FILE,
    ".gitignore",
    cache_file(),
    "git-dates.json",
)


@pytest.mark.parametrize("name", LINKED)
def test_a_link_in_the_cache_is_never_followed(project: Path, reference, outside: Path, name: str) -> None:
    (project / CACHE_DIR).mkdir()
    (project / CACHE_DIR / name).symlink_to(outside / ("victim.sqlite" if name.endswith(".sqlite") else "victim"))
    before = tree_bytes(outside)
    _assert_as_if_no_cache(project, reference)
    assert tree_bytes(outside) == before
    assert os.stat(outside / "victim").st_nlink == 1
    if name not in (cache_file(), "git-dates.json"):  # files neither command reads here
        assert not (project / CACHE_DIR / name).is_symlink()


def test_a_linked_cache_folder_turns_the_cache_off(project: Path, reference, outside: Path) -> None:
    (outside / f"parse-v{SCHEMA}.sqlite").write_bytes(pickle.dumps(Boom(outside / "pwned")))
    (outside / MEMO_FILE).write_bytes(b"[]")
    (project / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    before = tree_bytes(outside)
    _assert_as_if_no_cache(project, reference)
    assert tree_bytes(outside) == before and sorted(os.listdir(outside)) == sorted(before)


def test_a_fifo_in_the_cache_does_not_hang(project: Path, reference) -> None:
    (project / CACHE_DIR).mkdir()
    for name in (MEMO_FILE, f"parse-v{SCHEMA}.sqlite", ".gitignore", cache_file()):
        os.mkfifo(project / CACHE_DIR / name)
    for command in ("check", "build", "build"):  # in a process of its own: a read of a FIFO would block
        done = hubgen_cli([command], cwd=project, timeout=30)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) <= 1
    assert tree_bytes(project / "site") == reference["site"]


def test_git_dates_kept_in_the_cache_are_checked_and_never_followed(
    project: Path, tmp_path: Path, outside: Path
) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(project)], check=True)
    subprocess.run([*git, "-C", str(project), "add", "content"], check=True)
    subprocess.run([*git, "-C", str(project), "commit", "-qm", "c", "--date", "2026-03-04T00:00:00"], check=True)
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-03-04T00:00:00"}
    subprocess.run([*git, "-C", str(project), "commit", "-q", "--amend", "--no-edit"], check=True, env=env)
    clean = run_cli("build", "--no-cache", "-C", str(project))
    assert clean.exit_code == 0
    expected = tree_bytes(project / "site")
    assert b"2026-03-04" in expected["h/two/index.html"]
    head = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    cache = project / CACHE_DIR
    cache.mkdir()
    forged = {"key": [head.strip(), "content"], "dates": {"content/h/two.md": ["<script>"]}}
    for planted in (json.dumps(forged).encode(), b"[" * 100_000, None):
        (cache / "git-dates.json").unlink(missing_ok=True)
        if planted is None:
            (cache / "git-dates.json").symlink_to(outside / "victim")
        else:
            (cache / "git-dates.json").write_bytes(planted)
        result = run_cli("build", "-C", str(project))
        assert result.exit_code == 0 and result.exception is None, result.stderr
        assert tree_bytes(project / "site") == expected
    assert (outside / "victim").read_bytes() == b"precious\n"


def test_search_bundles_with_links_are_not_linked_into_the_site(make_hub, outside: Path) -> None:
    from hubgen.build import search

    project = make_hub({**hub_files(), "hubgen.yaml": CONFIG.replace("search: false", "search: true")})
    assert run_cli("build", "-C", str(project)).exit_code == 0
    expected = tree_bytes(project / "site")
    bundles = project / CACHE_DIR / search.SEARCH_CACHE
    (bundle,) = [p for p in bundles.iterdir() if p.is_dir()]
    stamp = bundle.with_name(bundle.name + search.STAMP)
    recorded = json.loads(stamp.read_bytes())
    victim = next(rel for rel in recorded if rel.endswith(".js"))
    (bundle / victim).unlink()
    (bundle / victim).symlink_to(outside / "victim")
    info = os.stat(outside / "victim")
    recorded[victim] = [info.st_size, info.st_mtime_ns]  # a stamp that matches what the link points at
    stamp.write_text(json.dumps(recorded))
    (bundles / search.MARKS).unlink()
    (bundles / search.MARKS).symlink_to(outside / "victim")
    (project / "site" / "pagefind" / "part-9").symlink_to(outside, target_is_directory=True)
    for build in range(2):  # the site with the planted link becomes the spare the next build stages into
        (project / f"content/h/extra{build}.txt").write_text("new")  # the same pages, so the same part keys
        result = run_cli("build", "-C", str(project))
        assert result.exit_code == 0 and result.exception is None, result.stderr
    site = project / "site"
    assert b"precious" not in b"".join(tree_bytes(site).values())
    assert [p for p in site.rglob("*") if p.is_symlink()] == []
    assert tree_bytes(site).keys() == {*expected, "h/extra0.txt", "h/extra1.txt"}
    assert (outside / "victim").read_bytes() == b"precious\n" and os.stat(outside / "victim").st_nlink == 1
    assert sorted(os.listdir(outside)) == ["victim", "victim.sqlite"]


def test_a_linked_search_folder_is_replaced_not_written_through(make_hub, outside: Path) -> None:
    from hubgen.build import search

    project = make_hub({**hub_files(), "hubgen.yaml": CONFIG.replace("search: false", "search: true")})
    (project / CACHE_DIR).mkdir()
    (project / CACHE_DIR / search.SEARCH_CACHE).symlink_to(outside, target_is_directory=True)
    before = tree_bytes(outside)
    result = run_cli("build", cwd=project)
    assert result.exit_code == 0 and result.exception is None, result.stderr
    assert tree_bytes(outside) == before and sorted(os.listdir(outside)) == sorted(before)
    assert (project / "site/pagefind/pagefind.js").is_file()
    assert not (project / CACHE_DIR / search.SEARCH_CACHE).is_symlink()


# ------------------------------------------------------------------------------------------- the codec itself


def _example_results() -> list[tuple[Page, list[Diagnostic]]]:
    config, _ = load_config(REPO)
    content = REPO / config.content_dir
    results = []
    for rel, page_id in page_ids(scan_content(content, config.content_dir).markdown).items():
        text, problem = read_text(content / rel, rel)
        assert problem is None
        for bodies in (True, False):
            results.append(parse_page(text, rel, page_id, f"content/{rel}", config, bodies))
    return results


def test_every_page_of_the_example_survives_the_round_trip() -> None:
    results = _example_results()
    assert len(results) == 2 * 32
    for result in results:
        assert PARSED.decode(PARSED.encode(result)) == result


def test_dates_tuples_and_frozensets_survive_the_round_trip() -> None:
    import datetime as dt

    codec: Codec[tuple[dict[str, Any], frozenset[str], dict[int, frozenset[str]]]] = Codec(
        tuple[dict[str, Any], frozenset[str], dict[int, frozenset[str]]]
    )
    value = (
        {"d": dt.date(2026, 5, 1), "t": dt.datetime(2026, 5, 1, 12, 30), "l": ("a", 1, 2.5, True, None)},
        frozenset({"x", "y"}),
        {3: frozenset(), -1: frozenset({"broken-link"})},
    )
    assert codec.decode(codec.encode(value)) == value


def _leaves(value: object, path: tuple[int | str, ...] = ()) -> list[tuple[int | str, ...]]:
    if isinstance(value, list):
        return [leaf for n, item in enumerate(value) for leaf in _leaves(item, (*path, n))]
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    return [path]


def test_the_decoder_accepts_only_what_the_encoder_could_write() -> None:
    """Every value of real records replaced by one of another type: the decoder raises BadRecord, or the
    record it makes writes back exactly that JSON (the replacement was a value of an allowed type)."""
    for result in _example_results()[:6]:
        record = json.loads(PARSED.encode(result))
        for path in _leaves(record):
            for wrong in (None, 7, "x", True, 1.5, [], {}, [1, "x"]):
                changed = json.loads(json.dumps(record))
                target = changed
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = wrong
                try:
                    decoded = PARSED.decode(json.dumps(changed).encode())
                except BadRecord:
                    continue
                assert json.loads(PARSED.encode(decoded)) == changed, (path, wrong)
