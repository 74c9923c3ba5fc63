from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from counterpart.partnerships.models import Stage


class DialogueNoteForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=100, widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("What was said"), required=False, max_length=5000, widget=forms.Textarea
    )
    next_steps = forms.CharField(
        label=_("Agreed next steps"), required=False, max_length=5000, widget=forms.Textarea
    )


class PortfolioFilterForm(forms.Form):
    """The portfolio's filters, read from the address (GET). Every field is optional."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    partner = forms.ChoiceField(
        label=_("Partner"),
        required=False,
        choices=[
            ("", _("All partners")),
            ("rlo", _("Refugee-led partners")),
            ("other", _("Other partners")),
        ],
    )
    period = forms.ChoiceField(label=_("Rounds released"), required=False)
    view = forms.ChoiceField(
        label=_("Figures"),
        required=False,
        choices=[
            ("gap", _("The gap between the two sides")),
            ("own", _("Our own view")),
            ("partner", _("Our partners' view")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("gap", _("Largest gap first")), ("title", _("By title"))],
    )
    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, max_value=100000, widget=forms.HiddenInput
    )

    def __init__(self, *args, years=(), country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, countries.name(code)) for code in country_codes), key=lambda c: c[1]
        )
        self.fields["stage"].choices = [("", _("All stages"))] + list(Stage.choices)
        self.fields["period"].choices = [
            ("12m", _("In the last 12 months")),
            ("all", _("At any time")),
        ] + [(str(year), str(year)) for year in years]
