from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from counterpart.common.forms import DateInput
from counterpart.common.validators import single_line
from counterpart.organisations.forms import OrganisationLookupField
from counterpart.organisations.models import Organisation, OrganisationKind

from .models import (
    Agreement,
    Intermediary,
    Partnership,
    Party,
    PartyRole,
    Side,
    Stage,
    StageChange,
    other_side,
)


def _known_to(partnership):
    """Organisations that can be named as an intermediary: the partnership's own, their
    partners in other partnerships, the organisations they registered and their affiliates
    (there is no list of everyone on Counterpart)."""
    own = Party.objects.filter(partnership=partnership).values("organisation_id")
    partnerships = Party.objects.filter(organisation_id__in=own).values("partnership_id")
    return Organisation.objects.filter(
        Q(pk__in=Party.objects.filter(partnership_id__in=partnerships).values("organisation_id"))
        | Q(registered_by__in=own)
        | Q(affiliate_of__in=own)
        | Q(
            pk__in=Intermediary.objects.filter(agreement__partnership=partnership).values(
                "organisation_id"
            )
        )
    ).order_by("name")


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = Partnership.DETAIL_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PartnershipCreateForm(PartnershipForm):
    organisation = forms.ModelChoiceField(
        label=_("Your organisation"), queryset=Organisation.objects.none()
    )
    side = forms.ChoiceField(label=_("Your organisation's side"), choices=Side.choices)
    role = forms.ChoiceField(label=_("Your organisation's role"), choices=PartyRole.choices)
    partner = OrganisationLookupField(
        label=_("Partner organisation, if it is on Counterpart"),
        required=False,
        help_text=_(
            "Its exact name, its IATI identifier, or the email address of someone who works "
            "there. If it is not on Counterpart yet, fill in the part below instead."
        ),
    )
    partner_role = forms.ChoiceField(
        label=_("Partner's role"), choices=PartyRole.choices, initial=PartyRole.IMPLEMENTING
    )
    new_partner_name = forms.CharField(
        label=_("Name of the new partner organisation"),
        max_length=200,
        required=False,
        validators=[single_line],
    )
    new_partner_country = LazyTypedChoiceField(
        label=_("Its country"), choices=[("", "---------"), *countries], required=False
    )
    new_partner_kind = forms.ChoiceField(
        label=_("Its kind"),
        choices=[("", "---------"), *OrganisationKind.choices],
        required=False,
    )
    new_partner_refugee_led = forms.BooleanField(label=_("It is refugee-led"), required=False)
    new_partner_contact = forms.EmailField(
        label=_("Email of a contact person there"),
        max_length=254,
        required=False,
        help_text=_("They receive an invitation to be the organisation's first admin."),
    )
    new_partner_language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES, required=False
    )
    stage = forms.ChoiceField(label=_("Current life-cycle stage"), choices=Stage.choices)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["partner"].exclude_ids = [o.pk for o in organisations]
        self.fields["countries"].help_text = _(
            "On a computer, hold Ctrl (Cmd on a Mac) to choose more than one."
        )

    def clean(self):
        cleaned = super().clean()
        partner = cleaned.get("partner")
        new_name = cleaned.get("new_partner_name", "").strip()
        if partner and new_name:
            self.add_error(
                "partner", _("Choose an existing organisation or describe a new one, not both.")
            )
        elif not partner and not new_name:
            self.add_error(
                "partner", _("Choose the partner organisation, or describe a new one below.")
            )
        elif new_name:
            for field in ("new_partner_country", "new_partner_kind", "new_partner_contact"):
                if not cleaned.get(field):
                    self.add_error(field, _("This is needed to register the new partner."))
        return cleaned

    @property
    def partner_side(self):
        side = self.cleaned_data.get("side")
        return other_side(side)


class StageForm(forms.ModelForm):
    class Meta:
        model = StageChange
        fields = ["stage", "entered_on", "note"]
        widgets = {"entered_on": DateInput()}


INTERMEDIARY_SLOTS = 3


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = Agreement.TERMS_FIELDS
        widgets = {"currency": forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = []
        if self.instance.pk:
            current = [i.organisation_id for i in self.instance.intermediaries.all()]
        for slot in range(1, INTERMEDIARY_SLOTS + 1):
            self.fields[f"intermediary_{slot}"] = forms.ModelChoiceField(
                label=_("Intermediary %(number)s") % {"number": slot},
                queryset=_known_to(self.instance.partnership_id),
                required=False,
                initial=current[slot - 1] if len(current) >= slot else None,
                help_text=_("From the funder towards the partner.") if slot == 1 else "",
            )

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def intermediaries(self):
        return [
            self.cleaned_data.get(f"intermediary_{slot}")
            for slot in range(1, INTERMEDIARY_SLOTS + 1)
        ]

    def terms(self):
        return {name: self.cleaned_data[name] for name in Agreement.TERMS_FIELDS}


class PartyForm(forms.Form):
    organisation = OrganisationLookupField(label=_("Organisation"))
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    role = forms.ChoiceField(
        label=_("Role in the partnership"),
        choices=PartyRole.choices,
        initial=PartyRole.CO_IMPLEMENTING,
    )

    def __init__(self, *args, partnership=None, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sides is not None:
            # An editor adds organisations to their own side only.
            self.fields["side"].choices = [c for c in Side.choices if c[0] in sides]
        if partnership is not None:
            self.fields["organisation"].exclude_ids = partnership.parties.values("organisation_id")


class ContactInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email of a contact person there"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES
    )
