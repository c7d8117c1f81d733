"""Forms for resident input, sign-ups, moderation and an activity's follow-up.

Every error message says what to do next.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from omraden.models import Aktivitet, Initiativ, Inspel, Omrade
from portal.lib import pii
from portal.templatetags.formatted import MARKDOWN_HINT
from portal.viewer import Viewer


def _normalise_newlines(value: str) -> str:
    # Browsers send line breaks as CRLF; the textarea's maxlength counts them as one
    # character, so the limit must too.
    return value.replace("\r\n", "\n").replace("\r", "\n")


class InspelForm(forms.Form):
    typ = forms.ChoiceField(
        label=_("What kind of input is it?"),
        choices=Inspel.Typ.choices,
        widget=forms.RadioSelect,
        initial=Inspel.Typ.IDE,
        error_messages={
            "required": _("Choose what kind of input it is: idea, opinion or anti-hassle report."),
            "invalid_choice": _(
                "Choose what kind of input it is: idea, opinion or anti-hassle report."
            ),
        },
    )
    omrade = forms.ModelChoiceField(
        label=_("Area (optional)"),
        # The areas a resident may choose: set per form (__init__).
        queryset=Omrade.objects.none(),
        required=False,
        empty_label=_("No particular area"),
        error_messages={
            "invalid_choice": _("Choose one of the areas in the list, or “No particular area”.")
        },
    )
    text = forms.CharField(
        label=_("Your input"),
        help_text=_("At most 2,000 characters."),
        max_length=Inspel.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write your input in the text field."),
            "max_length": _(
                "Shorten your text to at most %(limit_value)d characters "
                "(it now has %(show_value)d)."
            ),
            "null_characters_not_allowed": _(
                "Remove the invisible control characters from your text and send it again."
            ),
        },
    )
    namn = forms.CharField(
        label=_("Name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Shorten your name to at most 200 characters.")},
    )
    visa_namn = forms.BooleanField(label=_("Show my name with my input"), required=False)
    epost = forms.EmailField(
        label=_("E-mail (optional)"),
        help_text=_("Only to tell you when your input is published or answered. Never shown."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Write an e-mail address like namn@example.se, or leave the field empty.")
        },
    )
    # The honeypot: hidden from people (CSS, aria-hidden, not focusable); bots fill it in.
    webbplats = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, fixed_omrade: Omrade | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["omrade"].queryset = Omrade.objects.visible_to(Viewer.resident())
        self.fields["text"].widget.attrs["maxlength"] = str(Inspel.MAX_TEXT)
        self.fixed_omrade = fixed_omrade
        if fixed_omrade is not None:
            # On an area's page the area is given: a hidden field, and no query for the list.
            self.fields["omrade"].widget = forms.HiddenInput()
            self.initial["omrade"] = fixed_omrade.pk

    def full_clean(self) -> None:
        # Normalise CRLF before CharField's max_length check runs.
        if self.is_bound and "text" in self.data:
            data = self.data.copy()
            data["text"] = _normalise_newlines(str(data.get("text", "")))
            self.data = data
        super().full_clean()

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("webbplats"))

    def inspel_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        namn = cd["namn"].strip()
        return {
            "typ": cd["typ"],
            "omrade": cd["omrade"],
            "text": cd["text"],
            "namn": namn,
            "epost": cd["epost"],
            "visa_namn": bool(namn) and cd["visa_namn"],
        }


class AnmalanForm(forms.Form):
    namn = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Write your name, so that we know who is coming."),
            "max_length": _("Shorten your name to at most 200 characters."),
        },
    )
    epost = forms.EmailField(
        label=_("E-mail"),
        help_text=_("For the confirmation and your personal cancel link."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Write your e-mail address: the confirmation is sent there."),
            "invalid": _("Write an e-mail address like namn@example.se."),
        },
    )
    behov = forms.CharField(
        label=_("Accessibility needs (optional)"),
        help_text=_("For example interpreter, hearing loop or step-free access."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Shorten the text to at most 1,000 characters.")},
    )
    webbplats = InspelForm.base_fields["webbplats"]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("webbplats"))


class _PersonalDataCheck(forms.Form):
    """Refuses a text to publish that still looks like personal data, unless confirmed.

    `checked` names the field. Once refused, the page shows the checkbox (`findings` is set);
    ticking it and sending again publishes the text as written.
    """

    checked: str
    inte_personuppgifter = forms.BooleanField(
        label=_("I have checked: this is not personal data"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[pii.Finding] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.findings = pii.find(cleaned.get(self.checked, ""))
        if self.findings and not cleaned.get("inte_personuppgifter"):
            found = ", ".join(f"{f.kind.label} {f.value}" for f in self.findings)
            self.add_error(
                self.checked,
                forms.ValidationError(
                    _(
                        "The text looks like it contains personal data: %(found)s. Remove it, "
                        "or tick “I have checked: this is not personal data” and send again."
                    ),
                    code="personal_data",
                    params={"found": found},
                ),
            )
        return cleaned


class ApproveForm(_PersonalDataCheck):
    checked = "publicerad_text"
    publicerad_text = forms.CharField(
        label=_("Text to publish"),
        help_text=_(
            "Personal identity numbers, phone numbers and e-mail addresses are already "
            "replaced. Edit out other personal details, such as names and addresses. The "
            "input as received is kept unchanged."
        ),
        max_length=Inspel.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the text to publish, or reject the input.")},
    )
    field_order = ["publicerad_text", "inte_personuppgifter"]


class RejectForm(forms.Form):
    avvisningsorsak = forms.CharField(
        label=_("Reason for rejection"),
        help_text=_("The resident who left an e-mail address is told this reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why the input is rejected.")},
    )


class AnswerForm(_PersonalDataCheck):
    checked = "svar"
    svar = forms.CharField(
        label=_("Answer"),
        help_text=_("Published together with the input."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the answer.")},
    )
    field_order = ["svar", "inte_personuppgifter"]


class LinkForm(forms.Form):
    initiativ = forms.ModelChoiceField(
        label=_("Initiative"),
        queryset=Initiativ.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    uppfoljning = forms.ModelChoiceField(
        label=_("Follow-up"),
        queryset=None,
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, inspel: Inspel, **kwargs: Any) -> None:
        from uppfoljning.models import Uppfoljning

        super().__init__(*args, **kwargs)
        initiativ = Initiativ.objects.select_related("omrade")
        uppf = Uppfoljning.objects.select_related("period", "omrade", "uppdrag")
        if inspel.omrade_id:
            initiativ = initiativ.filter(omrade_id=inspel.omrade_id)
            uppf = uppf.filter(omrade_id=inspel.omrade_id)
        self.fields["initiativ"].queryset = initiativ
        self.fields["uppfoljning"].queryset = uppf


class AktivitetUppfoljningForm(forms.ModelForm):
    inspel = forms.ModelMultipleChoiceField(
        label=_("Input produced at the activity"),
        queryset=Inspel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Aktivitet
        fields = ["protokoll", "antal_deltagare", "aterkoppling_senast"]
        widgets = {"aterkoppling_senast": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"protokoll": MARKDOWN_HINT}
        error_messages = {
            "antal_deltagare": {"invalid": _("Write the number of participants as a number.")},
            "aterkoppling_senast": {"invalid": _("Write the date as YYYY-MM-DD.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_ids = [o.pk for o in self.instance.omraden.all()]
        self.fields["inspel"].queryset = Inspel.objects.filter(omrade_id__in=area_ids).exclude(
            status=Inspel.Status.AVVISAD
        )
        self.fields["inspel"].initial = [i.pk for i in self.instance.inspel.all()]
        # Before the activity has taken place only the feedback date can be set: minutes,
        # participants and the input it produced come after it (Aktivitet.clean). A field
        # that holds a value already stays, so that it can be corrected.
        self.held = self.instance.has_taken_place()
        if not self.held:
            if not self.instance.protokoll.strip():
                del self.fields["protokoll"]
            if self.instance.antal_deltagare is None:
                del self.fields["antal_deltagare"]
            if not self.fields["inspel"].initial:
                del self.fields["inspel"]
