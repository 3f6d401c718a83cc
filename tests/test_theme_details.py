"""The theme's smaller promises, read from built sites: the favicon (default and `favicon:`), the theme
switch's markup, the 404 numeral, images for dark and light schemes, and code blocks (their copy button is
added by hubgen.js: tests/test_theme_browser.py clicks it)."""

from __future__ import annotations

import posixpath
from pathlib import Path

from helpers import build_site, read_html, run_cli

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e30000000049454e44ae426082"
)


def small_hub(**extra: str | bytes) -> dict[str, str | bytes]:
    return {
        "hubgen.yaml": "title: Small\n",
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/hub/index.md": "---\ntitle: Hub\ntype: hub\n---\nHub body.\n",
        "content/hub/a.md": "---\ntitle: A\ntags: [x]\n---\nA body.\n",
        **extra,
    }


def icon_of(site: Path, page: str) -> tuple[str, str]:
    """(the file the page's icon link leads to, relative to the site; its type)."""
    link = read_html(site, page).one("link[rel=icon]")
    href = link["href"]
    here = posixpath.dirname(page)
    target = href.removeprefix("/") if href.startswith("/") else posixpath.normpath(posixpath.join(here, href))
    return target, link["type"]


# -------------------------------------------------------------------------------------------------- favicon


def test_every_page_links_the_themes_favicon_which_the_site_holds(make_hub) -> None:
    site = build_site(make_hub(small_hub()))
    pages = ["index.html", "hub/index.html", "hub/a/index.html", "tags/index.html", "tags/x/index.html", "404.html"]
    for page in pages:
        target, kind = icon_of(site, page)
        assert kind == "image/svg+xml" and (site / target).read_bytes().startswith(b"<svg"), page
    assert icon_of(site, "hub/a/index.html")[0] == "_static/favicon.svg"


def test_the_404_page_links_its_icon_from_the_base_path(make_hub) -> None:
    site = build_site(make_hub(small_hub(**{"hubgen.yaml": "base_url: https://example.org/learn/\n"})))
    assert read_html(site, "404.html").one("link[rel=icon]")["href"] == "/learn/_static/favicon.svg"


def test_the_favicon_setting_names_an_image_in_content(make_hub) -> None:
    files = small_hub(**{"hubgen.yaml": "favicon: ./images/icon.png\n", "content/images/icon.png": PNG})
    site = build_site(make_hub(files))
    for page in ("index.html", "hub/a/index.html", "404.html"):
        target, kind = icon_of(site, page)
        assert (target, kind) == ("images/icon.png", "image/png"), page
        assert (site / target).read_bytes() == PNG


def test_a_favicon_naming_no_file_is_an_error_at_the_setting_with_a_did_you_mean(make_hub) -> None:
    files = small_hub(**{"hubgen.yaml": "title: Small\nfavicon: icon.png\n", "content/images/icon.png": PNG})
    outcome = run_cli("check", "-C", str(make_hub(files)))
    assert outcome.exit_code == 1
    assert "hubgen.yaml:2:10: error[favicon-missing]: favicon 'icon.png' names no file in content/" in outcome.output
    assert "did you mean 'images/icon.png'?" in outcome.output


def test_a_favicon_outside_content_or_not_an_image_is_refused_when_the_settings_are_read(make_hub) -> None:
    for value in ("../secret.svg", "/etc/icon.png", "notes.txt", "icon.svg#x"):
        project = make_hub(small_hub(**{"hubgen.yaml": f"favicon: '{value}'\n"}), name=value.replace("/", "_"))
        outcome = run_cli("check", "-C", str(project))
        assert outcome.exit_code == 2 and "error[config-type]: favicon must" in outcome.output, (value, outcome.output)


def test_a_missing_favicon_turned_off_still_builds(make_hub) -> None:
    files = small_hub(**{"hubgen.yaml": "favicon: icon.png\nchecks:\n  favicon-missing: off\n"})
    site = build_site(make_hub(files))
    assert icon_of(site, "index.html") == ("icon.png", "image/png")
