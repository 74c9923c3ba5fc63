from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from counterpart.common.validators import single_line
from counterpart.organisations.models import OrganisationKind
from counterpart.organisations.names import SAME_NAME_MESSAGE
from counterpart.organisations.selectors import name_taken

from .models import TIMEZONE_CHOICES, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only numbers; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            candidate = User(
                email=cleaned.get("email", "") or getattr(self, "invited_email", ""),
                full_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignUpForm(NewPasswordMixin):
    """A person registers together with the organisation they work for."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200, validators=[single_line])
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=200, validators=[single_line]
    )
    organisation_country = LazyTypedChoiceField(
        label=_("Country where it is registered"), choices=countries
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=OrganisationKind.choices
    )
    organisation_refugee_led = forms.BooleanField(
        label=_("The organisation is refugee-led"), required=False
    )
    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "organisation_name",
        "organisation_country",
        "organisation_kind",
        "organisation_refugee_led",
    ]

    def clean_email(self):
        # Whether the address has an account is never said here: only its mailbox learns it.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        name, country = cleaned.get("organisation_name"), cleaned.get("organisation_country")
        if name and country and name_taken(name, country):
            self.add_error("organisation_name", SAME_NAME_MESSAGE)
        return cleaned


class JoinForm(NewPasswordMixin):
    """Someone invited who has no account yet."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200, validators=[single_line])
    field_order = ["full_name", "password1", "password2"]

    def __init__(self, *args, invited_email="", **kwargs):
        self.invited_email = invited_email
        super().__init__(*args, **kwargs)


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)

    class Meta:
        model = User
        fields = ["full_name", "timezone"]


class _AuditedPasswordMixin:
    """A new password, then in the same transaction what follows it: other sessions end, API
    tokens are revoked, the change is audit-logged and the person is told by email."""

    audit_action = "user_set_password"

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        from .services import user_password_changed

        with transaction.atomic():
            user = super().save(commit=True)
            user_password_changed(user=user, action=self.audit_action)
        return user


class PasswordChangeAuditedForm(_AuditedPasswordMixin, PasswordChangeForm):
    audit_action = "user_change_password"


class PasswordResetAuditedForm(_AuditedPasswordMixin, SetPasswordForm):
    audit_action = "user_reset_password"

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            # Proving control of the mailbox ends a sign-in lockout for this account.
            from axes.utils import reset

            reset(username=user.email)
        return user
