"""Small additions shared by the apps' admin classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.templatetags.formatted import MARKDOWN_HINT


class FormattedTextAdmin:
    """Puts the Markdown hint under the textareas of `formatted_fields` (rendered |markdown).

    Mix in before ModelAdmin or an inline: `class OmradeAdmin(FormattedTextAdmin, ModelAdmin)`.
    """

    formatted_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and db_field.name in self.formatted_fields:
            field.help_text = (
                format_lazy("{} {}", field.help_text, MARKDOWN_HINT)
                if field.help_text
                else MARKDOWN_HINT
            )
        return field


ENGLISH_VERSION_HELP = _(
    "Optional. The English pages (/en/) show these texts; where one is empty they show the "
    "Swedish text, marked as Swedish."
)


class EnglishVersionAdmin:
    """Gathers a model's English versions (the fields named `<field>_en`) in a fieldset of
    their own, "English version", after the Swedish fields.

    Mix in before ModelAdmin: `class OmradeAdmin(EnglishVersionAdmin, ModelAdmin)`.
    """

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, Any]]:
        fields = self.get_fields(request, obj)  # type: ignore[attr-defined]
        english = [f for f in fields if isinstance(f, str) and f.endswith("_en")]
        swedish = [f for f in fields if f not in english]
        return [
            (None, {"fields": swedish}),
            (
                _("English version"),
                {"fields": english, "description": ENGLISH_VERSION_HELP},
            ),
        ]
