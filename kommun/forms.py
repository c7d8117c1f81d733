from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kommun.models import LOGO_TYPES, Kommun

MAX_LOGO_BYTES = 300_000
MAX_LOGO_SIDE = 2000


class KommunForm(forms.ModelForm):
    """The record, with the logo as an upload (PNG, JPEG or WebP) checked by Pillow."""

    logotyp_fil = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "PNG, JPEG or WebP, at most 300 kB and 2000 pixels a side. Shown in the page "
            "header beside the name, which stays as text."
        ),
    )
    ta_bort_logotyp = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Kommun
        exclude: list[str] = []

    def clean_logotyp_fil(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logotyp_fil")
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:
            raise ValidationError(
                _("The logo is %(kb)s kB; at most 300 kB is allowed."),
                params={"kb": upload.size // 1000},
            )
        data = upload.read()
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                kind, size = image.format, image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                _("The file is not a PNG, JPEG or WebP image that can be read.")
            ) from None
        if kind not in LOGO_TYPES:
            raise ValidationError(
                _("A logo must be PNG, JPEG or WebP; this file is %(kind)s."),
                params={"kind": kind or "?"},
            )
        if max(size) > MAX_LOGO_SIDE:
            raise ValidationError(
                _("The logo is %(w)s×%(h)s pixels; at most 2000 a side is allowed."),
                params={"w": size[0], "h": size[1]},
            )
        return data, LOGO_TYPES[kind]

    def save(self, commit: bool = True) -> Any:
        kommun = super().save(commit=False)
        logo = self.cleaned_data.get("logotyp_fil")
        if self.cleaned_data.get("ta_bort_logotyp"):
            kommun.clear_logo()
        elif logo:
            kommun.set_logo(*logo)
        if commit:
            kommun.save()
        return kommun
