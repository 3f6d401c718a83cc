"""What makes the site findable and studyable: sitemap, robots, feed, JSON-LD, graph export,
search indexing and git dates. The shipped example is checked against the specs' required shapes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from xml.sax import saxutils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import build_site, git_commit, read_html, run_cli
from hubgen import session
from hubgen.base.sinks import for_xml

REPO = Path(__file__).resolve().parents[1]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "hubgen.yaml", project / "hubgen.yaml")
    return build_site(project)


def json_ld_blocks(html_text: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html_text, re.DOTALL)
    items: list[dict] = []
    for text in found:
        data = json.loads(text)
        items += data if isinstance(data, list) else [data]
    return items


def by_type(items: list[dict], kind: str) -> dict:
    matches = [item for item in items if item["@type"] == kind]
    assert len(matches) == 1, f"expected one {kind}, got {[i['@type'] for i in items]}"
    return matches[0]


# ----------------------------------------------------------------------------------- sitemap, robots, feed


@given(st.text())
def test_sitemap_and_feed_text_is_escaped_as_the_standard_library_does(text: str) -> None:
    # sinks.for_xml: the standard library's escaping (quotes too) of the characters XML 1.0 allows
    allowed = "".join(
        c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c > "\uffff"
    )
    assert for_xml(text) == saxutils.escape(allowed, {'"': "&quot;", "'": "&apos;"})


def test_sitemap_lists_every_page_with_absolute_urls_under_the_base_url(example_site: Path) -> None:
    root = ET.parse(example_site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [u.findtext(f"{SITEMAP_NS}loc") for u in root]
    pages = sorted(p.parent for p in example_site.rglob("index.html") if "tags" not in p.parts)
    assert len(locs) == len(pages) == 32  # the home page, 4 hubs, 25 articles and 2 tracks
    assert all(loc.startswith("https://example.org/ai-hub/") and loc.endswith("/") for loc in locs)
    assert "https://example.org/ai-hub/neural-networks/how-neural-networks-work/" in locs
    for url in root:
        lastmod = url.findtext(f"{SITEMAP_NS}lastmod")
        assert lastmod is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod)


def test_robots_txt_points_at_the_sitemap(example_site: Path) -> None:
    robots = (example_site / "robots.txt").read_text()
    assert "User-agent: *" in robots
    assert "Sitemap: https://example.org/ai-hub/sitemap.xml" in robots


def test_atom_feed_has_the_required_elements_newest_first(example_site: Path) -> None:
    feed = ET.parse(example_site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM_NS}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM_NS}{required}")
    assert feed.find(f"{ATOM_NS}author/{ATOM_NS}name") is not None
    entries = feed.findall(f"{ATOM_NS}entry")
    assert entries
    dates = []
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM_NS}{required}"), required
        assert entry.find(f"{ATOM_NS}link").get("href").startswith("https://example.org/ai-hub/")
        dates.append(datetime.fromisoformat(entry.findtext(f"{ATOM_NS}updated").replace("Z", "+00:00")))
    assert dates == sorted(dates, reverse=True)
    assert feed.findtext(f"{ATOM_NS}updated") == entries[0].findtext(f"{ATOM_NS}updated")


def test_feed_entries_are_articles_newest_first_each_with_its_own_id(make_hub) -> None:
    dated = {"home": "2026-12-01", "hub": "2026-11-30", "a": "2026-10-01", "b": "2026-11-02", "c": "2026-10-01"}
    files = _small_hub("https://example.org/learn/")
    files |= {
        "content/index.md": f"---\ntitle: Home\nupdated: {dated['home']}\n---\nWelcome.\n",
        "content/hub/index.md": f"---\ntitle: Hub\ntype: hub\nupdated: {dated['hub']}\n---\nHub body.\n",
    }
    for name, folder in (("a", "hub"), ("b", "hub"), ("c", "other")):
        key = f"content/{folder}/{name}.md"
        files[key] = files[key].replace("\n---\n", f"\nupdated: {dated[name]}\n---\n", 1)
    feed = ET.parse(build_site(make_hub(files)) / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM_NS}entry")
    titles = [e.findtext(f"{ATOM_NS}title") for e in entries]
    assert titles == ["B", "A", "C"]  # newest first; A and C share a date: in id order (hub/a, other/c)
    ids = [e.findtext(f"{ATOM_NS}id") for e in entries]
    assert len(set(ids)) == len(ids) and feed.findtext(f"{ATOM_NS}id") not in ids
    assert ids[0] == "https://example.org/learn/hub/b/"
    assert feed.findtext(f"{ATOM_NS}updated") == "2026-11-02T00:00:00Z"  # the newest entry's, not the home page's


def test_the_example_feed_lists_articles_only(example_site: Path) -> None:
    feed = ET.parse(example_site / "feed.xml").getroot()
    links = [e.find(f"{ATOM_NS}link").get("href") for e in feed.findall(f"{ATOM_NS}entry")]
    hubs = {f"https://example.org/ai-hub/{hub}/" for hub in ("foundations", "neural-networks", "language-models")}
    assert links and not hubs & set(links) and "https://example.org/ai-hub/" not in links
    assert all(link.count("/") == 6 for link in links), links  # https://example.org/ai-hub/<hub>/<article>/


def test_the_example_home_page_lists_its_hubs_in_learning_order_as_its_text_says(example_site: Path) -> None:
    home = read_html(example_site, "index.html")
    listed = [a.text for a in home.select(".hub-card .card-title a")]
    said = [a.text for a in home.select(".prose li a")]  # "four hubs, roughly in the order you would learn it"
    assert (
        listed
        == said
        == [
            "Foundations of AI",
            "Neural Networks and Deep Learning",
            "Large Language Models",
            "AI in Production",
        ]
    )
    hub = read_html(example_site, "neural-networks/index.html")
    assert hub.one("link[rel=prev]")["href"] == "../foundations/"
    assert hub.one("link[rel=next]")["href"] == "../language-models/"


def test_without_base_url_there_is_no_sitemap_feed_or_json_ld(make_hub) -> None:
    project = make_hub(_small_hub(""))
    site = build_site(project)
    assert not (site / "sitemap.xml").exists() and not (site / "feed.xml").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text()
    assert json_ld_blocks((site / "hub/a/index.html").read_text()) == []


# ------------------------------------------------------------------------------------------------ JSON-LD


def test_article_json_ld_has_article_breadcrumbs_and_faq(example_site: Path) -> None:
    html_text = (example_site / "neural-networks/how-neural-networks-work/index.html").read_text()
    items = json_ld_blocks(html_text)
    for item in items:
        assert item["@context"] == "https://schema.org"
    article = by_type(items, "Article")
    assert article["headline"] == "How Neural Networks Work" and len(article["headline"]) <= 110
    assert article["description"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", article["dateModified"])
    assert article["mainEntityOfPage"] == "https://example.org/ai-hub/neural-networks/how-neural-networks-work/"
    crumbs = by_type(items, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Neural Networks and Deep Learning", "How Neural Networks Work"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert all(c["@type"] == "ListItem" and c["item"].startswith("https://example.org/ai-hub/") for c in crumbs)
    faq = by_type(items, "FAQPage")["mainEntity"]
    assert len(faq) >= 2
    for question in faq:
        assert question["@type"] == "Question" and question["name"].endswith("?")
        assert question["acceptedAnswer"]["@type"] == "Answer" and len(question["acceptedAnswer"]["text"]) > 20


def test_hub_json_ld_lists_its_learning_path_in_order(example_site: Path) -> None:
    items = json_ld_blocks((example_site / "neural-networks/index.html").read_text())
    steps = by_type(items, "ItemList")["itemListElement"]
    assert [s["position"] for s in steps] == list(range(1, len(steps) + 1))
    names = [s["name"] for s in steps]
    index = names.index("How Neural Networks Work")
    assert names[index - 1] == "What Is Fine-Tuning in AI?"
    assert names[index + 1] == "What Is a Parameter in a Neural Network?"
    assert all(s["url"].startswith("https://example.org/ai-hub/neural-networks/") for s in steps)


def test_faq_heading_is_configurable(make_hub) -> None:
    files = _small_hub("https://example.org/")
    files["hubgen.yaml"] += "faq_heading: FAQ\n"
    files["content/hub/a.md"] += "\n## FAQ\n\n### Is this configurable?\n\nYes, it is configurable.\n"
    site = build_site(make_hub(files))
    faq = by_type(json_ld_blocks((site / "hub/a/index.html").read_text()), "FAQPage")["mainEntity"]
    assert faq == [
        {
            "@type": "Question",
            "name": "Is this configurable?",
            "acceptedAnswer": {"@type": "Answer", "text": "Yes, it is configurable."},
        }
    ]


def test_a_title_cannot_break_out_of_the_json_ld_script(make_hub) -> None:
    files = _small_hub("https://example.org/")
    hostile = "</script><script>alert(1)</script> & <!--"
    files["content/hub/a.md"] = files["content/hub/a.md"].replace("title: A", f"title: '{hostile}'")
    site = build_site(make_hub(files))
    html_text = (site / "hub/a/index.html").read_text()
    assert "<script>alert(1)" not in html_text
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html_text, re.DOTALL)
    assert scripts and all("<" not in s for s in scripts)
    assert by_type(json_ld_blocks(html_text), "Article")["headline"] == hostile
    assert read_html(site, "hub/a/index.html").select_one("h1").text == hostile


# -------------------------------------------------------------------------------- search, git dates


def test_search_index_is_built_and_search_false_turns_it_off(make_hub, example_site: Path) -> None:
    assert (example_site / "pagefind" / "pagefind.js").is_file()
    assert read_html(example_site, "index.html").select_one("[data-search]") is not None
    files = _small_hub("")
    files["hubgen.yaml"] += "search: false\n"
    site = build_site(make_hub(files))
    assert not (site / "pagefind").exists()
    assert read_html(site, "index.html").select_one("[data-search]") is None


def test_last_updated_comes_from_git_when_front_matter_has_none(make_hub) -> None:
    project = _committed_hub(make_hub)
    site = build_site(project)
    assert read_html(site, "hub/a/index.html").select_one("time").get("datetime") == "2024-03-05"
    assert "<lastmod>2024-03-05</lastmod>" in (site / "sitemap.xml").read_text()


def test_check_leaves_git_history_unread(make_hub) -> None:
    """Dates are shown only on rendered pages: `hubgen check` (no bodies) does not walk the history."""
    project = _committed_hub(make_hub)
    assert session.check(project).graph.pages["hub/a"].git_updated == "2024-03-05"
    assert session.check(project, bodies=False).graph.pages["hub/a"].git_updated is None


def test_git_history_is_read_again_only_when_head_moves(make_hub, tmp_path, monkeypatch) -> None:
    project = _committed_hub(make_hub)
    calls = tmp_path / "git-calls"
    wrapper = tmp_path / "bin" / "git"  # the real git, noting each call
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexec {shutil.which("git")} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")

    def build_and_count_logs() -> tuple[str, int]:
        calls.unlink(missing_ok=True)
        site = session.build(project, cache=True).output
        logs = sum(" log " in f" {line} " for line in calls.read_text().splitlines())
        return read_html(site, "hub/a/index.html").select_one("time").get("datetime"), logs

    assert build_and_count_logs() == ("2024-03-05", 1)
    (project / "content/hub/a.md").write_text("---\ntitle: A\nnext: b\n---\nEdited, not committed.\n")
    assert build_and_count_logs() == ("2024-03-05", 0)  # the same HEAD: the dates kept in the cache
    git_commit(project, "2024-04-01")
    assert build_and_count_logs() == ("2024-04-01", 1)


def _committed_hub(make_hub) -> Path:
    """The small hub, committed to a new git repository on 2024-03-05."""
    project = make_hub(_small_hub("https://example.org/"))
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    git_commit(project, "2024-03-05")
    return project


# ---------------------------------------------------------------------------------------------- graph


def test_graph_exports_json_dot_and_mermaid_and_narrows_to_a_hub(make_hub) -> None:
    project = make_hub(_small_hub(""))
    outcome = run_cli("graph", "-C", str(project))
    assert outcome.exit_code == 0
    data = json.loads(outcome.stdout)
    assert {p["id"] for p in data["pages"]} == {"", "hub", "hub/a", "hub/b", "other", "other/c"}
    edges = {(e["source"], e["target"], e["kind"]) for e in data["edges"]}
    assert ("hub/a", "hub/b", "next") in edges and ("hub/a", "hub", "hub") in edges
    assert ("hub/b", "other/c", "related") in edges and ("hub/a", "other/c", "link") in edges
    assert data["paths"] == [{"hub": "hub", "steps": ["hub/a", "hub/b"]}]
    dot = run_cli("graph", "--format", "dot", "--hub", "hub", "-C", str(project)).stdout
    assert dot.startswith("digraph hub {") and '"hub/a" -> "hub/b"' in dot and "other/c" not in dot
    mermaid = run_cli("graph", "--format", "mermaid", "-C", str(project)).stdout
    assert mermaid.startswith("flowchart LR") and "==>|next|" in mermaid
    missing = run_cli("graph", "--hub", "hbu", "-C", str(project))
    assert missing.exit_code == 2 and "not a hub" in missing.stderr


def _small_hub(base_url: str) -> dict[str, str]:
    return {
        "hubgen.yaml": f"title: Small\nbase_url: '{base_url}'\n",
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/hub/index.md": "---\ntitle: Hub\ntype: hub\nsummary: The hub.\n---\nHub body.\n",
        "content/hub/a.md": "---\ntitle: A\nsummary: First.\nnext: b\nrelated: [b]\n---\nSee [c](../other/c.md).\n",
        "content/hub/b.md": "---\ntitle: B\nsummary: Second.\nrelated: [c]\n---\nB body.\n",
        "content/other/index.md": "---\ntitle: Other\ntype: hub\n---\nOther hub.\n",
        "content/other/c.md": "---\ntitle: C\nsummary: Third.\n---\nC body.\n",
    }
