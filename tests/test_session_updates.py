"""A held session (`hubgen serve`) and a cached build agree with a cold build after edits the invalidation
rule must see: an image replaced by one of another size, and an edit reverted after a failed update."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from hubgen.session import RunOptions, Session

HUB = {
    "hubgen.yaml": "title: Test\nsearch: false\n",
    "content/index.md": "# Home\n\nStart at [the basics](basics/index.md).\n",
    "content/basics/index.md": (
        "---\ntitle: Basics\ntype: hub\nsummary: Where to start.\n---\nBegin with [Alpha](alpha.md).\n"
    ),
    "content/basics/alpha.md": (
        "---\ntitle: Alpha\nhub: basics\nsummary: The first idea.\n---\nAlpha.\n\n![A picture](pic.png)\n"
    ),
}


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of this size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_tags(html: bytes) -> list[bytes]:
    return re.findall(rb"<img[^>]*>", html)


def cold_files(project: Path) -> dict[str, bytes]:
    cold = Session(project)
    assert cold.update().ok
    return cold.site.files


def test_an_image_replaced_by_one_of_another_size_is_seen_by_serve(make_hub) -> None:
    project = make_hub({**HUB, "content/basics/pic.png": png(10, 20)})
    live = Session(project)
    assert live.update().ok
    assert b'width="10" height="20"' in image_tags(live.site.files["basics/alpha/index.html"])[0]
    (project / "content/basics/pic.png").write_bytes(png(30, 40))
    result = live.update({project / "content/basics/pic.png"})
    assert result.ok
    assert b'width="30" height="40"' in image_tags(live.site.files["basics/alpha/index.html"])[0]
    assert live.site.files == cold_files(project)


def test_an_image_replaced_by_one_of_another_size_is_seen_by_a_cached_build(make_hub, tmp_path: Path) -> None:
    project = make_hub({**HUB, "content/basics/pic.png": png(10, 20)})
    assert Session(project, RunOptions(cache=True)).build().files
    (project / "content/basics/pic.png").write_bytes(png(30, 40))
    Session(project, RunOptions(cache=True)).build()
    page = (project / "site/basics/alpha/index.html").read_bytes()
    assert b'width="30" height="40"' in image_tags(page)[0]


def test_an_edit_reverted_after_a_template_error_updates_cleanly(make_hub) -> None:
    """The generated home page's template fails on one title: the update fails, and reverting the title works at
    once (the session's memo and its kept pages stay in step), giving what a cold build gives."""
    failing = '{% for h in page.hubs %}{% if h.title == "Boom" %}{{ nothing.x }}{% endif %}{{ h.title }}{% endfor %}\n'
    files = {**HUB, "content/basics/pic.png": png(4, 4), "templates/home.html": failing, "content/index.md": None}
    project = make_hub(files)  # no content/index.md: the home page is generated, after the pages
    hub = project / "content/basics/index.md"
    original = hub.read_text(encoding="utf-8")
    live = Session(project)
    assert live.update().ok
    hub.write_text(original.replace("title: Basics", "title: Boom"), encoding="utf-8")
    failed = live.update({hub})
    assert not failed.ok and failed.kind == "template"
    hub.write_text(original, encoding="utf-8")
    reverted = live.update({hub})
    assert reverted.ok, reverted.message
    assert not reverted.full, "recovered without starting from nothing"
    assert live.site.files == cold_files(project)


MENTIONS = {
    "hubgen.yaml": "title: Test\nsearch: false\n",
    "content/index.md": "# Home\n\nWelcome.\n",
    "content/basics/index.md": "---\ntitle: Basics\ntype: hub\n---\nThe hub.\n",
    "content/basics/alpha.md": "---\ntitle: Alpha\n---\nAlpha.\n",
    "content/basics/beta.md": "---\ntitle: Beta\nsummary: B.\n---\nBeta builds on [alpha](alpha.md) first.\n",
}
NEW_SENTENCE = "---\ntitle: Beta\nsummary: B.\n---\nBeta now quotes [alpha](alpha.md) differently.\n"  # a body edit


def test_a_new_sentence_around_a_link_reaches_the_mentioned_page_in_serve(make_hub) -> None:
    project = make_hub(MENTIONS)
    live = Session(project)
    assert live.update().ok
    assert b"Beta builds on alpha first." in live.site.files["basics/alpha/index.html"]
    (project / "content/basics/beta.md").write_text(NEW_SENTENCE)
    assert live.update({project / "content/basics/beta.md"}).ok
    assert b"Beta now quotes alpha differently." in live.site.files["basics/alpha/index.html"]
    assert live.site.files == cold_files(project)


def test_a_new_sentence_around_a_link_reaches_the_mentioned_page_in_a_cached_build(make_hub) -> None:
    project = make_hub(MENTIONS)
    assert Session(project, RunOptions(cache=True)).build().files
    (project / "content/basics/beta.md").write_text(NEW_SENTENCE)
    assert Session(project, RunOptions(cache=True)).build().files
    assert b"Beta now quotes alpha differently." in (project / "site/basics/alpha/index.html").read_bytes()
