"""Registering confirms the email address before anything is created, and no page tells
whether an address already has an account: registering, signing in and resetting a password
answer the same for known and unknown addresses."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from counterpart.accounts.models import PendingSignup
from counterpart.audit.models import AuditEvent
from counterpart.organisations.models import Membership, Organisation
from counterpart.organisations.services import invitation_create

from .conftest import PASSWORD, confirmation_path, make_org, sending, signup_data

User = get_user_model()


def sign_up(client=None, **changes):
    client = client or Client()
    with sending():
        return client.post(reverse("signup"), signup_data(**changes), follow=True)


def _same_page(text):
    """The page without what differs on every answer (the form's anti-forgery token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_nothing_is_created_until_the_link_in_the_email_is_opened(db):
    client = Client()
    response = sign_up(client)
    assert response.redirect_chain[-1][0] == reverse("signup_sent")
    assert "Check your mailbox" in response.content.decode()
    assert not User.objects.exists() and not Organisation.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["user_register", "organisation_create"])
    pending = PendingSignup.objects.get()
    assert pending.email == "mariam@collective.example.org"
    assert pending.password_hash != "good-long-password-7"
    (message,) = mail.outbox
    assert message.to == ["mariam@collective.example.org"]
    assert "Women Refugees Collective" in message.body
    path = confirmation_path(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    # Only a hash of the link's secret is kept, never the secret itself.
    assert pending.token_hash == PendingSignup.hash_token(token)
    assert token not in str(PendingSignup.objects.values().get())
    # Opening the link shows what will be created; nothing is, before the button.
    page = client.get(path)
    assert page.status_code == 200
    assert "Women Refugees Collective" in page.content.decode()
    assert not User.objects.exists()

    response = client.post(path)
    organisation = Organisation.objects.get(name="Women Refugees Collective")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_detail", args=[organisation.pk])
    user = User.objects.get(email="mariam@collective.example.org")
    assert Membership.objects.get(organisation=organisation).user == user
    assert AuditEvent.objects.filter(action="user_register", actor=user).exists()
    assert not PendingSignup.objects.exists()
    # Signed in, on the organisation's page, with the password given at registration.
    assert "Women Refugees Collective" in client.get(response["Location"]).content.decode()
    signed_in = Client().post(
        reverse("login"), {"username": user.email, "password": "good-long-password-7"}
    )
    assert signed_in.status_code == 302


def test_a_used_link_says_so_and_changes_nothing(db):
    sign_up()
    path = confirmation_path(mail.outbox[-1])
    Client().post(path)
    again = Client().post(path)
    assert again.status_code == 400
    assert "cannot be used" in again.content.decode()
    assert User.objects.count() == 1 and Organisation.objects.count() == 1


def test_an_expired_link_says_so_and_changes_nothing(db, settings):
    sign_up()
    path = confirmation_path(mail.outbox[-1])
    PendingSignup.objects.update(
        created_at=timezone.now()
        - datetime.timedelta(hours=settings.SIGNUP_CONFIRM_HOURS, minutes=1)
    )
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 400
        assert "it has expired" in response.content.decode()
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_a_forged_link_says_so_and_changes_nothing(db):
    sign_up()
    response = Client().post(reverse("signup_confirm", args=["forged-" + "a" * 40]))
    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()
    assert not User.objects.exists()
    assert PendingSignup.objects.count() == 1


def test_a_known_address_gets_an_email_and_nothing_is_kept(world):
    response = sign_up(email="INTL-viewer@example.org")
    assert "Check your mailbox" in response.content.decode()
    assert not PendingSignup.objects.exists()
    assert not Organisation.objects.filter(name="Women Refugees Collective").exists()
    (message,) = mail.outbox
    assert message.to == ["intl-viewer@example.org"]
    assert "already has an account" in message.body
    assert reverse("password_reset") in message.body and reverse("login") in message.body
    assert "/signup/confirm/" not in message.body


def test_registering_answers_the_same_for_known_and_unknown_addresses(world):
    known = sign_up(email="intl-viewer@example.org")
    unknown = sign_up(email="nobody-yet@example.org")
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    assert _same_page(known.content.decode()) == _same_page(unknown.content.decode())


def test_signing_in_answers_the_same_for_known_and_unknown_addresses(world):
    answers = []
    for email in ("intl-viewer@example.org", "nobody-yet@example.org"):
        response = Client().post(
            reverse("login"), {"username": email, "password": "not-the-password"}
        )
        answers.append(
            (response.status_code, _same_page(response.content.decode()).replace(email, ""))
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 200


def test_resetting_answers_the_same_for_known_and_unknown_addresses(world):
    answers = []
    for email in ("intl-viewer@example.org", "nobody-yet@example.org"):
        response = Client().post(reverse("password_reset"), {"email": email}, follow=True)
        answers.append(
            (response.redirect_chain, response.status_code, _same_page(response.content.decode()))
        )
    assert answers[0] == answers[1]
    assert len(mail.outbox) == 1  # only the real account's mailbox hears of it


def test_an_account_made_meanwhile_stops_the_link(world):
    sign_up(email="late@example.org")
    path = confirmation_path(mail.outbox[-1])
    invitation, _link = invitation_create(
        actor=world.intl_admin, organisation=world.intl, email="late@example.org", role="viewer"
    )
    from counterpart.organisations.services import invitation_accept_new_person

    invitation_accept_new_person(invitation=invitation, full_name="Late", password=PASSWORD)
    response = Client().post(path)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert not Organisation.objects.filter(name="Women Refugees Collective").exists()


def test_the_first_confirmed_link_spends_the_others_to_the_same_address(db):
    sign_up()
    sign_up(organisation_name="Women Refugees Collective of Irbid")
    first, second = (confirmation_path(message) for message in mail.outbox)
    assert Client().post(second).status_code == 302
    assert Client().post(first).status_code == 400
    assert Organisation.objects.count() == 1


def test_old_registrations_are_forgotten(db, settings):
    sign_up(email="old@example.org")
    PendingSignup.objects.update(
        created_at=timezone.now() - datetime.timedelta(hours=settings.SIGNUP_CONFIRM_HOURS + 1)
    )
    sign_up(email="new@example.org")
    assert list(PendingSignup.objects.values_list("email", flat=True)) == ["new@example.org"]


def test_a_closed_site_confirms_nothing(db, settings):
    sign_up()
    settings.OPEN_REGISTRATION = False
    response = Client().post(confirmation_path(mail.outbox[-1]))
    assert response.status_code == 403
    assert not User.objects.exists()


def test_the_emails_speak_the_registering_persons_language(db):
    client = Client()
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    sign_up(client)
    pending = PendingSignup.objects.get()
    assert pending.language == "fr"
    Client().post(confirmation_path(mail.outbox[-1]))
    assert User.objects.get().language == "fr"


def test_an_invitation_creates_an_account_only_with_its_own_address(world):
    """Joining proves the mailbox the invitation went to: the account gets that address,
    whatever else the form is sent."""
    make_org("Elsewhere", country="KE")
    _invitation, link = invitation_create(
        actor=world.intl_admin, organisation=world.intl, email="invited@example.org", role="viewer"
    )
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = Client().post(
        path,
        {
            "full_name": "Invited Person",
            "email": "someone-else@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="invited@example.org").exists()
    assert not User.objects.filter(email="someone-else@example.org").exists()
