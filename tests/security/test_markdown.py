from __future__ import annotations

from django.template import Context, Template

from portal.templatetags.formatted import render_markdown


def test_it_renders_emphasis_lists_and_paragraphs() -> None:
    html = render_markdown("Hej *du*\n\n- ett\n- två")
    assert "<em>du</em>" in html
    assert "<ul>\n<li>ett</li>\n<li>två</li>\n</ul>" in html


def test_it_escapes_raw_html_instead_of_passing_it_through() -> None:
    html = render_markdown('<script>alert(1)</script>\n\n<b onmouseover="x()">q</b>')
    assert "<script" not in html
    assert "<b " not in html
    assert "&lt;script&gt;" in html


def test_it_escapes_an_html_block() -> None:
    html = render_markdown("<div>\n<iframe src=//evil></iframe>\n</div>")
    assert "<div" not in html and "<iframe" not in html


def test_it_drops_images() -> None:
    html = render_markdown("![spårare](https://evil.example/pixel.png)")
    assert "<img" not in html


def test_links_get_nofollow_noopener() -> None:
    html = render_markdown("[Tyresö](https://www.tyreso.se)")
    assert html == ('<p><a href="https://www.tyreso.se" rel="nofollow noopener">Tyresö</a></p>')


def test_javascript_and_data_links_lose_their_address() -> None:
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>"]:
        html = render_markdown(f"[x]({url})")
        assert "href" not in html
        assert "javascript" not in html.lower()


def test_headings_are_demoted_to_start_at_h3_and_keep_their_order() -> None:
    html = render_markdown("# Ett\n\n### Tre\n\n## Två")
    assert "<h3>Ett</h3>" in html
    assert "<h5>Tre</h5>" in html
    assert "<h4>Två</h4>" in html
    assert "<h1" not in html and "<h2" not in html


def test_the_top_heading_level_can_be_chosen_but_never_above_h2() -> None:
    assert "<h4>A</h4>" in render_markdown("# A", top=4)
    assert "<h2>A</h2>" in render_markdown("# A", top=2)
    assert "<h2>A</h2>" in render_markdown("# A", top=1)


def test_a_single_line_break_is_kept() -> None:
    html = render_markdown("Rad ett\nrad två\n\nNytt stycke")
    assert html == "<p>Rad ett<br>\nrad två</p>\n<p>Nytt stycke</p>"


def test_quotes_stay_text_and_create_no_attribute() -> None:
    html = render_markdown('" onmouseover="alert(1)')
    assert html == '<p>" onmouseover="alert(1)</p>'


def test_the_filter_works_in_a_template_and_is_not_escaped_twice() -> None:
    template = Template("{% load formatted %}{{ text|markdown }}")
    html = template.render(Context({"text": "**fet** & <i>"}))
    assert html == "<p><strong>fet</strong> &amp; &lt;i&gt;</p>"


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""
    assert Template("{% load formatted %}{{ text|markdown }}").render(Context({})) == ""
