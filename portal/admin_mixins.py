"""Small additions shared by the apps' admin classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.text import format_lazy

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
