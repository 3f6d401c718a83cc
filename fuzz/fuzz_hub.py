"""Fuzz hubgen: generate hostile hubs (random front matter + Markdown + byte-level damage) with a seeded RNG,
check and build each into a temporary folder, and fail on any exception that escapes (only diagnostics and
the documented ProjectError for a broken project are allowed).

    python fuzz/fuzz_hub.py --seconds 60 [--seed 1] [--keep-going]

Not part of pytest. Prints one summary line; each failure is saved under fuzz/failures/<seed>-<case>/ with
the project's files and the traceback, rebuildable with `hubgen build -C fuzz/failures/<dir>/project`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hubgen import session
from hubgen.build.render import render_site
from hubgen.build.write import MARKER

HERE = Path(__file__).resolve().parent
FAILURES = HERE / "failures"
sys.path.insert(0, str(HERE.parent / "tests" / "hostile"))  # the fragments the Hypothesis fuzzer uses too
from fragments import KEYS, MD, SCALARS  # noqa: E402


def rand_yaml(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(0, 8)):
        key = rng.choice(KEYS)
        roll = rng.random()
        if roll < 0.6:
            lines.append(f"{key}: {rng.choice(SCALARS)}")
        elif roll < 0.8:
            lines.append(
                f"{key}:\n" + "".join(f"  - {rng.choice(SCALARS)}\n" for _ in range(rng.randint(0, 4))).rstrip()
            )
        elif roll < 0.9:
            lines.append(f"{key}: [{', '.join(rng.choice(SCALARS) for _ in range(rng.randint(0, 4)))}]")
        else:
            lines.append("".join(rng.choice([*SCALARS, ":", " ", "\n", "  ", "\t"]) for _ in range(rng.randint(1, 6))))
    return "\n".join(lines)


def rand_page(rng: random.Random, names: list[str]) -> str:
    parts = []
    if rng.random() < 0.85:
        front = rand_yaml(rng)
        if rng.random() < 0.7:
            front = f"title: T{rng.randint(0, 9)}\nhub: h\n" + (
                f"next: {rng.choice(names)}\n" if rng.random() < 0.5 else ""
            )
            front += rand_yaml(rng)
        parts.append("---\n" + front + ("\n---\n" if rng.random() < 0.95 else "\n"))
    parts.extend(rng.choice(MD) for _ in range(rng.randint(0, 30)))
    return "".join(parts)


def damage(rng: random.Random, data: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.05:
        return b"\xef\xbb\xbf" + data
    if roll < 0.10:
        return data.replace(b"\n", b"\r\n")
    if roll < 0.13:
        return data.replace(b"\n", b"\r")
    if roll < 0.15 and data:
        at = rng.randrange(len(data))
        return data[:at] + rng.choice([b"\x00", b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80"]) + data[at:]
    if roll < 0.17:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    return data


def make_project(rng: random.Random, root: Path) -> None:
    (root / "content/h").mkdir(parents=True)
    (root / "hubgen.yaml").write_text(
        "title: Fuzz\nsearch: false\n"
        + ("base_url: https://example.org/f/\n" if rng.random() < 0.5 else "")
        + ("markdown:\n  html: false\n" if rng.random() < 0.2 else ""),
        encoding="utf-8",
    )
    (root / "content/index.md").write_text("# Home\n", encoding="utf-8")
    (root / "content/h/index.md").write_text("---\ntitle: H\ntype: hub\n---\n", encoding="utf-8")
    (root / "content/h/img.png").write_bytes(b"\x89PNG")
    pool = ["p0", "p1", "p2", "a b", "a#b", "A", "a", "cafe\u0301", "caf\u00e9", "x/index", "x/README", "q?x"]
    names = rng.sample(pool, rng.randint(1, 6))
    for name in names:
        path = root / "content/h" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(damage(rng, rand_page(rng, [n.split("/")[0] for n in names]).encode("utf-8", "replace")))
        except OSError:
            continue
    if rng.random() < 0.05:
        os.symlink("/etc/hostname", root / "content/h/outside.md")
    if rng.random() < 0.03:
        os.symlink("loop.md", root / "content/h/loop.md")


BUILT = [0]


def run_case(rng: random.Random, work: Path) -> set[str]:
    """Build one random hub; the diagnostic codes seen. Raises on any escape other than ProjectError."""
    project = work / "project"
    make_project(rng, project)
    result = session.build(project, drafts=rng.random() < 0.3, output_dir=work / "site")
    codes = {d.code for d in result.check.diagnostics}
    if not result.files and result.check.graph is not None and rng.random() < 0.5:
        render_site(result.check.graph, project)  # build refused: render anyway, in memory, to reach templates
    if result.files:
        BUILT[0] += 1
        assert (work / "site" / MARKER).is_file(), "a site was written without its marker"
    assert not [p for p in work.iterdir() if ".new-" in p.name or ".old-" in p.name], "temporary folder left"
    return codes


def save_failure(seed: int, case: int, work: Path, error: BaseException) -> Path:
    target = FAILURES / f"{seed}-{case}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if (work / "project").exists():
        shutil.copytree(work / "project", target / "project", symlinks=True)
    (target / "traceback.txt").write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="RNG seed (default: from the clock, printed)")
    parser.add_argument("--max-cases", type=int, default=0, help="stop after this many cases (0: no limit)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    codes: set[str] = set()
    failures: list[Path] = []
    project_errors = 0
    cases = 0
    started = time.monotonic()
    while time.monotonic() - started < args.seconds and not (args.max_cases and cases >= args.max_cases):
        case_rng = random.Random(rng.getrandbits(64))
        with tempfile.TemporaryDirectory(prefix="hubgen-fuzz-") as tmp:
            work = Path(tmp)
            try:
                codes |= run_case(case_rng, work)
            except session.ProjectError as error:  # allowed: a clean "cannot continue", exit 2
                project_errors += 1
                codes.add(f"project-error: {str(error)[:40]}")
            except Exception as error:
                failures.append(save_failure(seed, cases, work, error))
                print(f"FAIL case {cases}: {type(error).__name__}: {error} -> {failures[-1]}", file=sys.stderr)
        cases += 1
    elapsed = time.monotonic() - started
    print(
        f"fuzz: seed {seed}: {cases} cases in {elapsed:.0f} s, {len(codes)} unique diagnostic codes, "
        f"{BUILT[0]} sites built, {project_errors} project errors, {len(failures)} failures"
    )
    print("codes: " + ", ".join(sorted(codes)))
    for path in failures:
        print(f"reproducer: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
