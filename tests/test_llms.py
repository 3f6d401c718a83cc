"""Text for AI assistants: llms.txt (sections and order follow the hubs and their paths), llms-full.txt, each
page's Markdown twin with absolute links (under a sub-path, and from the root without base_url), drafts never
written, and `llms: false` writing none of it."""

from __future__ import annotations

import re

from helpers import build_site, parse_html
from hubgen import session

CONFIG = "title: Test Hub\ndescription: A hub for tests.\nbase_url: https://example.org/learn/\nsearch: false\n"
HUB = {
    "hubgen.yaml": CONFIG,
    "content/index.md": "---\ntitle: Home\n---\nStart with [the basics](basics/index.md).\n",
    "content/basics/index.md": (
        "---\ntitle: Basics\ntype: hub\nsummary: The basic ideas.\nnext: advanced\n---\nStart with [Alpha](alpha.md).\n"
    ),
    "content/basics/alpha.md": (
        "---\ntitle: Alpha\nsummary: The first idea.\nhub: basics\nnext: beta\n---\n"
        "Alpha comes first; then read [Beta](beta.md#Why) or [the web](https://example.com/x).\n\n"
        "![A diagram](diagram.svg)\n\nNot a link: `[x](beta.md)`.\n\n[ref]: beta.md\n\nBy reference: [Beta][ref].\n"
    ),
    "content/basics/beta.md": (
        "---\ntitle: Beta\nsummary: The second idea.\nhub: basics\n---\n## Why\n\nBecause. See [the aside](aside.md).\n"
    ),
    "content/basics/aside.md": (
        "---\ntitle: Aside\nsummary: An aside.\nhub: basics\n---\nAn aside, [back to alpha](alpha.md).\n"
    ),
    "content/basics/secret.md": "---\ntitle: Secret\nsummary: Not yet.\nhub: basics\ndraft: true\n---\nHush.\n",
    "content/basics/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
    "content/advanced/index.md": (
        "---\ntitle: Advanced\ntype: hub\nsummary: Harder things.\n---\nSee [gamma](gamma.md).\n"
    ),
    "content/advanced/gamma.md": "# Gamma\n\nThe third idea, after [beta](/learn/basics/beta/).\n",
}


def test_llms_txt_has_a_section_per_hub_in_the_home_pages_order_and_pages_in_path_order(make_hub):
    site = build_site(make_hub(HUB))
    assert (site / "llms.txt").read_text(encoding="utf-8") == (
        "# Test Hub\n"
        "\n"
        "> A hub for tests.\n"
        "\n"
        "## Basics\n"
        "\n"
        "- [Basics](https://example.org/learn/basics/index.md): The basic ideas.\n"
        "- [Alpha](https://example.org/learn/basics/alpha/index.md): The first idea.\n"
        "- [Beta](https://example.org/learn/basics/beta/index.md): The second idea.\n"
        "- [Aside](https://example.org/learn/basics/aside/index.md): An aside.\n"
        "\n"
        "## Advanced\n"
        "\n"
        "- [Advanced](https://example.org/learn/advanced/index.md): Harder things.\n"
        "- [Gamma](https://example.org/learn/advanced/gamma/index.md): The third idea, after beta.\n"
    )


def test_each_page_has_a_twin_with_absolute_links_linked_from_its_head(make_hub):
    site = build_site(make_hub(HUB))
    assert (site / "basics/alpha/index.md").read_text(encoding="utf-8") == (
        "# Alpha\n\n"
        "Alpha comes first; then read [Beta](https://example.org/learn/basics/beta/#why) or "
        "[the web](https://example.com/x).\n\n"
        "![A diagram](https://example.org/learn/basics/diagram.svg)\n\n"
        "Not a link: `[x](beta.md)`.\n\n"
        "[ref]: https://example.org/learn/basics/beta/\n\n"
        "By reference: [Beta][ref].\n"
    )
    # the title is the body's own heading: not repeated
    assert (site / "advanced/gamma/index.md").read_text(encoding="utf-8") == (
        "# Gamma\n\nThe third idea, after [beta](https://example.org/learn/basics/beta/).\n"
    )
    assert (
        (site / "index.md").read_text(encoding="utf-8").endswith("[the basics](https://example.org/learn/basics/).\n")
    )
    for page in ("index.html", "basics/index.html", "basics/alpha/index.html"):
        head = parse_html((site / page).read_text(encoding="utf-8"))
        assert head.one('link[type="text/markdown"]')["href"] == "index.md"
        assert head.one('link[type="text/markdown"]')["rel"] == "alternate"


def test_llms_full_is_every_twin_in_order(make_hub):
    site = build_site(make_hub(HUB))
    full = (site / "llms-full.txt").read_text(encoding="utf-8")
    assert re.findall(r"^# (.+)$", full, re.MULTILINE) == [
        "Home",
        "Basics",
        "Alpha",
        "Beta",
        "Aside",
        "Advanced",
        "Gamma",
    ]
    assert (site / "basics/beta/index.md").read_text(encoding="utf-8") in full


def test_drafts_never_appear(make_hub):
    root = make_hub(HUB)
    for site in (build_site(root), build_site(root, include_drafts=True, output_dir=root / "with-drafts")):
        assert not (site / "basics/secret/index.md").exists()
        assert "Secret" not in (site / "llms.txt").read_text(encoding="utf-8")
        assert "Hush" not in (site / "llms-full.txt").read_text(encoding="utf-8")
    html = (root / "with-drafts/basics/secret/index.html").read_text(encoding="utf-8")
    assert "text/markdown" not in html


def test_without_base_url_links_are_paths_from_the_root(make_hub):
    gamma = "# Gamma\n\nThe third idea, after [beta](../basics/beta.md).\n"
    config = CONFIG.replace("base_url: https://example.org/learn/\n", "")
    root = make_hub({**HUB, "hubgen.yaml": config, "content/advanced/gamma.md": gamma})
    site = build_site(root)
    assert "- [Alpha](/basics/alpha/index.md): The first idea.\n" in (site / "llms.txt").read_text(encoding="utf-8")
    twin = (site / "basics/alpha/index.md").read_text(encoding="utf-8")
    assert "[Beta](/basics/beta/#why)" in twin and "![A diagram](/basics/diagram.svg)" in twin


def test_llms_false_writes_none_of_it_and_frees_the_names(make_hub):
    root = make_hub({**HUB, "hubgen.yaml": CONFIG + "llms: false\n", "content/llms.txt": "my own\n"})
    site = build_site(root)
    assert (site / "llms.txt").read_text(encoding="utf-8") == "my own\n"
    assert not (site / "llms-full.txt").exists()
    assert not list(site.rglob("*.md"))
    assert "text/markdown" not in (site / "basics/alpha/index.html").read_text(encoding="utf-8")


def test_with_llms_on_a_file_in_the_way_is_an_output_collision(make_hub):
    root = make_hub({**HUB, "content/llms.txt": "my own\n"})
    found = [(d.file, d.code) for d in session.check(root).diagnostics]
    assert found == [("content/llms.txt", "output-collision")]


def test_a_twin_is_remade_after_an_edit_in_serve(make_hub):
    from hubgen.session import Session

    root = make_hub(HUB)
    served = Session(root)
    assert served.update().ok
    assert "basics/beta/index.md" not in served.site.files  # made when first asked for
    assert b"Because." in (served.llms_file("basics/beta/index.md") or b"")
    path = root / "content/basics/beta.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Because.", "Since."), encoding="utf-8")
    assert served.update({path}).ok
    assert b"Since." in (served.llms_file("basics/beta/index.md") or b"")
    assert b"Since." in (served.llms_file("llms-full.txt") or b"")
    assert (served.llms_file("llms.txt") or b"").startswith(b"# Test Hub\n")
    assert served.llms_file("basics/secret/index.md") is None  # a draft's
    assert served.llms_file("basics/beta/index.html") is None


def test_a_sub_hub_has_its_own_section_right_after_its_parent(make_hub):
    deep = {
        "content/basics/deep/index.md": "---\ntitle: Deep\ntype: hub\nhub: basics\nsummary: Deeper.\n---\n[d](d.md).\n",
        "content/basics/deep/d.md": "---\ntitle: Delta\nsummary: Down here.\n---\nD.\n",
        "content/basics/aside.md": (
            "---\ntitle: Aside\nsummary: An aside.\nhub: basics\n---\nSee [deep](deep/index.md).\n"
        ),
    }
    site = build_site(make_hub({**HUB, **deep}))
    text = (site / "llms.txt").read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == ["Basics", "Deep", "Advanced"]
    basics = text.split("## Basics", 1)[1].split("## Deep", 1)[0]
    assert "Deep" not in basics and "[Delta]" in text.split("## Deep", 1)[1].split("## Advanced", 1)[0]


def test_a_twin_of_a_page_of_many_reference_links_is_made_in_linear_time(make_hub):
    """Reference links whose href is not at the link: the definitions are found once per page, and each line
    is rebuilt once (this page took 38 s when each link searched the page again)."""
    import time

    links = "".join(f"[a{n}][r]\n" for n in range(20_000)) + "\n" + "[b](beta.md) " * 5_000 + "\n"
    page = f"---\ntitle: Many\nsummary: Many links.\nhub: basics\n---\n{links}\n[r]: beta.md\n"
    root = make_hub({**HUB, "content/basics/many.md": page})
    started = time.monotonic()
    site = build_site(root)
    assert time.monotonic() - started < 20
    twin = (site / "basics/many/index.md").read_text(encoding="utf-8")
    assert twin.count("(https://example.org/learn/basics/beta/)") == 5_000
    assert twin.rstrip().endswith("[r]: https://example.org/learn/basics/beta/")


def test_a_twin_leaves_code_blocks_as_written(make_hub):
    page = (
        "---\ntitle: Code\nsummary: A sample.\nhub: basics\n---\n"
        "```\n[r]: beta.md\n```\n\nSee [Beta][r].\n\n[r]: beta.md\n"
    )
    root = make_hub({**HUB, "content/basics/code.md": page})
    twin = (build_site(root) / "basics/code/index.md").read_text(encoding="utf-8")
    assert "```\n[r]: beta.md\n```" in twin
    assert "[r]: https://example.org/learn/basics/beta/" in twin


def test_a_cached_build_makes_only_the_twins_whose_source_or_link_targets_changed(make_hub, monkeypatch):
    from hubgen.build import llms

    root = make_hub(HUB)
    assert session.build(root, jobs=1, cache=True).check.errors == 0
    made: list[str] = []
    real = llms.twin
    monkeypatch.setattr(
        llms, "twin", lambda graph, page, content_dir: made.append(page.id) or real(graph, page, content_dir)
    )
    aside = root / "content/basics/aside.md"
    aside.write_text(aside.read_text(encoding="utf-8") + "\n[unused]: alpha.md\n", encoding="utf-8")  # same HTML
    session.build(root, jobs=1, cache=True)
    assert made == ["basics/aside"]
    assert (root / "site/basics/aside/index.md").read_bytes().endswith(b"[unused]: alpha.md\n")
    made.clear()
    beta = root / "content/basics/beta.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("Because.", "Since."), encoding="utf-8")
    session.build(root, jobs=1, cache=True)  # alpha links to beta: its twin's URLs are the same
    assert made == ["basics/beta"]
    made.clear()
    home = root / "content/index.md"
    home.write_text(home.read_text(encoding="utf-8") + "\nWelcome.\n", encoding="utf-8")
    session.build(root, jobs=1, cache=True)
    assert made == [""]
    made.clear()
    config = root / "hubgen.yaml"
    config.write_text(CONFIG.replace("example.org", "example.net"), encoding="utf-8")
    session.build(root, jobs=1, cache=True)  # every link's URL changed
    assert sorted(made) == ["", "advanced", "advanced/gamma", "basics", "basics/alpha", "basics/aside", "basics/beta"]
    assert b"(https://example.net/learn/basics/beta/#why)" in (root / "site/basics/alpha/index.md").read_bytes()
