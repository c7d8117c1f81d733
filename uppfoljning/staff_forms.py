"""Forms of the staff workspace. They validate and normalise; services.py writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.templatetags.formatted import MARKDOWN_HINT
from uppfoljning.models import Status, validate_status_rule

ENGLISH_HINT = _("Optional. Shown on the English pages; without it they show the Swedish text.")


class _StatusRuleMixin(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            validate_status_rule(
                data.get("status") or "", data.get("orsak") or "", data.get("atgarder") or ""
            )
        except ValidationError as e:
            for field, errors in e.error_dict.items():
                if field not in self.errors:
                    self.add_error(field, errors)
        return data


class CellForm(_StatusRuleMixin):
    """Status in place in the matrix: a status, and for yellow and red the cause and actions."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, widget=forms.RadioSelect)
    orsak = forms.CharField(label=_("Cause"), required=False, widget=forms.Textarea({"rows": 3}))
    atgarder = forms.CharField(
        label=_("Actions taken"), required=False, widget=forms.Textarea({"rows": 3})
    )
    # 0 = the follow-up did not exist yet when the form was shown.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def cause_fields(self) -> list[forms.BoundField]:
        return [self["orsak"], self["atgarder"]]

    def shows_cause(self) -> bool:
        """The cause and actions are shown for yellow and red, and when they were refused."""
        return self["status"].value() in (Status.GUL, Status.ROD) or bool(
            self.errors.get("orsak") or self.errors.get("atgarder")
        )


class UppfoljningForm(_StatusRuleMixin):
    """The whole follow-up: public summary, status, cause, actions and the internal note."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Not set yet")), *Status.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    sammanfattning = forms.CharField(
        label=_("Public summary"),
        required=False,
        help_text=format_lazy(
            "{} {}",
            _("Plain Swedish for residents: what has been done and what happens next."),
            MARKDOWN_HINT,
        ),
        widget=forms.Textarea({"rows": 6}),
    )
    orsak = forms.CharField(
        label=_("Cause"),
        required=False,
        help_text=format_lazy("{} {}", _("Required for yellow and red status."), MARKDOWN_HINT),
        widget=forms.Textarea({"rows": 4}),
    )
    atgarder = forms.CharField(
        label=_("Actions taken"),
        required=False,
        help_text=format_lazy("{} {}", _("Required for yellow and red status."), MARKDOWN_HINT),
        widget=forms.Textarea({"rows": 4}),
    )
    # English versions (issue #24): optional, shown on /en/; without them the English pages
    # show the Swedish texts. No status rule asks for them.
    sammanfattning_en = forms.CharField(
        label=_("Public summary in English"),
        required=False,
        help_text=format_lazy("{} {}", ENGLISH_HINT, MARKDOWN_HINT),
        widget=forms.Textarea({"rows": 6, "lang": "en"}),
    )
    orsak_en = forms.CharField(
        label=_("Cause in English"),
        required=False,
        help_text=format_lazy("{} {}", ENGLISH_HINT, MARKDOWN_HINT),
        widget=forms.Textarea({"rows": 4, "lang": "en"}),
    )
    atgarder_en = forms.CharField(
        label=_("Actions taken in English"),
        required=False,
        help_text=format_lazy("{} {}", ENGLISH_HINT, MARKDOWN_HINT),
        widget=forms.Textarea({"rows": 4, "lang": "en"}),
    )
    intern_anteckning = forms.CharField(
        label=_("Internal note"),
        required=False,
        help_text=_("Only staff see it; it is never published."),
        widget=forms.Textarea({"rows": 3}),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The message regions stay in the page (empty) so that live validation can fill them.
        for name in ("sammanfattning", "orsak", "atgarder"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext fel-{name}"
        for name in ("intern_anteckning", "sammanfattning_en", "orsak_en", "atgarder_en"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def english_fields(self) -> list[forms.BoundField]:
        return [self["sammanfattning_en"], self["orsak_en"], self["atgarder_en"]]


class StegForm(forms.Form):
    """A sign-off step after "ready": approve, publish, send back or withdraw.

    The buttons say which step (`handling`); the service decides whether it may be taken.
    """

    kommentar = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        help_text=_(
            "Required when you send it back or withdraw a publication: the ledartröjor are "
            "e-mailed what you write. Optional when you approve."
        ),
        widget=forms.Textarea({"rows": 3}),
    )
    publicera_fran = forms.DateField(
        label=_("Publish from (optional)"),
        required=False,
        help_text=_("Leave empty to publish at once. Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The page shows this form beside the follow-up's own form: ids of their own.
        kwargs.setdefault("auto_id", "steg_%s")
        super().__init__(*args, **kwargs)

    def clean_publicera_fran(self) -> dt.date | None:
        date = self.cleaned_data.get("publicera_fran")
        if date is not None and date < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        return date

    def publish_at(self) -> dt.datetime | None:
        """The chosen date as the start of that day in the portal's time zone (None: at once)."""
        date = self.cleaned_data.get("publicera_fran")
        if date is None or date <= timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(date, dt.time.min))
