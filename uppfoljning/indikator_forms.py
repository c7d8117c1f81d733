from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kommun.models import Kommun
from uppfoljning.models import Indikator, Matvarde


class MatvardeForm(forms.Form):
    """One year's manual value. The rules themselves live in `Matvarde.clean()`."""

    ar = forms.IntegerField(label=_("Year"), min_value=1900)
    # Labelled with the municipality's name in __init__.
    kommun = forms.DecimalField(max_digits=10, decimal_places=2, localize=True)
    riket = forms.DecimalField(
        label=_("National value (optional)"),
        max_digits=10,
        decimal_places=2,
        required=False,
        localize=True,
    )
    # The year being edited, if any: editing updates that year, never another one.
    original_ar = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        indikator: Indikator,
        varden: list[Matvarde],
        instance: Matvarde | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs["initial"] = {
                "ar": instance.ar,
                "kommun": instance.kommun,
                "riket": instance.riket,
                "original_ar": instance.ar,
            }
        super().__init__(*args, **kwargs)
        self.fields["kommun"].label = _("Value for %(kommun)s") % {
            "kommun": Kommun.objects.current().kortnamn
        }
        self.indikator = indikator
        self.years = {v.ar: v for v in varden}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ar = data.get("ar")
        original = data.get("original_ar")
        if ar is not None:
            if original is not None and ar != original:
                self.add_error(
                    "ar",
                    _(
                        "The year of a saved value cannot change. Enter the value for %(year)s "
                        "as a new value instead."
                    )
                    % {"year": ar},
                )
            elif original is None and ar in self.years:
                self.add_error(
                    "ar",
                    _(
                        "There is already a value for %(year)s. Choose “Edit” beside that year "
                        "in the table to change it."
                    )
                    % {"year": ar},
                )
            elif (
                original is not None
                and ar in self.years
                and (self.years[ar].kalla != Matvarde.Kalla.MANUELL)
            ):
                self.add_error("ar", _("Only values entered by staff can be edited here."))
        if ar is not None and "kommun" in data:
            candidate = Matvarde(
                indikator=self.indikator,
                ar=ar,
                kommun=data.get("kommun"),
                riket=data.get("riket"),
                kalla=Matvarde.Kalla.MANUELL,
            )
            try:
                candidate.clean()
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    for error in errors:
                        self.add_error(field if field in self.fields else None, error)
        return data
