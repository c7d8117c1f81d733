"""The follow form (/folj/ and every area page) and the form that changes a subscription."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from omraden.models import Omrade
from portal.viewer import Viewer

KIND_CHOICES = [
    ("uppfoljningar", _("Published follow-ups (status and summary)")),
    ("aktiviteter", _("New activities")),
    ("svar", _("Answered input")),
    ("rapporter", _("The chief executive's reports (kommundirektörens rapporter)")),
]
SCOPE_CHOICES = [("alla", _("All areas")), ("valda", _("The areas I choose"))]


class ValForm(forms.Form):
    """What to follow: all areas or some, and which kinds of news."""

    omfattning = forms.ChoiceField(
        label=_("Which areas?"),
        choices=SCOPE_CHOICES,
        widget=forms.RadioSelect,
        initial="valda",
        error_messages={
            "required": _("Choose “All areas” or “The areas I choose”."),
            "invalid_choice": _("Choose “All areas” or “The areas I choose”."),
        },
    )
    omraden = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Omrade.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose areas from the list."),
            "invalid_pk_value": _("Choose areas from the list."),
        },
    )
    typer = forms.MultipleChoiceField(
        label=_("What do you want to hear about?"),
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[k for k, _label in KIND_CHOICES],
        error_messages={
            "required": _("Tick at least one kind of news."),
            "invalid_choice": _("Tick kinds of news from the list."),
        },
    )

    def __init__(self, *args: Any, fixed_omrade: Omrade | None = None, **kwargs: Any) -> None:
        if fixed_omrade is not None:
            # The area page has the input form too (its id_epost, id_webbplats): ids of our own.
            kwargs.setdefault("auto_id", "folj_%s")
        super().__init__(*args, **kwargs)
        self.fields["omraden"].queryset = Omrade.objects.visible_to(Viewer.resident()).order_by(
            "nummer"
        )
        self.fixed_omrade = fixed_omrade
        if fixed_omrade is not None:
            # On an area's page: that area, as hidden fields, and no query for a list.
            self.fields["omfattning"].widget = forms.HiddenInput()
            self.fields["omraden"].widget = forms.MultipleHiddenInput()
            self.initial["omfattning"] = "valda"
            self.initial["omraden"] = [fixed_omrade.pk]

    def clean(self) -> dict[str, Any]:
        cd = super().clean()
        if (
            cd.get("omfattning") == "valda"
            and not cd.get("omraden")
            and "omraden" not in self.errors
        ):
            self.add_error("omraden", _("Tick at least one area, or choose “All areas”."))
        return cd

    def choices(self) -> dict[str, Any]:
        cd = self.cleaned_data
        alla = cd["omfattning"] == "alla"
        return {
            "alla_omraden": alla,
            "omraden": [] if alla else list(cd["omraden"]),
            "kinds": cd["typer"],
        }


class FoljForm(ValForm):
    epost = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to confirm it. The address is never shown publicly."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Write your e-mail address: the news are sent there."),
            "invalid": _("Write an e-mail address like namn@example.se."),
            "max_length": _("Shorten the e-mail address to at most 254 characters."),
        },
    )
    # The honeypot, as on the input form: hidden from people, filled in by bots.
    webbplats = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = ["epost", "omfattning", "omraden", "typer", "webbplats"]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("webbplats"))
