"""The theme's smaller promises, read from built sites: the favicon (default and `favicon:`), the theme
switch's markup, the 404 numeral, images for dark and light schemes, and code blocks (their copy button is
added by hubgen.js: tests/test_theme_browser.py clicks it)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

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


def test_every_page_carries_the_themes_favicon_inline(make_hub) -> None:
    """The theme's icon is small: inlined as a data: URL, it costs no request (and, named by the page, no
    browser asks for /favicon.ico). Its file is in the site too, for anything else that wants it."""
    site = build_site(make_hub(small_hub()))
    theme_icon = (site / "_static/favicon.svg").read_text(encoding="utf-8").strip()
    pages = ["index.html", "hub/index.html", "hub/a/index.html", "tags/index.html", "tags/x/index.html", "404.html"]
    for page in pages:
        link = read_html(site, page).one("link[rel=icon]")
        assert link["type"] == "image/svg+xml", page
        assert unquote(link["href"].removeprefix("data:image/svg+xml,")) == theme_icon, page
    assert len(read_html(site, "index.html").one("link[rel=icon]")["href"]) < 600


def test_a_large_theme_icon_is_linked_not_inlined(make_hub) -> None:
    big = "<svg xmlns='http://www.w3.org/2000/svg'><!--" + "x" * 3000 + "--></svg>"
    site = build_site(make_hub(small_hub(**{"templates/static/favicon.svg": big})))
    assert icon_of(site, "hub/a/index.html") == ("_static/favicon.svg", "image/svg+xml")
    assert (site / "_static/favicon.svg").read_text(encoding="utf-8") == big
    base = {"hubgen.yaml": "base_url: https://example.org/learn/\n", "templates/static/favicon.svg": big}
    site = build_site(make_hub(small_hub(**base), name="based"))
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


# ------------------------------------------------------------------------------ images for one colour scheme

SCHEMED = {
    "content/hub/light.png": PNG,
    "content/hub/dark.png": PNG,
    "content/hub/a.md": """\
        ---
        title: A
        ---
        ![Plot](light.png#gh-light-mode-only)
        ![Plot](dark.png#gh-dark-mode-only)
        *Loss per epoch.*

        Inline ![only dark](dark.png#gh-dark-mode-only) and ![plain](light.png#other).

        <picture>
          <source media="(prefers-color-scheme: dark)" srcset="dark.png 1x, dark.png#x 2x">
          <img src="light.png" alt="Plot">
        </picture>
        """,
}


def test_images_marked_for_one_scheme_get_its_class_and_a_pair_makes_one_figure(make_hub) -> None:
    site = build_site(make_hub(small_hub(**SCHEMED)))
    page = read_html(site, "hub/a/index.html")
    figure = page.one("figure")
    images = figure.select("img")
    assert [(i["src"], i["class"]) for i in images] == [
        ("../light.png#gh-light-mode-only", "gh-light-mode-only"),
        ("../dark.png#gh-dark-mode-only", "gh-dark-mode-only"),
    ]
    assert figure.one("figcaption").text == "Loss per epoch."
    inline = page.select("p img")
    assert [i.get("class") for i in inline] == ["gh-dark-mode-only", None]


def test_a_picture_sources_srcset_leads_to_the_file_from_the_page(make_hub) -> None:
    site = build_site(make_hub(small_hub(**SCHEMED)))
    source = read_html(site, "hub/a/index.html").one("picture source")
    assert source["srcset"] == "../dark.png 1x, ../dark.png#x 2x"
    assert source["media"] == "(prefers-color-scheme: dark)"


def test_scheme_fragments_do_not_upset_the_link_checker_but_a_missing_srcset_file_does(make_hub) -> None:
    project = make_hub(small_hub(**SCHEMED))
    outcome = run_cli("check", "-C", str(project))
    assert outcome.exit_code == 0, outcome.output
    broken = SCHEMED["content/hub/a.md"].replace("dark.png#x 2x", "dark@2x.png 2x")
    make_hub({"content/hub/a.md": broken})
    outcome = run_cli("check", "-C", str(project))
    assert outcome.exit_code == 1
    assert "content/hub/a.md:11:69: error[missing-image]: image 'dark@2x.png' does not exist" in outcome.output


def test_an_unsafe_srcset_candidate_is_dropped(make_hub) -> None:
    page = SCHEMED["content/hub/a.md"].replace("dark.png#x 2x", "javascript:alert(1) 2x")
    site = build_site(make_hub(small_hub(**{**SCHEMED, "content/hub/a.md": page})))
    assert read_html(site, "hub/a/index.html").one("picture source")["srcset"] == "../dark.png 1x"


def test_the_example_neuron_figure_has_a_dark_twin(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    dark = (repo / "content/neural-networks/neuron-dark.svg").read_text(encoding="utf-8")
    assert "#ffffff" not in dark and 'fill="#161b22"' in dark


# ---------------------------------------------------------------------------------- theme switch, 404, code


def test_the_theme_switch_is_a_named_switch_hidden_until_javascript_runs(make_hub) -> None:
    site = build_site(make_hub(small_hub()))
    switch = read_html(site, "hub/a/index.html").one("[data-theme-toggle]")
    assert switch.tag == "button" and switch["type"] == "button"
    assert (switch["role"], switch["aria-label"], switch["aria-checked"]) == ("switch", "Dark mode", "false")
    assert "hidden" in switch.attrs and "aria-pressed" not in switch.attrs
    assert switch.one(".theme-toggle-label").text == "Dark mode"


def test_code_blocks_carry_no_copy_button_in_the_html(make_hub) -> None:
    site = build_site(make_hub(small_hub(**{"content/hub/a.md": "---\ntitle: A\n---\n```python\nx = 1\n```\n"})))
    page = read_html(site, "hub/a/index.html")
    assert page.one(".highlight pre")["tabindex"] == "0"
    assert not page.select("button.code-copy")  # hubgen.js adds it: none without JavaScript
