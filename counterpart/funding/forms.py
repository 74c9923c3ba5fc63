"""Forms for the funding pages. They check values; the services check permissions and write."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from counterpart.common.forms import DateInput

from .models import (
    ExchangeRate,
    Flow,
    FlowKind,
    FundingSettings,
    HumanitarianFunding,
    ImportKind,
    ReceiverClass,
)

BASIS_CHOICES = [("calendar", _("Calendar year")), ("fiscal", _("Financial year"))]


class FigureFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    basis = forms.ChoiceField(label=_("Year type"), choices=BASIS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Money"), choices=FlowKind.choices, required=False)
    humanitarian = forms.BooleanField(label=_("Humanitarian funding only"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, years, country_codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["kind"].choices = [
            (FlowKind.DISBURSEMENT, _("Disbursements (paid)")),
            (FlowKind.COMMITMENT, _("Commitments (promised)")),
        ]
        self.fields["country"].choices = [("", _("All countries"))] + [
            (code, countries.name(code)) for code in country_codes
        ]


class IntermediariesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [" ".join(line.split())[:300] for line in text.splitlines() if line.strip()]


class FlowForm(forms.ModelForm):
    intermediaries = IntermediariesField(
        label=_("Intermediaries"),
        required=False,
        help_text=_(
            "The organisations the money passed through before it reached the receiver, one "
            "per line, in order. Leave empty if we paid the receiver directly."
        ),
    )

    class Meta:
        model = Flow
        fields = [
            "kind", "date", "amount", "currency", "provider_name", "receiver_organisation",
            "receiver_name", "receiver_class", "country", "humanitarian", "flexible",
            "multi_year", "overhead_rate", "intermediaries", "note",
        ]  # fmt: skip
        widgets = {"date": DateInput()}
        help_texts = {
            "receiver_organisation": _(
                "Choose the partner if it is on Counterpart: what it counts as then comes from "
                "its profile."
            ),
            "receiver_class": _("For a receiver that is not on Counterpart."),
            "provider_name": _("Leave empty when we paid it ourselves."),
        }

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver_organisation"].queryset = partners
        self.fields["receiver_organisation"].required = False
        self.fields["receiver_class"].required = False
        self.fields["receiver_class"].choices = [("", "—")] + [
            (value, label)
            for value, label in ReceiverClass.choices
            if value != ReceiverClass.REVIEW
        ]
        self.fields["currency"].widget.attrs.update({"size": 4, "autocapitalize": "characters"})
        # Reversals come from files; a flow entered by hand is money paid or promised.
        self.fields["amount"].validators.append(MinValueValidator(0))

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        if data.get("receiver_organisation"):
            # What it counts as comes from its profile.
            data["receiver_class"] = ReceiverClass.REVIEW
        else:
            if not data.get("receiver_name"):
                self.add_error("receiver_name", _("Name the receiver, or choose it from the list."))
            if not data.get("receiver_class"):
                self.add_error("receiver_class", _("Say what this receiver counts as."))
        return data


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of file"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.IATI,
    )
    file = forms.FileField(label=_("File"))


class RateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "rate"]
        widgets = {"valid_from": DateInput()}

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class HumanitarianFundingForm(forms.ModelForm):
    """The organisation's total humanitarian funding for a year: the Grand Bargain denominator."""

    class Meta:
        model = HumanitarianFunding
        fields = ["year", "amount", "currency", "source_note"]
        help_texts = {
            "amount": _(
                "All the humanitarian funding the organisation received or spent in the year, "
                "not only what it passed to partners."
            ),
            "source_note": _("For example: audited accounts 2025, humanitarian expenditure."),
        }
        error_messages = {
            "year": {
                "invalid": _("Enter the year as four digits, from 1990 to 2100."),
                "min_value": _("Enter the year as four digits, from 1990 to 2100."),
                "max_value": _("Enter the year as four digits, from 1990 to 2100."),
            },
            "amount": {
                "invalid": _("Enter the humanitarian funding as an amount greater than zero."),
                "min_value": _("Enter the humanitarian funding as an amount greater than zero."),
            },
            "currency": {
                "max_length": _("Enter a three-letter currency code, such as USD."),
                "invalid": _("Enter a three-letter currency code, such as USD."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs.update({"size": 4, "autocapitalize": "characters"})

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Enter a three-letter currency code, such as USD."))
        return currency


class RatesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Three columns: currency, valid_from (YYYY-MM-DD) and rate."),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = FundingSettings
        fields = ["currency", "fiscal_year_start"]
        help_texts = {
            "currency": _(
                "Exchange rates say what other currencies are worth in this one: if you change "
                "it, change the rates too."
            )
        }

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class DecisionForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=300)
    name = forms.CharField(widget=forms.HiddenInput, max_length=300, required=False)
    verdict = forms.CharField(max_length=40)

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def clean(self):
        data = super().clean()
        verdict = data.get("verdict", "")
        data["receiver_organisation"] = None
        data["receiver_class"] = None
        if verdict.startswith("org:") and verdict[4:].isdigit():
            found = self.allowed.filter(pk=int(verdict[4:])).first()
            if found is None:
                raise forms.ValidationError(_("Choose what this receiver is."))
            data["receiver_organisation"] = found
        elif verdict in (ReceiverClass.LOCAL, ReceiverClass.REFUGEE_LED, ReceiverClass.NOT_LOCAL):
            data["receiver_class"] = verdict
        else:
            raise forms.ValidationError(_("Choose what this receiver is."))
        return data
