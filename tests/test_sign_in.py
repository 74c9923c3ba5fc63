"""Signing in and out, throttling, registration, and resetting a forgotten password."""

import re

from django.core import mail
from django.urls import reverse

from counterpart.accounts.models import PendingSignup
from counterpart.organisations.models import Organisation

from .conftest import PASSWORD, confirmation_path, sending, signup_data


def test_sign_in_with_email_and_out(world, client):
    response = client.post(
        reverse("login"), {"username": "INTL-viewer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "Hello" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert "Sign in" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("partnership_list")).status_code == 302


def test_a_wrong_password_is_explained(world, client):
    response = client.post(
        reverse("login"), {"username": "intl-viewer@example.org", "password": "x"}
    )
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "intl-viewer@example.org", "password": "x"})
    response = client.post(
        reverse("login"), {"username": "intl-viewer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_a_forgotten_password_is_reset_by_email(world, client):
    client.post(reverse("password_reset"), {"email": "intl-viewer@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"},
    )
    assert response.status_code == 302
    signed_in = client.post(
        reverse("login"),
        {"username": "intl-viewer@example.org", "password": "brand-new-secret-42"},
    )
    assert signed_in.status_code == 302
    client.post(reverse("logout"))
    # The link is single-use.
    again = client.get(path, follow=True)
    assert "not valid" in again.content.decode()


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_register_a_person_with_their_organisation(db, client):
    with sending():
        response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    # Nothing exists until the address is confirmed through the link in the email.
    assert not Organisation.objects.filter(name="Women Refugees Collective").exists()
    path = confirmation_path(mail.outbox[-1])
    client.post(path)
    organisation = Organisation.objects.get(name="Women Refugees Collective")
    assert organisation.memberships.get().user.email == "mariam@collective.example.org"
    assert organisation.is_refugee_led


def test_registration_mistakes_are_explained_and_nothing_is_stored(world, client):
    response = client.post(
        reverse("signup"),
        {
            "full_name": "Someone",
            "email": "intl-viewer@example.org",
            "password1": "12345",
            "password2": "54321",
            "organisation_name": "Duplicate",
            "organisation_country": "ZZ",
            "organisation_kind": "rlo",
        },
    )
    text = response.content.decode()
    assert response.status_code == 400
    # The form never says whether the address has an account.
    assert "already exists" not in text
    assert "not the same" in text
    assert not Organisation.objects.filter(name="Duplicate").exists()
    assert not PendingSignup.objects.exists()
    assert mail.outbox == []


def test_registration_can_be_closed(db, client, settings):
    settings.OPEN_REGISTRATION = False
    response = client.get(reverse("signup"))
    assert response.status_code == 403
    assert "invitation only" in response.content.decode()


def test_resetting_the_password_ends_a_lockout(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "intl-viewer@example.org", "password": "x"})
    client.post(reverse("password_reset"), {"email": "intl-viewer@example.org"})
    link = re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"},
    )
    response = client.post(
        reverse("login"), {"username": "intl-viewer@example.org", "password": "brand-new-secret-42"}
    )
    assert response.status_code == 302


def test_behind_a_proxy_failures_from_one_address_do_not_lock_out_another(world, settings):
    """With the proxy count set, the throttle tells visitors apart by their forwarded address."""
    from django.test import Client

    settings.PROXY_COUNT = 1
    # The attacker also forges an address on the left; only the proxy's entry counts.
    attacker = Client(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 203.0.113.7").post(
            reverse("login"), {"username": "intl-viewer@example.org", "password": "x"}
        )
    assert (
        attacker.post(
            reverse("login"), {"username": "intl-viewer@example.org", "password": PASSWORD}
        ).status_code
        == 429
    )
    owner = Client(HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = owner.post(
        reverse("login"), {"username": "intl-viewer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
