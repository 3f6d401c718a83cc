"""A picture when shared: social cards (one 1200x630 PNG per published page, drawn at build time, byte-identical
across builds and --jobs, kept in the build cache, drawn by `serve` on request), a page's own `image` front
matter (checked like an image link), `social_cards: false`; and the structured data that goes with them:
`author` and `publisher` settings, `datePublished`/`dateModified` from git, `og:locale` with its region."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from helpers import build_site, git_commit, parse_html, read_html, run_cli
from hubgen import session
from hubgen.build import cards, cardtext
from hubgen.core.config import parse_config
from hubgen.session.session import Session

CONFIG = "title: Test Hub\ndescription: A hub for tests.\nbase_url: https://example.org/learn/\nsearch: false\n"
HUB = {
    "hubgen.yaml": CONFIG,
    "content/index.md": "---\ntitle: Home\n---\nStart with [the basics](basics/index.md).\n",
    "content/basics/index.md": "---\ntitle: Basics\ntype: hub\nsummary: Basic ideas.\n---\nSee [Alpha](alpha.md).\n",
    "content/basics/alpha.md": "---\ntitle: Alpha\nsummary: The first idea.\nhub: basics\nnext: beta\n---\nAlpha.\n",
    "content/basics/beta.md": "---\ntitle: Beta\nsummary: The second idea.\nhub: basics\nnext: gamma\n---\nBeta.\n",
    "content/basics/gamma.md": (
        "---\ntitle: A very long title that goes on and on about gradient descent, its many friends, their "
        "learning rates, momentum, schedules, warm restarts and everything else one could possibly want to "
        "read about in a single article of a knowledge hub\nsummary: Long.\nhub: basics\n---\nGamma.\n"
    ),
    "content/basics/secret.md": "---\ntitle: Secret\nsummary: Not yet.\nhub: basics\ndraft: true\n---\nHush.\n",
}
CARDS = ("card.png", "basics/card.png", "basics/alpha/card.png", "basics/beta/card.png", "basics/gamma/card.png")


def png(data: bytes) -> Image.Image:
    """The PNG decoded by Pillow, which checks every chunk's CRC and the zlib stream's checksum."""
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def meta(site: Path, page: str) -> dict[str, str]:
    """The page's <meta property|name=... content=...> pairs."""
    head = read_html(site, page)
    return {m.get("property") or m.get("name"): m.get("content") for m in head.select("meta") if m.get("content")}


def tree(site: Path, suffix: str = "card.png") -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob(f"*{suffix}"))}


def test_every_published_page_has_a_1200_by_630_card_of_its_own_named_in_its_head(make_hub):
    site = build_site(make_hub(HUB))
    found = tree(site)
    assert set(found) == set(CARDS), "articles, hubs and the home page; never a draft"
    assert len(set(found.values())) == len(CARDS), "each card differs"
    for data in found.values():
        image = png(data)
        assert image.size == (1200, 630) and image.mode == "P"
    tags = meta(site, "basics/alpha/index.html")
    assert tags["og:image"] == "https://example.org/learn/basics/alpha/card.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == "Alpha (step 1 of 3, in Basics), on Test Hub"
    assert tags["twitter:card"] == "summary_large_image"
    assert meta(site, "index.html")["og:image"] == "https://example.org/learn/card.png"
    article = article_ld(site, "basics/alpha/index.html")
    assert article["image"] == "https://example.org/learn/basics/alpha/card.png"


def test_a_card_shows_the_hub_the_title_and_the_step_in_the_theme_colours(make_hub):
    site = build_site(make_hub(HUB))
    image = png((site / "basics/beta/card.png").read_bytes()).convert("RGB")
    colours = {colour for _, colour in image.getcolors(1 << 16)}
    assert {(0xFF, 0xFF, 0xFF), (0xED, 0xF3, 0xFE), (0x0B, 0x5B, 0xD3), (0x1D, 0x23, 0x2B)} <= colours
    title = image.crop((80, 128, 1120, 420))  # the title's area holds the text's colour
    assert (0x1D, 0x23, 0x2B) in {colour for _, colour in title.getcolors(1 << 16)}
    step = image.crop((800, 530, 1120, 600))  # "Step 2 of 3", right-aligned in the footer band
    assert (0x59, 0x62, 0x6D) in {colour for _, colour in step.getcolors(1 << 16)}
    plain = cards.draw_card(cards.CardFacts("Beta", "Basics", "", "Test Hub"))
    assert plain != (site / "basics/beta/card.png").read_bytes(), "the step is drawn"


def test_cards_are_byte_identical_on_a_rebuild_with_or_without_the_cache_and_across_jobs(
    make_hub, tmp_path, monkeypatch
):
    project = make_hub(HUB)
    first = tree(build_site(project))
    monkeypatch.setattr(cards, "POOL_THRESHOLD", 2)  # the workers draw, even for a handful of cards
    pooled = session.build(project, output_dir=tmp_path / "pooled", jobs=2, cache=True)
    assert tree(pooled.output) == first
    again = session.build(project, output_dir=tmp_path / "again", jobs=1, cache=True)
    assert tree(again.output) == first
    plain = session.build(project, output_dir=tmp_path / "plain", jobs=1, cache=False)
    assert tree(plain.output) == first


def test_a_warm_build_draws_no_card_and_an_edit_redraws_only_the_cards_that_show_it(make_hub, monkeypatch):
    project = make_hub(HUB)
    drawn: list[cards.CardFacts] = []
    real = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda facts: drawn.append(facts) or real(facts))
    session.build(project, jobs=1, cache=True)
    assert len(drawn) == len(CARDS)
    drawn.clear()
    alpha = project / "content/basics/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha.\n", "Alpha, edited.\n"))
    session.build(project, jobs=1, cache=True)
    assert drawn == [], "a body edit changes no card"
    alpha.write_text(alpha.read_text().replace("title: Alpha", "title: Alpha renamed"))
    site = session.build(project, jobs=1, cache=True).output
    assert [facts.title for facts in drawn] == ["Alpha renamed"]
    assert tree(site) == tree(build_site(project, output_dir=project / "cold"))


def test_a_long_title_is_clipped_and_any_text_draws_a_valid_card():
    for title in (
        "",
        " ",
        "x" * 100_000,
        "word " * 5_000,
        "Café — Straße, 中文 ﬁ\u202e\x00",
        "W" * 40 + " " + "i" * 400,
    ):
        for facts in (cards.CardFacts(title, title, title, title), cards.CardFacts(title, "", "", "")):
            assert png(cards.draw_card(facts)).size == (1200, 630)
    assert cardtext.drawable("Café — Straße") == "Cafe - Strasse"
    lines = cardtext.title_lines(cardtext.drawable("word " * 5_000))[1]
    assert len(lines) == cardtext.TITLE_LINES and lines[-1].endswith("…")


def test_the_glyph_list_is_what_the_font_draws():
    font = ImageFont.load_default(size=20)
    missing = bytes(font.getmask("\uffff"))
    assert all(bytes(font.getmask(char)) != missing for char in cardtext.GLYPHS - {" "})
    assert all(bytes(font.getmask(char)) == missing for char in "éßΩЖ中")


def test_a_pages_own_image_wins_and_is_checked_like_an_image_link(make_hub):
    files = {
        **HUB,
        "content/basics/alpha.md": HUB["content/basics/alpha.md"].replace("next: beta", "next: beta\nimage: shot.png"),
        "content/basics/shot.png": png_bytes(40, 20),
        "content/basics/beta.md": HUB["content/basics/beta.md"].replace(
            "next: gamma", "next: gamma\nimage: https://cdn.example.com/beta.jpg"
        ),
    }
    site = build_site(make_hub(files))
    tags = meta(site, "basics/alpha/index.html")
    assert tags["og:image"] == "https://example.org/learn/basics/shot.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("40", "20")
    assert meta(site, "basics/beta/index.html")["og:image"] == "https://cdn.example.com/beta.jpg"
    assert "og:image:width" not in meta(site, "basics/beta/index.html")
    assert not (site / "basics/alpha/card.png").exists() and not (site / "basics/beta/card.png").exists()

    broken = {
        **files,
        "content/basics/alpha.md": "---\ntitle: Alpha\nhub: basics\n\nimage: shoot.png\n---\nAlpha.\n",
        "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\nimage: diagram.svg\n---\nBeta.\n",
        "content/basics/gamma.md": "---\ntitle: Gamma\nhub: basics\nimage: http://example.com/x.png\n---\nG.\n",
        "content/basics/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
    }
    result = run_cli("check", "-C", str(make_hub(broken, "broken")))
    assert result.exit_code == 1
    assert "content/basics/alpha.md:5:8: error[missing-image]: image 'shoot.png' does not exist" in result.output
    assert "did you mean 'shot.png'?" in result.output
    assert "content/basics/beta.md:4:8: error[image-invalid]" in result.output
    assert "content/basics/gamma.md:4:8: error[image-invalid]" in result.output


def test_social_cards_false_draws_none_and_names_none(make_hub):
    site = build_site(make_hub({**HUB, "hubgen.yaml": CONFIG + "social_cards: false\n"}))
    assert tree(site) == {}
    tags = meta(site, "basics/alpha/index.html")
    assert "og:image" not in tags and tags["twitter:card"] == "summary"


def test_without_base_url_the_card_is_named_relative_to_the_page(make_hub):
    site = build_site(make_hub({**HUB, "hubgen.yaml": "title: Test Hub\nsearch: false\n"}))
    assert meta(site, "basics/alpha/index.html")["og:image"] == "card.png"
    assert meta(site, "index.html")["og:image"] == "card.png"


def test_a_content_file_where_a_card_goes_is_an_output_collision(make_hub):
    project = make_hub({**HUB, "content/basics/alpha/card.png": png_bytes(4, 4)})
    result = run_cli("check", "-C", str(project))
    assert "content/basics/alpha/card.png:1:1: error[output-collision]" in result.output
    project = make_hub({**HUB, "hubgen.yaml": CONFIG + "social_cards: false\n"}, "off")
    write_png = project / "content/basics/alpha/card.png"
    write_png.parent.mkdir(parents=True, exist_ok=True)
    write_png.write_bytes(png_bytes(4, 4))
    assert run_cli("check", "-C", str(project)).exit_code == 0, "no card there: the name is free"


def test_serve_draws_a_card_when_asked_and_a_new_title_a_new_card(make_hub):
    from hubgen.serve.http import resolve

    project = make_hub(HUB)
    live = Session(project)
    assert live.update().ok
    assert set(live.site.cards) == set(CARDS) and not any(p.endswith("card.png") for p in live.site.files)
    served = resolve(live, "/learn/basics/alpha/card.png", "/learn/")
    assert served.kind == "file" and served.data == tree(build_site(project))["basics/alpha/card.png"]
    alpha = project / "content/basics/alpha.md"
    alpha.write_text(alpha.read_text().replace("title: Alpha", "title: Alpha renamed"))
    assert live.update({alpha}).ok
    now = resolve(live, "/learn/basics/alpha/card.png", "/learn/")
    assert now.data != served.data
    assert now.data == tree(build_site(project, output_dir=project / "cold"))["basics/alpha/card.png"]


# ------------------------------------------------------------------------------------- structured data


def article_ld(site: Path, page: str) -> dict:
    (found,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', (site / page).read_text(), re.DOTALL)
    return next(item for item in json.loads(found) if item["@type"] == "Article")


PEOPLE = (
    "author:\n  name: Ada Lovelace\n  url: https://ada.example/\n  logo: img/ada.png\n"
    "publisher:\n  name: Analytical Press\n  url: https://press.example/\n  logo: https://press.example/logo.png\n"
)


def test_json_ld_has_author_publisher_and_both_dates_from_git(make_hub):
    project = make_hub({**HUB, "hubgen.yaml": CONFIG + PEOPLE})
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    git_commit(project, "2024-03-05", "first")
    alpha = project / "content/basics/alpha.md"
    alpha.write_text(alpha.read_text() + "More.\n")
    git_commit(project, "2025-06-07", "second")
    beta = project / "content/basics/beta.md"
    beta.write_text(beta.read_text().replace("next: gamma", "next: gamma\nupdated: 2025-01-02"))
    git_commit(project, "2025-08-09", "third")
    site = build_site(project)
    article = article_ld(site, "basics/alpha/index.html")
    assert article["author"] == {
        "@type": "Person",
        "name": "Ada Lovelace",
        "url": "https://ada.example/",
        "image": {"@type": "ImageObject", "url": "https://example.org/learn/img/ada.png"},
    }
    assert article["publisher"] == {
        "@type": "Organization",
        "name": "Analytical Press",
        "url": "https://press.example/",
        "logo": {"@type": "ImageObject", "url": "https://press.example/logo.png"},
    }
    assert (article["datePublished"], article["dateModified"]) == ("2024-03-05", "2025-06-07")
    beta_ld = article_ld(site, "basics/beta/index.html")
    assert (beta_ld["datePublished"], beta_ld["dateModified"]) == ("2024-03-05", "2025-01-02"), "updated wins"
    gamma = article_ld(site, "basics/gamma/index.html")
    assert (gamma["datePublished"], gamma["dateModified"]) == ("2024-03-05", "2024-03-05")


def test_without_people_or_history_json_ld_names_neither(make_hub):
    site = build_site(make_hub(HUB))
    article = article_ld(site, "basics/alpha/index.html")
    assert "author" not in article and "publisher" not in article and "datePublished" not in article


@pytest.mark.parametrize(
    ("language", "locale"),
    [("en", "en_US"), ("en-GB", "en_GB"), ("fr", "fr_FR"), ("zh-Hant-TW", "zh_TW"), ("eo", "eo"), ("es-419", "es")],
)
def test_og_locale_has_the_languages_region(make_hub, language, locale):
    site = build_site(make_hub({**HUB, "hubgen.yaml": CONFIG + f"language: {language}\n"}))
    assert meta(site, "basics/alpha/index.html")["og:locale"] == locale
    assert parse_html((site / "index.html").read_text()).one("html")["lang"] == language


def test_author_and_publisher_of_the_wrong_shape_are_diagnostics_at_their_lines():
    _, problems = parse_config(
        "title: T\nauthor: Ada\npublisher:\n  name: P\n  url: ftp://press.example/\n  logo: ../logo.png\n  mail: x\n"
    )
    found = {(p.line, p.column, p.code) for p in problems}
    assert found == {(2, 9, "config-type"), (5, 8, "config-type"), (6, 9, "config-type"), (7, 3, "config-unknown-key")}


def png_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_serve_redraws_an_articles_card_when_its_hub_is_renamed_and_keeps_all_on_a_body_edit(make_hub):
    project = make_hub(HUB)
    live = Session(project)
    assert live.update().ok
    before = dict(live.site.cards)
    alpha = project / "content/basics/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha.\n", "Alpha, edited.\n"))
    assert live.update({alpha}).ok
    assert live.site.cards == before, "a body edit changes no card"
    hub = project / "content/basics/index.md"
    hub.write_text(hub.read_text().replace("title: Basics", "title: Foundations"))
    assert live.update({hub}).ok
    changed = {path for path, key in live.site.cards.items() if before[path] != key}
    assert changed == {"basics/card.png", "basics/alpha/card.png", "basics/beta/card.png", "basics/gamma/card.png"}
    cold = tree(build_site(project))
    assert all(live.card(live.site.cards[path]) == cold[path] for path in CARDS)


@pytest.mark.browser
def test_chromium_decodes_a_card_to_the_same_pixels_as_pillow(make_hub):
    """The PNG is written by hubgen itself: a second decoder (Chromium's) must read what Pillow reads."""
    import base64
    import shutil

    from playwright.sync_api import sync_playwright

    site = build_site(make_hub(HUB))
    data = (site / "basics/gamma/card.png").read_bytes()
    expected = png(data).convert("RGBA").tobytes()
    script = """async (src) => {
        const image = new Image(); image.src = src; await image.decode();
        const canvas = document.createElement("canvas"); canvas.width = image.width; canvas.height = image.height;
        const context = canvas.getContext("2d"); context.drawImage(image, 0, 0);
        return [image.naturalWidth, image.naturalHeight, Array.from(context.getImageData(0, 0, 1200, 630).data)];
    }"""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is not installed: run the README's test command"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--force-color-profile=srgb"]
        )
        try:
            width, height, pixels = browser.new_page().evaluate(
                script, "data:image/png;base64," + base64.b64encode(data).decode()
            )
        finally:
            browser.close()
    assert (width, height) == (1200, 630)
    assert bytes(pixels) == expected
