"""Learning tracks (#21): a `type: track` page with ordered `steps` across hubs. Each test builds a real hub
and asserts what a reader gets: the track page, the track blocks on a shared article (its hub path kept),
the `#track-...` arrival, each diagnostic at its list item, the authoring commands, and incremental builds
and `serve` equal to a cold build after each kind of track edit."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import read_html, run_cli
from hubgen import session
from hubgen.core.diagnostics import Diagnostic
from hubgen.session import Session
from test_incremental_build import cold_build, snapshot

# Two hubs, each with a path; two tracks crossing them, sharing the article alpha/a2 (which also sits on
# alpha's path a1 -> a2 -> a3).
HUB: dict[str, str | bytes | None] = {
    "hubgen.yaml": "title: Tracks\nbase_url: https://example.org/t/\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/alpha/index.md": "---\ntitle: Alpha\ntype: hub\nsummary: The first hub.\n---\nAlpha.\n",
    "content/beta/index.md": "---\ntitle: Beta\ntype: hub\nsummary: The second hub.\n---\nBeta.\n",
    "content/alpha/a1.md": "---\ntitle: A one\nsummary: First of alpha.\nnext: a2\n---\nOne.\n",
    "content/alpha/a2.md": "---\ntitle: A two\nsummary: Second of alpha.\nnext: a3\n---\nTwo.\n",
    "content/alpha/a3.md": "---\ntitle: A three\nsummary: Third of alpha.\n---\nThree.\n",
    "content/beta/b1.md": "---\ntitle: B one\nsummary: First of beta.\nnext: b2\n---\nB1.\n",
    "content/beta/b2.md": "---\ntitle: B two\nsummary: Second of beta.\n---\nB2.\n",
    "content/tracks/start-here.md": (
        "---\n"
        "title: Start here\n"
        "type: track\n"
        "summary: The newcomer's route.\n"
        "steps:\n"
        "  - b1\n"
        "  - alpha/a2\n"
        "  - beta\n"
        "---\n"
        "For newcomers: three pages across two hubs.\n"
    ),
    "content/tracks/engineers.md": (
        "---\ntitle: For engineers\ntype: track\nsummary: Shipping it.\nsteps: [a3, a2, b2]\n---\nFor engineers.\n"
    ),
}


def built(make_hub, files: dict[str, str | bytes | None] | None = None) -> Path:
    project = make_hub({**HUB, **(files or {})})
    result = session.build(project, jobs=1, cache=False)
    assert result.check.errors == 0, result.check.diagnostics
    return project / "site"


def hrefs(elements) -> list[str]:
    return [e["href"] for e in elements]


# ------------------------------------------------------------------------------------------ the track page


def test_the_track_page_lists_its_steps_in_order_with_summaries_hubs_and_the_track_fragment(make_hub) -> None:
    site = built(make_hub)
    page = read_html(site, "tracks/start-here/index.html")
    assert page.one("h1").text == "Start here"
    assert "For newcomers" in page.one(".prose").text
    steps = page.select("ol.track-steps li")
    assert [s.one(".step-title a").text for s in steps] == ["B one", "A two", "Beta"]
    assert hrefs(s.one(".step-title a") for s in steps) == [
        "../../beta/b1/#track-start-here",
        "../../alpha/a2/#track-start-here",
        "../../beta/#track-start-here",
    ]
    assert [s.one(".step-summary").text for s in steps] == ["First of beta.", "Second of alpha.", "The second hub."]
    assert [s.one(".step-meta").text for s in steps] == ["In Beta", "In Alpha", "A hub: its overview and paths"]
    # the progress contract hubgen.js reads: the list, and a hidden container with text and reset
    assert page.one("ol.track-steps")["data-progress-list"] == "./"  # the track's own page is its key
    progress = page.one("[data-progress]")
    assert progress.attrs.__contains__("hidden") and progress["data-progress"] == "./"
    assert progress["data-progress-total"] == "3"
    assert progress.select("[data-progress-text]") and progress.select("button[data-progress-reset]")
    # drawn as a hub's path: a numbered node per step, in order
    assert [s.one(".step-node").text for s in steps] == ["1", "2", "3"]
    # JSON-LD: an ItemList of the steps' own (canonical) URLs
    scripts = [json.loads(s.text) for s in page.select('script[type="application/ld+json"]')]
    items = [i for block in scripts for i in (block if isinstance(block, list) else [block])]
    item_list = next(i for i in items if i["@type"] == "ItemList")
    assert item_list["name"] == "Start here"
    assert [e["url"] for e in item_list["itemListElement"]] == [
        "https://example.org/t/beta/b1/",
        "https://example.org/t/alpha/a2/",
        "https://example.org/t/beta/",
    ]
    assert page.one('link[rel="canonical"]')["href"] == "https://example.org/t/tracks/start-here/"


def test_the_home_page_lists_tracks_apart_from_hubs(make_hub) -> None:
    for files in ({}, {"content/index.md": None}):  # a home page of the hub's own, and the generated one
        site = built(make_hub, files)
        home = read_html(site, "index.html")
        hubs = [a.text for a in home.select('section[aria-labelledby="hg-hubs"] .card-title a')]
        tracks = home.select('section[aria-labelledby="hg-tracks"] .card')
        assert hubs == ["Alpha", "Beta"]
        assert [t.one(".card-title a").text for t in tracks] == ["For engineers", "Start here"]  # by title
        assert [t.one(".card-count").text for t in tracks] == ["3 steps", "3 steps"]
        assert tracks[1].one(".card-title a")["href"] == "tracks/start-here/"


# ------------------------------------------------------------------------------------------ on a step


def test_a_shared_article_keeps_its_hub_path_and_shows_each_tracks_neighbours(make_hub) -> None:
    site = built(make_hub)
    page = read_html(site, "alpha/a2/index.html")
    # the hub path, unchanged: A one <- A two -> A three
    assert page.one("section.where-next .prev-link a[rel=prev]")["href"] == "../a1/"
    assert page.one("section.where-next a.next-card")["href"] == "../a3/"
    bars = page.select(".track-bars .track-bar")
    assert [b["id"] for b in bars] == ["track-engineers", "track-start-here"]  # in track id order
    entries = page.select("section.where-next section.track-entry")
    assert [e.one(".track-entry-where a").text for e in entries] == ["For engineers", "Start here"]
    engineers, start = entries
    assert start.one(".track-entry-where").text.endswith("step 2 of 3")
    assert start.one(".prev-link a")["href"] == "../../beta/b1/#track-start-here"
    assert "B one" in start.one(".prev-link a").text
    assert start.one("a.track-next")["href"] == "../../beta/#track-start-here"
    assert "Beta" in start.one("a.track-next").text
    assert engineers.one(".track-entry-where").text.endswith("step 2 of 3")
    assert engineers.one(".prev-link a")["href"] == "../a3/#track-engineers"
    assert engineers.one("a.track-next")["href"] == "../../beta/b2/#track-engineers"
    bar = page.one("#track-start-here")
    assert [a["href"] for a in bar.select(".track-bar-moves a")] == [
        "../../beta/b1/#track-start-here",
        "../../beta/#track-start-here",
    ]
    # each track's list follows the progress contract, the page's own step marked current
    steps = start.one("ol[data-progress-list]")
    assert steps["data-progress-list"] == "../../tracks/start-here/"
    assert hrefs(steps.select("a")) == ["../../beta/b1/#track-start-here", "../../beta/#track-start-here"]
    assert [li.has_class("is-current") for li in steps.select("li")] == [False, True, False]
    assert steps.select('li.is-current [aria-current="step"]')
    assert start.one("[data-progress]")["data-progress-total"] == "3"
    assert start.one("[data-progress]").attrs.__contains__("hidden")
    # no duplicate content: the canonical URL is the article's own
    assert page.one('link[rel="canonical"]')["href"] == "https://example.org/t/alpha/a2/"


def test_the_last_step_leads_back_to_the_track_and_a_hub_step_shows_its_block(make_hub) -> None:
    site = built(make_hub)
    last = read_html(site, "beta/b2/index.html")
    entry = last.one("section.track-entry")
    assert entry.one("a.track-next")["href"] == "../../tracks/engineers/"
    assert "End of the track" in entry.one("a.track-next").text
    assert last.select("#track-engineers .track-bar-moves a")[-1]["href"] == "../../tracks/engineers/"
    hub = read_html(site, "beta/index.html")
    assert hub.one("#track-start-here .track-bar-where").text.endswith("step 3 of 3")
    assert hub.one("section.track-entry .prev-link a")["href"] == "../alpha/a2/#track-start-here"


def test_the_track_entry_comes_after_the_hub_paths_read_next_in_the_markup(make_hub) -> None:
    """Without a fragment the hub path leads; the CSS shows the targeted track's bar and moves its entry first."""
    site = built(make_hub)
    text = (site / "alpha/a2/index.html").read_text(encoding="utf-8")
    assert text.index('class="next-card"') < text.index('class="track-entry"')
    assert text.index('class="track-bars"') < text.index('class="prose"')  # the bar is at the top of the body
    css = next((site / "_static").glob("style.*.css")).read_text(encoding="utf-8")
    tracks = css[css.index("/* tracks") :]
    assert ".track-bar{display:none" in tracks and ".track-bar:target{display:block}" in tracks
    assert "body:has(.track-bar:nth-of-type(2):target) .track-entry:nth-of-type(2){order:-1" in tracks


def test_a_long_track_shows_a_window_with_the_total(make_hub) -> None:
    files: dict[str, str | bytes | None] = {}
    for n in range(1, 13):
        files[f"content/alpha/x{n}.md"] = f"---\ntitle: X {n}\nsummary: Step {n}.\n---\nX.\n"
    files["content/tracks/long.md"] = (
        "---\ntitle: Long\ntype: track\nsteps:\n" + "".join(f"  - x{n}\n" for n in range(1, 13)) + "---\nLong.\n"
    )
    site = built(make_hub, files)
    entry = read_html(site, "alpha/x6/index.html").one("section.track-entry")
    listed = entry.one("ol[data-progress-list]")
    assert entry.one("[data-progress]")["data-progress-total"] == "12"
    assert entry.one(".path-all a")["href"] == "../../tracks/long/"
    assert [li.get("data-step") for li in listed.select("li") if li.get("data-step")] == [
        "1", "4", "5", "6", "7", "8", "12"
    ]  # fmt: skip
    assert len(read_html(site, "tracks/long/index.html").select("ol.track-steps li")) == 12


def test_tracks_add_no_page_to_the_build(make_hub, tmp_path: Path) -> None:
    """The arrival is a fragment: the build writes the same files with or without the tracks' links."""
    site = built(make_hub)
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    tracks = {w for w in written if w.startswith("tracks/")}
    assert tracks == {"tracks/start-here/index.html", "tracks/engineers/index.html"} | {
        w for w in tracks if w.endswith(("index.md", "card.png"))
    }
    assert not [w for w in written if "track-" in w]


# ------------------------------------------------------------------------------------------ check


def check(make_hub, track: str, extra: dict[str, str | bytes | None] | None = None) -> list[Diagnostic]:
    project = make_hub({**HUB, "content/tracks/t.md": track, **(extra or {})})
    return list(session.check(project).diagnostics)


def at(found: list[Diagnostic], code: str) -> list[tuple[str, int, int]]:
    return [(d.file, d.line, d.column) for d in found if d.code == code]


T = "content/tracks/t.md"


def test_each_step_problem_is_reported_at_its_list_item(make_hub) -> None:
    track = (
        "---\n"  # 1
        "title: T\n"  # 2
        "type: track\n"  # 3
        "steps:\n"  # 4
        "  - a1\n"  # 5
        "  - alpah/a2\n"  # 6: unknown, did you mean alpha/a2
        "  - a1\n"  # 7: duplicate
        "  - tracks/t\n"  # 8: the track itself
        "  - d1\n"  # 9: a draft
        "  - index\n"  # 10: the home page
        "  - start-here\n"  # 11: another track
        "  - same\n"  # 12: ambiguous
        "---\n"
        "Body.\n"
    )
    extra = {
        "content/alpha/d1.md": "---\ntitle: Draft\ndraft: true\n---\nD.\n",
        "content/alpha/same.md": "---\ntitle: Same A\n---\nS.\n",
        "content/beta/same.md": "---\ntitle: Same B\n---\nS.\n",
    }
    found = check(make_hub, track, extra)
    assert at(found, "unknown-reference") == [(T, 6, 5)]
    unknown = next(d for d in found if d.code == "unknown-reference")
    assert "alpha/a2" in unknown.hint and unknown.message.startswith("steps:")
    assert at(found, "duplicate-step") == [(T, 7, 5)]
    duplicate = next(d for d in found if d.code == "duplicate-step")
    assert "already step 1" in duplicate.message and [str(r) for r in duplicate.related] == [f"{T}:5:5"]
    assert at(found, "self-reference") == [(T, 8, 5)]
    assert at(found, "draft-reference") == [(T, 9, 5)]
    assert at(found, "track-step-kind") == [(T, 10, 5), (T, 11, 5)]
    assert at(found, "ambiguous-reference") == [(T, 12, 5)]
    assert all(d.severity == "error" for d in found if d.file == T)
    assert at(found, "track-too-short") == [(T, 5, 3)]  # a1 is its one usable step


def test_a_flow_list_reports_at_each_item(make_hub) -> None:
    found = check(make_hub, "---\ntitle: T\ntype: track\nsteps: [a1, nope, a1]\n---\n")
    assert at(found, "unknown-reference") == [(T, 4, 13)]
    assert at(found, "duplicate-step") == [(T, 4, 19)]
    assert at(found, "track-too-short") == [(T, 4, 8)]


def test_a_track_of_one_step_is_too_short(make_hub) -> None:
    found = check(make_hub, "---\ntitle: T\ntype: track\nsteps:\n  - a1\n---\n")
    assert at(found, "track-too-short") == [(T, 5, 3)]  # at the list
    found = check(make_hub, "---\ntitle: T\ntype: track\n---\n")
    assert at(found, "track-too-short") == [(T, 3, 7)]


def test_prev_next_on_a_track_and_steps_on_an_article(make_hub) -> None:
    found = check(make_hub, "---\ntitle: T\ntype: track\nnext: a1\nsteps: [a1, a2]\n---\n")
    assert at(found, "track-on-path") == [(T, 4, 7)]
    article = "---\ntitle: A three\nsteps:\n  - a1\n  - b1\n---\nThree.\n"
    found = check(make_hub, "---\ntitle: T\ntype: track\nsteps: [a1, a2]\n---\n", {"content/alpha/a3.md": article})
    assert at(found, "steps-not-track") == [("content/alpha/a3.md", 4, 3)]
    found = check(
        make_hub,
        "---\ntitle: T\ntype: track\nsteps: [a1, a2]\n---\n",
        {"content/alpha/a3.md": "---\ntitle: A three\nnext: tracks/t\n---\nThree.\n"},
    )
    assert at(found, "track-on-path") == [("content/alpha/a3.md", 3, 7)]


def test_an_article_only_on_a_track_is_no_orphan(make_hub) -> None:
    lonely = {"content/alpha/lonely.md": "---\ntitle: Lonely\n---\nL.\n"}
    found = check(make_hub, "---\ntitle: T\ntype: track\nsteps: [a1, lonely]\n---\n", lonely)
    assert at(found, "orphan-page") == []
    assert [d for d in found if d.severity == "error"] == []


def test_graph_exports_tracks_as_their_own_edge_kind(make_hub) -> None:
    project = make_hub(HUB)
    outcome = run_cli("graph", cwd=project)
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    edges = {(e["source"], e["target"]) for e in document["edges"] if e["kind"] == "track"}
    assert edges == {
        ("tracks/start-here", "beta/b1"),
        ("tracks/start-here", "alpha/a2"),
        ("tracks/start-here", "beta"),
        ("tracks/engineers", "alpha/a3"),
        ("tracks/engineers", "alpha/a2"),
        ("tracks/engineers", "beta/b2"),
    }
    assert {"track": "tracks/engineers", "steps": ["alpha/a3", "alpha/a2", "beta/b2"]} in document["tracks"]
    dot = run_cli("graph", "--format", "dot", cwd=project).stdout
    assert '"tracks/start-here" -> "beta/b1" [style=bold' in dot
    assert "|track|" in run_cli("graph", "--format", "mermaid", cwd=project).stdout


def test_pull_request_mode_reports_a_step_the_change_broke(make_hub) -> None:
    """Deleting a page a track names is a new `unknown-reference` at the step, in a file the change did not
    touch; a new duplicate in the changed track is reported where it is."""
    import subprocess

    project = make_hub(HUB)

    def git(*args: str) -> None:
        env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin", "HOME": "/"}
        env |= {
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@e",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@e",
        }
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    (project / "content/beta/b1.md").unlink()
    edit(project, "content/tracks/engineers.md", "[a3, a2, b2]", "[a3, a2, b2, a3]")
    git("add", "-A")
    git("commit", "-qm", "change")
    outcome = run_cli("check", "--format", "json", "--changed-since", "HEAD~1", cwd=project)
    rows = [
        (d["file"], d["line"], d["code"], d.get("caused_by_change", False))
        for d in json.loads(outcome.stdout)["diagnostics"]
    ]
    assert ("content/tracks/start-here.md", 6, "unknown-reference", True) in rows
    assert ("content/tracks/engineers.md", 5, "duplicate-step", False) in rows
    assert outcome.exit_code == 1


# ------------------------------------------------------------------------------------------ authoring


def steps_text(project: Path, name: str = "start-here") -> str:
    text = (project / f"content/tracks/{name}.md").read_text(encoding="utf-8")
    return text.split("---\n")[1]


def test_track_add_and_remove_keep_the_lists_style(make_hub) -> None:
    project = make_hub(HUB)
    assert run_cli("track", "add", "start-here", "a1", "--before", "alpha/a2", cwd=project).exit_code == 0
    assert "steps:\n  - b1\n  - a1\n  - alpha/a2\n  - beta\n" in steps_text(project)
    assert run_cli("track", "add", "start-here", "a3", "--after", "a1", cwd=project).exit_code == 0
    assert "  - a1\n  - a3\n  - alpha/a2\n" in steps_text(project)
    assert run_cli("track", "add", "start-here", "b2", cwd=project).exit_code == 0
    assert steps_text(project).endswith("  - beta\n  - b2\n")
    assert run_cli("track", "remove", "start-here", "b1", cwd=project).exit_code == 0
    assert "steps:\n  - a1\n  - a3\n" in steps_text(project)
    # a flow list stays one
    assert run_cli("track", "add", "engineers", "b1", "--before", "a2", cwd=project).exit_code == 0
    assert "steps: [a3, b1, a2, b2]" in steps_text(project, "engineers")
    assert run_cli("track", "add", "engineers", "a1", "--after", "b2", cwd=project).exit_code == 0
    assert "steps: [a3, b1, a2, b2, a1]" in steps_text(project, "engineers")
    assert run_cli("track", "remove", "engineers", "a2", cwd=project).exit_code == 0
    assert "steps: [a3, b1, b2, a1]" in steps_text(project, "engineers")
    assert session.check(project).errors == 0
    page = read_html(built_from(project), "tracks/engineers/index.html")
    assert [a.text for a in page.select("ol.track-steps .step-title a")] == ["A three", "B one", "B two", "A one"]


def built_from(project: Path) -> Path:
    result = session.build(project, jobs=1, cache=False)
    assert result.check.errors == 0, result.check.diagnostics
    return project / "site"


def test_track_commands_refuse_what_makes_no_sense_and_dry_run_writes_nothing(make_hub) -> None:
    project = make_hub(HUB)
    before = steps_text(project)
    dry = run_cli("track", "add", "start-here", "a1", "--dry-run", cwd=project)
    assert dry.exit_code == 0 and "+  - a1" in dry.stdout
    assert steps_text(project) == before
    assert run_cli("track", "add", "start-here", "b1", cwd=project).exit_code == 2  # already a step
    assert run_cli("track", "add", "alpha", "b1", cwd=project).exit_code == 2  # not a track
    assert run_cli("track", "add", "start-here", "a1", "--after", "a3", cwd=project).exit_code == 2  # a3 not on it
    assert run_cli("track", "remove", "start-here", "a1", cwd=project).exit_code == 2
    refused = run_cli("track", "remove", "engineers", "a2", cwd=project)
    assert refused.exit_code == 0
    refused = run_cli("track", "remove", "engineers", "a3", cwd=project)  # one step left: too short
    assert refused.exit_code == 1 and "track-too-short" in refused.output
    assert steps_text(project) == before


def test_rename_and_remove_update_steps(make_hub) -> None:
    project = make_hub(HUB)
    assert run_cli("rename", "alpha/a2", "a-two", cwd=project).exit_code == 0
    assert "  - alpha/a-two\n" in steps_text(project)  # it was written as a full id: it stays one
    assert "steps: [a3, a-two, b2]" in steps_text(project, "engineers")
    assert run_cli("remove", "b1", cwd=project).exit_code == 0
    assert "steps:\n  - alpha/a-two\n  - beta\n" in steps_text(project)
    assert run_cli("remove", "b2", "--redirect-to", "b1", cwd=project).exit_code == 2  # b1 is gone
    assert run_cli("remove", "a3", "--redirect-to", "a1", cwd=project).exit_code == 0
    assert "steps: [a1, a-two, b2]" in steps_text(project, "engineers")
    assert session.check(project).errors == 0


# ------------------------------------------------------------------------------------------ incremental


def edit(project: Path, rel: str, old: str, new: str) -> Path:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


EDITS = {
    "add a step": lambda p: [edit(p, "content/tracks/start-here.md", "  - beta\n", "  - beta\n  - a3\n")],
    "remove a step": lambda p: [edit(p, "content/tracks/start-here.md", "  - alpha/a2\n", "")],
    "reorder steps": lambda p: [edit(p, "content/tracks/engineers.md", "[a3, a2, b2]", "[b2, a3, a2]")],
    "retitle a step": lambda p: [edit(p, "content/beta/b1.md", "title: B one", "title: B first")],
    "resummarise a step": lambda p: [edit(p, "content/alpha/a2.md", "summary: Second", "summary: Middle")],
    "retitle the track": lambda p: [edit(p, "content/tracks/engineers.md", "title: For engineers", "title: Eng")],
    "edit the track's body": lambda p: [edit(p, "content/tracks/engineers.md", "For engineers.\n", "Who: us.\n")],
    "delete the track": lambda p: [_delete(p / "content/tracks/engineers.md")],
}


def _delete(path: Path) -> Path:
    path.unlink()
    return path


def test_incremental_builds_equal_a_cold_build_after_each_track_edit(make_hub, tmp_path: Path) -> None:
    for name, change in EDITS.items():
        project = make_hub(HUB, name="inc-" + name.replace(" ", "-").replace("'", ""))
        assert session.build(project, cache=True).check.errors == 0
        change(project)
        result = session.build(project, cache=True)
        assert result.check.errors == 0, (name, result.check.diagnostics)
        assert snapshot(project / "site") == cold_build(project, tmp_path), name


def test_serve_updates_equal_a_cold_build_after_each_track_edit(make_hub, tmp_path: Path) -> None:
    for name, change in EDITS.items():
        project = make_hub(HUB, name="serve-" + name.replace(" ", "-").replace("'", ""))
        live = Session(project)
        assert live.update().ok
        changed = change(project)
        result = live.update(set(changed))
        assert result.ok, (name, result.message)
        fresh = Session(project)
        assert fresh.update().ok
        assert live.site.files == fresh.site.files, name


def test_tracks_of_one_name_in_different_folders_get_distinct_anchors(make_hub) -> None:
    files: dict[str, str | bytes | None] = {
        f"content/{folder}/start-here.md": "---\ntitle: T\ntype: track\nsteps: [a1, b1]\n---\n"
        for folder in ("one", "two", "three")
    }
    site = built(make_hub, files)
    blocks = read_html(site, "beta/b1/index.html").select(".track-bar")  # on all four
    assert sorted(b["id"] for b in blocks) == [
        "track-start-here",
        "track-start-here-2",
        "track-start-here-3",
        "track-start-here-4",
    ]


def test_llms_txt_lists_tracks_in_a_section_of_their_own(make_hub) -> None:
    site = built(make_hub)
    text = (site / "llms.txt").read_text(encoding="utf-8")
    section = text[text.index("## Tracks") :]
    assert [line.split("](")[0] for line in section.splitlines()[2:4]] == ["- [For engineers", "- [Start here"]


def test_a_track_in_a_hub_is_listed_with_it(make_hub) -> None:
    track = "---\ntitle: Alpha tour\ntype: track\nhub: alpha\nsteps: [a3, b1]\n---\nA tour.\n"
    site = built(make_hub, {"content/tracks/tour.md": track})
    page = read_html(site, "tracks/tour/index.html")
    assert [a.text for a in page.one("nav.breadcrumb").select("a")] == ["Home", "Alpha"]
    hub = read_html(site, "alpha/index.html")
    assert "Alpha tour" in [a.text for a in hub.select('section[aria-labelledby="hg-others"] a')]
