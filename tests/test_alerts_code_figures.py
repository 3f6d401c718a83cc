"""Writing as on GitHub, beyond plain Markdown: `> [!NOTE]` alerts, code blocks with a title, highlighted
lines and line numbers, diff blocks, and figures with captions and their images' sizes."""

from __future__ import annotations

import struct
import zlib

from helpers import build_site, parse_html, read_html
from hubgen.core.highlight import fence_info
from hubgen.core.imagesize import size_from_head
from hubgen.core.markdown import parse_markdown
from hubgen.session import check


def body(text: str):
    return parse_html(parse_markdown(text).html)


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 16


def jpeg(width: int, height: int) -> bytes:
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 300) + b"E" * 300
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + exif + frame + b"\xff\xd9"


# ------------------------------------------------------------------------------------------------ alerts


def test_each_github_alert_is_an_admonition_with_an_icon_and_a_role():
    kinds = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"]
    page = body("\n\n".join(f"> [!{kind}]\n> About {kind.lower()}." for kind in kinds))
    alerts = page.select("div.markdown-alert")
    assert [a["class"].split()[:2] for a in alerts] == [["admonition", k.lower()] for k in kinds]
    assert [a["role"] for a in alerts] == ["note"] * 5
    assert [a["aria-label"] for a in alerts] == [k.capitalize() for k in kinds]
    assert [a.one(".admonition-title").text for a in alerts] == [k.capitalize() for k in kinds]
    assert all(a.one(".admonition-title svg")["aria-hidden"] == "true" for a in alerts)
    assert [a.select("p")[-1].text for a in alerts] == [f"About {k.lower()}." for k in kinds]
    assert not page.select("blockquote")


def test_an_alert_keeps_its_markdown_and_may_start_after_a_blank_line():
    page = body("> [!tip]\n>\n> Use **small** steps.\n>\n> - one\n> - two")
    alert = page.one("div.markdown-alert")
    assert alert.one("strong").text == "small" and len(alert.select("li")) == 2


def test_an_unknown_alert_stays_a_quote_and_check_warns_at_it(make_hub):
    project = make_hub(
        {
            "content/index.md": """\
                ---
                title: Home
                ---
                Intro.

                > [!NOTICE]
                > Not a kind GitHub knows.

                > [!NOTE] with words after it is a plain quote too
                """
        }
    )
    result = check(project)
    found = [(d.file, d.line, d.column, d.code, d.severity) for d in result.diagnostics]
    assert found == [("content/index.md", 6, 3, "alert-unknown", "warning")]
    assert "[!NOTE]" in result.diagnostics[0].hint
    page = read_html(build_site(project), "index.html")
    assert len(page.select(".prose blockquote")) == 2 and not page.select(".markdown-alert")


# -------------------------------------------------------------------------------------------------- code


def test_a_fence_title_highlighted_lines_and_line_numbers():
    page = body('```python title="neuron.py" {2,4-5} linenos\na = 1\nb = 2\nc = 3\nd = 4\ne = 5\n```')
    block = page.one("div.highlight")
    assert block["data-lang"] == "python"
    assert block.one(".filename").text == "neuron.py"
    assert [s.text for s in block.select("span.linenos")] == ["1", "2", "3", "4", "5"]
    assert [s.text for s in block.select("span.hll")] == ["2b = 2", "4d = 4", "5e = 5"]


def test_hl_lines_as_an_option_and_no_numbers_unless_asked():
    page = body('```python hl_lines="1 3"\nx\ny\nz\n```')
    assert len(page.select("span.hll")) == 2 and not page.select("span.linenos")
    assert not page.select(".filename")


def test_an_unknown_language_with_a_title_is_plain_text_with_the_title():
    page = body('```nosuchlang title="notes.txt"\n<b>x</b>\n```')
    assert page.one(".filename").text == "notes.txt"
    assert page.one("code").text == "<b>x</b>"


def test_a_title_is_escaped():
    html = parse_markdown('```python title="<script>x</script>"\nx\n```').html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_diff_block_marks_added_and_removed_lines():
    page = body("```diff\n-w = w + lr * g\n+w = w - lr * g\n```")
    assert page.one(".highlight")["data-lang"] == "diff"
    assert page.one("span.gd").text == "-w = w + lr * g"
    assert page.one("span.gi").text == "+w = w - lr * g"


def test_line_ranges_are_clamped_to_the_block():
    assert fence_info("py {1-999999999}", 3)[1].hl_lines == (1, 2, 3)
    assert fence_info("py {3-5,1-4,2,0,9}", 6)[1].hl_lines == (1, 2, 3, 4, 5)
    assert fence_info("py linenos=false", 3)[1].linenos is False


# ----------------------------------------------------------------------------------------------- figures


FIGURES = """\
    ---
    title: Figures
    ---
    ![A loss curve falling](loss.png)
    *Loss per epoch: it falls fast, then flattens.*

    ![A neuron](neuron.svg "One neuron: inputs, weights, a sum")

    ![A photo](photo.jpg)

    *A caption in its own paragraph.*

    Inline ![icon](loss.png) in text stays an image.
    """


def figure_site(make_hub):
    svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 180"></svg>'
    project = make_hub(
        {
            "content/index.md": FIGURES,
            "content/loss.png": png(640, 360),
            "content/neuron.svg": svg,
            "content/photo.jpg": jpeg(800, 600),
        }
    )
    return read_html(build_site(project), "index.html")


def test_an_image_with_an_italic_line_or_a_title_is_a_figure(make_hub):
    page = figure_site(make_hub)
    figures = page.select(".prose figure")
    assert [f.one("figcaption").text for f in figures] == [
        "Loss per epoch: it falls fast, then flattens.",
        "One neuron: inputs, weights, a sum",
        "A caption in its own paragraph.",
    ]
    assert [f.one("img")["alt"] for f in figures] == ["A loss curve falling", "A neuron", "A photo"]
    assert figures[1].one("img").get("title") is None
    assert page.select(".prose p img")[0]["alt"] == "icon"


def test_images_carry_their_size_and_all_but_the_first_load_lazily(make_hub):
    images = figure_site(make_hub).select(".prose img")
    sizes = [("640", "360"), ("320", "180"), ("800", "600"), ("640", "360")]
    assert [(i["width"], i["height"]) for i in images] == sizes
    assert [i.get("loading") for i in images] == [None, "lazy", "lazy", "lazy"]


def test_sizes_are_read_only_from_well_formed_headers():
    assert size_from_head(png(3, 4)) == (3, 4)
    assert size_from_head(jpeg(5, 6)) == (5, 6)
    assert size_from_head(b"GIF89a\x07\x00\x08\x00") == (7, 8)
    assert size_from_head(b'<svg width="12px" height="9" viewBox="0 0 1 1">') == (12, 9)
    assert size_from_head(b'<svg width="50%" viewBox="0,0,30,20">') == (30, 20)
    for hostile in (b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe1\x00\x00", b"\xff\xd8" + b"\xff" * 5000, b"<svg"):
        assert size_from_head(hostile) is None
    assert size_from_head(b"<svg" * 20000) is None


def test_an_image_file_that_is_not_an_image_gets_no_size(make_hub):
    project = make_hub({"content/index.md": "# Home\n\n![broken](x.png)\n", "content/x.png": b"not a png"})
    image = read_html(build_site(project), "index.html").one(".prose img")
    assert image.get("width") is None and image["src"] == "x.png"


def test_a_jpeg_with_long_metadata_is_measured_and_a_longer_one_is_not(tmp_path):
    from hubgen.core.imagesize import image_size

    def with_exif(*lengths: int) -> bytes:
        exif = b"".join(b"\xff\xe1" + struct.pack(">H", n) + b"E" * (n - 2) for n in lengths)
        return b"\xff\xd8" + exif + jpeg(30, 20)[2:]

    (tmp_path / "a.jpg").write_bytes(with_exif(20_000))
    (tmp_path / "b.jpg").write_bytes(with_exif(40_000, 40_000))  # the size frame lies past the 64 KiB read
    (tmp_path / "c.txt").write_bytes(png(1, 1))
    assert image_size(tmp_path / "a.jpg") == (30, 20)
    assert image_size(tmp_path / "b.jpg") is None
    assert image_size(tmp_path / "c.txt") is None
