"""Every write about accounts: registering (once the email address is confirmed), the profile,
and what follows a new password."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.organisations.services import organisation_create

from .models import PendingSignup
from .selectors import confirmation_cutoff
from .signals import password_changed


@dataclass
class SignupProblem(Exception):
    """Why a confirmation link cannot be used, in words for the person holding it."""

    message: str

    def __str__(self):
        return str(self.message)


@transaction.atomic
def user_register(
    *, email, full_name, organisation_fields, password=None, password_hash=None, language=""
):
    """A new person and the organisation they register; they become its first admin.

    Called once the person has confirmed their email address (signup_confirm)."""
    user = get_user_model().objects.create_user(
        email=email, password=password, full_name=full_name, language=language
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    organisation = organisation_create(actor=user, **organisation_fields)
    audit_record(
        actor=user,
        action="user_register",
        obj=user,
        organisation=organisation,
        after={"email": user.email, "full_name": user.full_name},
    )
    return user, organisation


# Registering: nothing exists until the address is confirmed -------------------------------


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send_signup_confirmation(pending: PendingSignup, token: str) -> None:
    with translation.override(pending.language or settings.LANGUAGE_CODE):
        link = _link(reverse("signup_confirm", kwargs={"token": token}))
        context = {"pending": pending, "link": link, "hours": settings.SIGNUP_CONFIRM_HOURS}
        subject = _("Confirm your email address to finish registering on Counterpart")
        body = render_to_string("accounts/email/signup_confirm.txt", context)
    send_mail(subject, body, None, [pending.email])


def _send_signup_taken(user, language: str) -> None:
    with translation.override(user.language or language or settings.LANGUAGE_CODE):
        context = {
            "login_link": _link(reverse("login")),
            "reset_link": _link(reverse("password_reset")),
        }
        subject = _("Someone tried to register on Counterpart with your email address")
        body = render_to_string("accounts/email/signup_taken.txt", context)
    send_mail(subject, body, None, [user.email])


def _purge_pending() -> None:
    """Registrations nobody confirmed in time are forgotten."""
    PendingSignup.objects.filter(created_at__lte=confirmation_cutoff()).delete()


@transaction.atomic
def signup_request(*, email, password, full_name, organisation_fields, language=""):
    """Keep a registration until its email address is confirmed, and send the link that does.

    Whether the address already has an account shows nowhere but in that mailbox: it gets an
    email saying someone tried to register with it, and nothing is kept. Not audit-logged:
    nothing in Counterpart changes until the confirmation, which is."""
    # Hashed on both paths, so that neither answers faster than the other.
    password_hash = make_password(password)
    email = email.strip().lower()
    _purge_pending()
    existing = get_user_model().objects.filter(email__iexact=email).first()
    if existing is not None:
        transaction.on_commit(lambda: _send_signup_taken(existing, language))
        return
    token = secrets.token_urlsafe(32)
    pending = PendingSignup(
        email=email,
        full_name=full_name,
        password_hash=password_hash,
        organisation_name=organisation_fields["name"],
        organisation_country=str(organisation_fields["country"]),
        organisation_kind=organisation_fields["kind"],
        organisation_refugee_led=organisation_fields.get("refugee_led", False),
        language=language,
        token_hash=PendingSignup.hash_token(token),
    )
    pending.save()
    transaction.on_commit(lambda: _send_signup_confirmation(pending, token))


def link_problem() -> SignupProblem:
    return SignupProblem(
        _(
            "This confirmation link cannot be used: it was already used, it has expired, or "
            "part of it is missing. If you already confirmed, sign in. Otherwise, register again."
        )
    )


@transaction.atomic
def signup_confirm(*, token):
    """The confirmation link was opened: create the person and their organisation.

    Raises SignupProblem for a link that is forged, used or expired, and ValidationError when
    the organisation's name was taken meanwhile; either way nothing changes."""
    pending = (
        PendingSignup.objects.select_for_update()
        .filter(token_hash=PendingSignup.hash_token(token), created_at__gt=confirmation_cutoff())
        .first()
    )
    if pending is None:
        raise link_problem()
    if get_user_model().objects.filter(email__iexact=pending.email).exists():
        raise SignupProblem(
            _("An account with this email address already exists. Sign in instead.")
        )
    user, organisation = user_register(
        email=pending.email,
        password_hash=pending.password_hash,
        full_name=pending.full_name,
        organisation_fields=pending.organisation_fields(),
        language=pending.language,
    )
    # Every link to this address is spent: the address now has its account.
    PendingSignup.objects.filter(email__iexact=pending.email).delete()
    return user, organisation


# A new password ------------------------------------------------------------------------------


def _send_password_changed(user, tokens: int) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "tokens": tokens,
            "reset_link": _link(reverse("password_reset")),
            "tokens_link": _link(reverse("api_tokens")),
        }
        subject = _("Your Counterpart password was changed")
        body = render_to_string("accounts/email/password_changed.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_password_changed(*, user, action):
    """After a password change or reset, in the same transaction: the person's other sessions
    end (their session hash no longer matches), their API tokens are revoked, and an email tells
    them so. Returns how many tokens were revoked."""
    audit_record(actor=user, action=action, obj=user)
    revoked = sum(
        count or 0 for _receiver, count in password_changed.send(sender=type(user), user=user)
    )
    transaction.on_commit(lambda: _send_password_changed(user, revoked))
    return revoked


@transaction.atomic
def user_update_profile(*, actor, full_name, timezone):
    # The form has already put the new values on the signed-in instance: read the stored ones.
    before = snapshot(get_user_model().objects.get(pk=actor.pk), ["full_name", "timezone"])
    actor.full_name = full_name
    actor.timezone = timezone
    actor.full_clean(exclude=["password"])
    actor.save(update_fields=["full_name", "timezone"])
    audit_record(
        actor=actor,
        action="user_update_profile",
        obj=actor,
        before=before,
        after=snapshot(actor, ["full_name", "timezone"]),
    )
    return actor
