from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from counterpart.common.forms import DateInput
from counterpart.organisations.forms import OrganisationLookupField
from counterpart.organisations.models import OrganisationKind
from counterpart.partnerships.models import Side

from .models import Privacy, Round
from .permissions import OWN_SIDE_ONLY


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(framework)s, version %(number)s") % {
            "framework": obj.framework.display_name,
            "number": obj.number,
        }


class RoundForm(forms.ModelForm):
    """The settings of a partnership round, which both sides accept."""

    framework_version = VersionChoiceField(label=_("Framework version"), queryset=None)

    class Meta:
        model = Round
        # The threshold matters only in anonymous rounds, which partnership rounds never are.
        fields = tuple(f for f in Round.SETTINGS_FIELDS if f != "threshold")
        widgets = {"opens_on": DateInput(), "closes_on": DateInput(), "privacy": forms.RadioSelect}
        help_texts = {
            "stage": _("The stage's checklist of practices is part of the questionnaire."),
            "opens_on": _("The links go out on this day, once both sides have accepted."),
            "closes_on": _("Links stop working at the end of this day."),
            "conversation_mode": _(
                "Results then show what to talk about first, without scores or counts."
            ),
        }

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = versions
        self.fields["stage"].required = True
        self.fields["privacy"].choices = [
            (Privacy.NAMED, Privacy.NAMED.label),
            (Privacy.ORGANISATION, Privacy.ORGANISATION.label),
        ]


class PooledRoundForm(forms.ModelForm):
    """The settings of a partner feedback round, always anonymous."""

    framework_version = VersionChoiceField(label=_("Framework version"), queryset=None)

    class Meta:
        model = Round
        # Always anonymous, and about the organisation rather than one partnership's stage.
        fields = tuple(f for f in Round.SETTINGS_FIELDS if f not in ("stage", "privacy"))
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}
        help_texts = {
            "threshold": _(
                "Until this many partners have answered, you see only how many did. "
                "It cannot be lower than 3."
            ),
            "closes_on": _("Links stop working at the end of this day."),
        }

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = versions


class ConvenedRoundForm(PooledRoundForm):
    """The settings of feedback a local organisation convenes about one of its funders."""

    class Meta(PooledRoundForm.Meta):
        fields = ("title", "framework_version", "opens_on", "closes_on", "threshold")
        help_texts = {
            "threshold": _(
                "The funder sees results only once people from this many organisations have "
                "answered, yours included. It cannot be lower than 3."
            ),
            "closes_on": _("Links stop working at the end of this day."),
        }


class ConveneForm(ConvenedRoundForm):
    """Ask about one or more funders: one round each, with the same settings."""

    funders = forms.MultipleChoiceField(
        label=_("Funders to ask about"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "One round is prepared for each funder you choose. When you choose several, each "
            "round's title ends with the funder's name."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.funder_objects = {str(f.pk): f for f in funders}
        self.fields["funders"].choices = [(str(f.pk), f.name) for f in funders]

    def clean_funders(self):
        return [self.funder_objects[pk] for pk in self.cleaned_data["funders"]]


class ConvenedInviteForm(forms.Form):
    organisation = OrganisationLookupField(label=_("Organisation to invite"))

    def __init__(self, *args, exclude_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].exclude_ids = list(exclude_ids)


class ExtendForm(forms.Form):
    closes_on = forms.DateField(label=_("New closing date"), widget=DateInput())


class RespondentForm(forms.Form):
    """A person to ask; with `sides`, only on the sides the person adding edits for."""

    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sides is not None:
            side = self.fields["side"]
            side.choices = [(value, label) for value, label in Side.choices if value in sides]
            side.error_messages["invalid_choice"] = OWN_SIDE_ONLY


class PartnerStaffForm(forms.Form):
    """A partner organisation's admin adds a colleague to a partner feedback round."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, organisations=(), **kwargs):
        from counterpart.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )


class PartnerFilterForm(forms.Form):
    country = LazyTypedChoiceField(
        label=_("Country"), choices=[("", _("All countries")), *countries], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("All kinds")), *OrganisationKind.choices],
        required=False,
    )


class PartnerInviteForm(forms.Form):
    partners = forms.MultipleChoiceField(
        label=_("Partners to ask"), widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_objects = {str(p.pk): p for p in partners}
        self.fields["partners"].choices = [(str(p.pk), p.name) for p in partners]

    def clean_partners(self):
        return [self.partner_objects[pk] for pk in self.cleaned_data["partners"]]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file (CSV or XLSX)"),
        help_text=_(
            "Export the submissions from KoboToolbox or ODK Central with XML values and headers "
            "(not labels), as CSV or XLSX."
        ),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the questions"), widget=forms.RadioSelect)

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages
