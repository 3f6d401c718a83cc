"""A cache entry is looked up under a key made with a secret kept outside every repository, so a
`.hubgen-cache/` committed in a pull request, however well-formed, never stands in for a page."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from hubkit import hub_files, hubgen_cli

# Run in a process of its own with the attacker's XDG_CACHE_HOME: the rows their clean page left in the cache
# are copied to the keys under which the broken page's text would be looked up, as load.py makes them.
FORGE = """
import sqlite3, sys
from pathlib import Path
from hubgen.base.cache import SCHEMA, key_for
from hubgen.core.config import MarkdownOptions
project, rel, clean, broken = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
file = "content/" + rel
def keys(text):
    key = key_for(rel, rel[:-3], file, repr(MarkdownOptions()), "Common questions", text)
    return [key, key_for("facts only", key)]
db = sqlite3.connect(project / ".hubgen-cache" / f"parse-v{SCHEMA}.sqlite")
copied = 0
for old, new in zip(keys(clean), keys(broken)):
    for (data,) in db.execute("SELECT data FROM parse WHERE key = ?", (old,)).fetchall():
        db.execute("INSERT OR REPLACE INTO parse VALUES (?, ?)", (new, data))
        copied += 1
db.commit()
assert copied, "no row of the clean page to copy"
"""

CLEAN = "---\ntitle: Page\nhub: h\n---\nSee [the hub](index.md).\n"
BROKEN = "---\ntitle: Page\nhub: h\n---\nSee [the hub](gone.md).\n"


def _as(home: Path, args: list[str], cwd: Path):
    return hubgen_cli(args, cwd=cwd, env={"XDG_CACHE_HOME": str(home)})


def test_a_forged_cache_from_another_machine_hides_nothing(make_hub, tmp_path: Path) -> None:
    attacker, ci = tmp_path / "attacker-cache", tmp_path / "ci-cache"
    project = make_hub({**hub_files(page=CLEAN)})
    assert _as(attacker, ["check"], project).returncode == 0  # the clean page's rows, under the attacker's keys
    (project / "content/h/page.md").write_text(BROKEN, encoding="utf-8")
    forged = [sys.executable, "-c", FORGE, str(project), "h/page.md", CLEAN, BROKEN]
    import subprocess

    subprocess.run(forged, check=True, env={**os.environ, "XDG_CACHE_HOME": str(attacker)})
    fooled = _as(attacker, ["check"], project)
    assert fooled.returncode == 0  # where the keys can be computed, the forgery works: hence the secret
    honest = _as(ci, ["check"], project)
    assert honest.returncode == 1, honest.stderr
    assert "content/h/page.md:5:15: error[broken-link]" in honest.stdout


def test_the_secret_is_kept_outside_the_project_for_its_user_alone(make_hub, tmp_path: Path) -> None:
    home = tmp_path / "user-cache"
    project = make_hub(hub_files())
    assert _as(home, ["check"], project).returncode == 0
    secret = home / "hubgen" / "secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.stat().st_size == 32
    assert not any("secret" in path.name for path in project.rglob("*"))
    again = secret.read_bytes()
    assert _as(home, ["check"], project).returncode == 0 and secret.read_bytes() == again  # kept, not remade


def test_a_secret_that_is_a_link_or_cannot_be_kept_only_turns_the_cache_off(make_hub, tmp_path: Path) -> None:
    home = tmp_path / "user-cache"
    (home / "hubgen").mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_bytes(b"x" * 32)
    (home / "hubgen" / "secret").symlink_to(victim)
    project = make_hub(hub_files(page=BROKEN))
    for _ in range(2):
        done = _as(home, ["check"], project)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "error[broken-link]" in done.stdout
    assert victim.read_bytes() == b"x" * 32
