"""Django's `i18n` tag library, with `{% translate "constant" %}` rendered once per language.

The project's templates load it instead of `i18n` (`{% load i18n_folded %}`; a second
library under the name `i18n` would shadow Django's and fail `check --deploy`). Every tag and
filter is Django's own; the one difference is that a
`{% translate %}` of a quoted string with no filters, no `as` and no `context` keeps its
output per (language, autoescape), the only things it depends on: the translation catalogues
are fixed for the life of the process. An area page has about eighty such tags, and Django's
node resolved the literal, looked up the translation, localised and escaped it on each
render (about 8 µs each, 0.6 ms a page). Anything else is left to Django's node unchanged.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, Variable
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class FoldedTranslateNode(Node):
    """A constant `{% translate %}`: Django's node renders it once per language."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node
        self.rendered: dict[tuple[str | None, bool], str] = {}

    def render(self, context: Any) -> str:
        key = (get_language(), context.autoescape)
        try:
            return self.rendered[key]
        except KeyError:
            value = self.rendered[key] = self.node.render(context)
            return value


def is_constant(node: django_i18n.TranslateNode) -> bool:
    """A quoted string, translated (not `noop`), with no filters, `as` or `context`."""
    expression = node.filter_expression
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and isinstance(expression.var, Variable)
        and expression.var.lookups is None
        and isinstance(expression.var.literal, str)
    )


def do_translate(parser: Any, token: Any) -> Node:
    node = django_i18n.do_translate(parser, token)
    return FoldedTranslateNode(node) if is_constant(node) else node


register.tag("translate", do_translate)
register.tag("trans", do_translate)
