from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counterpart.accounts.models import TIMEZONE_CHOICES

from .models import Organisation, Role
from .selectors import organisations_matching


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a website typed without a scheme is https
    return field.formfield(**kwargs)


class OrganisationLookupField(forms.CharField):
    """An organisation named by its exact name, its IATI identifier, or the email address of
    someone who works there. Nothing is listed, so nobody can browse who is on Counterpart."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "help_text",
            _(
                "Its exact name, its IATI identifier, or the email address of someone who "
                "works there. Counterpart has no list of organisations to browse."
            ),
        )
        super().__init__(**kwargs)
        self.exclude_ids = ()

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = organisations_matching(value, exclude_ids=self.exclude_ids)
        if not found:
            raise forms.ValidationError(
                _(
                    "No organisation on Counterpart matches “%(query)s”. Check the name, or use "
                    "its IATI identifier or the email address of someone who works there."
                ),
                params={"query": value},
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _(
                    "More than one organisation matches. Use its IATI identifier or the email "
                    "address of someone who works there."
                )
            )
        return found[0]


class OrganisationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", "—"), *TIMEZONE_CHOICES],
        required=False,
        help_text=Organisation._meta.get_field("time_zone").help_text,
    )

    class Meta:
        formfield_callback = _formfield
        model = Organisation
        fields = Organisation.PROFILE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The parent is named, never chosen from a list of every organisation.
        parent = self.fields["affiliate_of"]
        self.fields["affiliate_of"] = OrganisationLookupField(
            label=parent.label, required=False, help_text=parent.help_text
        )
        if self.instance.pk:
            self.fields["affiliate_of"].exclude_ids = [self.instance.pk]
            if self.instance.affiliate_of_id and not self.is_bound:
                self.initial["affiliate_of"] = self.instance.affiliate_of.name
        if self.instance.pk:
            # Left empty, the threshold stays as it was.
            self.fields["gap_threshold"].required = False
        else:
            # Settings for results; a new organisation starts with the defaults.
            for name in Organisation.RESULT_SETTINGS:
                del self.fields[name]

    def clean_time_zone(self):
        # Left empty, the time zone stays as it was (UTC for a new organisation).
        return self.cleaned_data.get("time_zone") or self.instance.time_zone or "UTC"

    def clean_gap_threshold(self):
        value = self.cleaned_data.get("gap_threshold")
        return self.instance.gap_threshold if value is None else value


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
