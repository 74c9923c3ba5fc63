from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counterpart.accounts.models import TIMEZONE_CHOICES

from .models import Organisation, Role


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a website typed without a scheme is https
    return field.formfield(**kwargs)


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
        others = Organisation.objects.order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["affiliate_of"].queryset = others
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
