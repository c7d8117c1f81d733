"""`{% load i18n_folded %}`: Django's i18n tags, constant `{% translate %}` rendered once per
language (portal/templatetags/i18n_folded.py). The output must be exactly Django's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from portal.templatetags.i18n_folded import FoldedTranslateNode

# Strings with a translation in the catalogues, HTML characters (a literal is safe: Django
# leaves it unescaped) and `%%`.
SOURCE = (
    '{% translate "Search" %}|{% translate "Log out" %}|{% trans \'Tom & Jerry "<b>"\' %}|'
    '{% translate "100%% sure" %}|{% translate "Skip to content" %}'
)


def _render(library: str, language: str, autoescape: bool) -> str:
    template = Template("{% load " + library + " %}" + SOURCE)
    with translation.override(language):
        return template.render(Context(autoescape=autoescape))


@pytest.mark.parametrize("autoescape", [True, False])
def test_the_output_is_djangos_in_every_language(autoescape: bool) -> None:
    for language, _name in settings.LANGUAGES:
        folded = Template("{% load i18n_folded %}" + SOURCE)
        for _ in range(2):  # the second render comes from what the node kept
            with translation.override(language):
                out = folded.render(Context(autoescape=autoescape))
            assert out == _render("i18n", language, autoescape)
    assert _render("i18n_folded", "sv", True).startswith("Sök|Logga ut|Tom & Jerry")
    assert _render("i18n_folded", "en", True).startswith("Search|Log out|")


def test_a_node_keeps_one_output_per_language() -> None:
    template = Template('{% load i18n_folded %}{% translate "Search" %}')
    outputs = []
    for language in ("sv", "en", "sv"):
        with translation.override(language):
            outputs.append(template.render(Context()))
    assert outputs == ["Sök", "Search", "Sök"]
    (node,) = [n for n in template.nodelist if isinstance(n, FoldedTranslateNode)]
    assert set(node.rendered) == {("sv", True), ("en", True)}


@pytest.mark.parametrize(
    "tag",
    [
        "{% translate word %}",
        '{% translate "Search"|upper %}',
        '{% translate "Search" as label %}{{ label }}',
        '{% translate "Search" context "verb" %}',
        '{% translate "Search" noop %}',
    ],
)
def test_anything_but_a_plain_constant_is_left_to_django(tag: str) -> None:
    folded = Template("{% load i18n_folded %}" + tag)
    assert not [n for n in folded.nodelist if isinstance(n, FoldedTranslateNode)]
    for word in ("Search", "Log out"):
        with translation.override("sv"):
            got = folded.render(Context({"word": word}))
            expected = Template("{% load i18n %}" + tag).render(Context({"word": word}))
        assert got == expected


def test_the_projects_templates_load_the_folded_library() -> None:
    # `{% load i18n %}` still works, but renders every constant again on every page.
    plain = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if "{% load i18n " in (text := path.read_text()) or "{% load i18n %}" in text
    ]
    assert plain == []
