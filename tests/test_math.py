"""Math as on GitHub: `$…$`, `$$…$$` and ```math fences become MathML with their TeX kept as alttext and
annotation; what GitHub does not read as math stays text; TeX the converter rejects is `math-syntax` at the
formula's own line and column, and the page still builds."""

from __future__ import annotations

import textwrap

from helpers import build_site, parse_html, read_html
from hubgen.core.markdown import parse_markdown
from hubgen.core.mathml import MAX_TEX, convert
from hubgen.session import check

TEX = "application/x-tex"

ARTICLE = """\
    ---
    title: Neuron
    ---
    A neuron computes $z = \\mathbf{w} \\cdot \\mathbf{x} + b$ and then an activation.

    $$
    \\sigma(z) = \\frac{1}{1 + e^{-z}}
    $$

    ```math
    \\mathrm{softmax}(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}
    ```

    It costs $5 and $10, not \\$x\\$, and `$y$` is code.
    """


def hub(make_hub, body: str = ARTICLE, config: str = ""):
    return make_hub({"content/index.md": body, "hubgen.yaml": config or "title: T\n"})


def test_each_math_form_becomes_mathml_with_its_tex(make_hub):
    page = read_html(build_site(hub(make_hub)), "index.html")
    formulas = page.select("math")
    assert [m["display"] for m in formulas] == ["inline", "block", "block"]
    sources = [m.one("annotation")["encoding"] for m in formulas], [m.one("annotation").text for m in formulas]
    assert sources[0] == [TEX] * 3
    assert sources[1] == [
        "z = \\mathbf{w} \\cdot \\mathbf{x} + b",
        "\\sigma(z) = \\frac{1}{1 + e^{-z}}",
        "\\mathrm{softmax}(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}",
    ]
    assert [m["alttext"] for m in formulas] == sources[1]
    assert all("data-pagefind-ignore" in m.attrs for m in formulas)
    assert formulas[1].one("mfrac") and formulas[0].parent.tag == "p"
    assert formulas[1].parent.has_class("math-display")


def test_dollars_github_does_not_read_as_math_stay_text(make_hub):
    page = read_html(build_site(hub(make_hub)), "index.html")
    last = page.select(".prose p")[-1]
    assert last.text == "It costs $5 and $10, not $x$, and $y$ is code."
    assert not last.select("math")
    assert last.one("code").text == "$y$"


def test_inline_double_dollars_are_display_math_inside_the_paragraph():
    html = parse_markdown("so $$x^2$$ here").html
    element = parse_html(html)
    assert element.one("p span.math-display math")["display"] == "block"


def test_githubs_dollar_backtick_form_is_inline_math_and_its_errors_are_placed():
    parsed = parse_markdown("Root $`\\sqrt{3}`$ and $`x^`$, not $`a` b.")
    page = parse_html(parsed.html)
    assert [m.one("annotation").text for m in page.select("math")] == ["\\sqrt{3}"]
    assert page.one("code.math-source").text == "x^" and page.select("code")[-1].text == "a"
    assert [(n.line, n.column, n.code) for n in parsed.notes] == [(1, 25, "math-syntax")]


def test_a_dollar_next_to_a_space_is_not_math():
    assert "<math" not in parse_markdown("from $ 5 to $ 10").html
    assert "<math" not in parse_markdown("a $x $ b").html


def test_math_false_leaves_dollars_and_fences_as_written(make_hub):
    site = build_site(hub(make_hub, config="markdown:\n  math: false\n"))
    page = read_html(site, "index.html")
    assert not page.select("math")
    assert "$z = \\mathbf{w}" in page.select(".prose p")[0].text
    assert page.one(".highlight").text.startswith("\\mathrm{softmax}")


def test_rejected_tex_is_math_syntax_at_the_formula_and_the_page_still_builds(make_hub):
    body = """\
        ---
        title: Bad
        ---
        Fine $x$ and broken $x^$ here.

        > quoted $$
        > \\sqrt
        > $$

        ```math
          \\left( x
        ```

        Unknown $\\foo{x}$.
        """
    project = hub(make_hub, body)
    result = check(project)
    found = [(d.file, d.line, d.column, d.code) for d in result.diagnostics if d.code == "math-syntax"]
    assert found == [
        ("content/index.md", 4, 22, "math-syntax"),
        ("content/index.md", 7, 3, "math-syntax"),
        ("content/index.md", 11, 3, "math-syntax"),
        ("content/index.md", 14, 10, "math-syntax"),
    ]
    messages = [d.message for d in result.diagnostics if d.code == "math-syntax"]
    assert "`^` or `_`" in messages[0] and "\\right" in messages[2] and "`\\foo`" in messages[3]
    make_hub({"hubgen.yaml": "checks:\n  math-syntax: warning\n"})  # an error stops the build, not the page
    page = read_html(build_site(project), "index.html")
    assert [c.text for c in page.select("code.math-source")] == ["x^", "\\sqrt", "\\left( x", "\\foo{x}"]
    assert len(page.select("math")) == 1


def test_a_formula_too_long_or_too_deep_is_refused_quickly():
    html, problem = convert("x+" * MAX_TEX, False)
    assert "characters long" in problem and "<math" not in html
    html, problem = convert("{" * 500 + "x" + "}" * 500, True)
    assert "nests deeper" in problem and html.startswith("<pre")


def test_tex_is_escaped_in_attributes_and_annotation():
    html, problem = convert('a < b "c" & d', False)
    assert not problem
    assert 'alttext="a &lt; b &quot;c&quot; &amp; d"' in html
    assert "<annotation encoding" in html and "&lt; b" in html


def test_search_indexes_the_words_around_a_formula_not_its_mathml(make_hub):
    import gzip

    site = build_site(hub(make_hub))
    fragments = [gzip.decompress(f.read_bytes()) for f in (site / "pagefind" / "fragment").iterdir()]
    text = next(f for f in fragments if b"A neuron computes" in f).decode("utf-8", "replace")
    assert "A neuron computes and then an activation. It costs $5" in text  # the body, its formulas left out
    assert "mfrac" not in text and "softmax" not in text and "𝑤" not in text and "1 + e" not in text


def test_a_summary_made_from_the_first_paragraph_keeps_a_formula_as_its_tex():
    assert parse_markdown("A neuron computes $z = wx + b$ first.").excerpt == "A neuron computes z = wx + b first."


def test_turning_math_off_is_not_hidden_by_the_parse_cache_and_silences_math_syntax(make_hub):
    from hubgen.session import build

    project = hub(make_hub, textwrap.dedent(ARTICLE) + "\nBroken $x^$ here.\n")
    make_hub({"hubgen.yaml": "checks:\n  math-syntax: warning\n"})
    first = build(project, cache=True)
    assert [d.code for d in first.check.diagnostics] == ["math-syntax"]
    assert read_html(first.output, "index.html").select("math")
    make_hub({"hubgen.yaml": "markdown:\n  math: false\n"})
    second = build(project, cache=True)
    assert [d.code for d in second.check.diagnostics] == []
    assert not read_html(second.output, "index.html").select("math")
