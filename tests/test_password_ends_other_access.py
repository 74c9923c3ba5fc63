"""A new password, by change or by reset, ends the person's other sessions and revokes their
API tokens in the same step, and an email tells them so."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from counterpart.api.models import ApiToken
from counterpart.api.services import api_token_create, api_token_revoke
from counterpart.audit.models import AuditEvent

from .conftest import PASSWORD, sending

NEW = "brand-new-secret-42"


def _signed_in(user):
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _change(client):
    with sending():
        return client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )


def _reset_by_email(client, email):
    client.post(reverse("password_reset"), {"email": email})
    link = re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[-1].body).group(0)
    form_page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    with sending():
        return client.post(
            form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
        )


def test_changing_the_password_signs_out_the_other_devices(world):
    laptop = _signed_in(world.intl_viewer)
    phone = _signed_in(world.intl_viewer)
    assert phone.get(reverse("profile")).status_code == 200
    assert _change(laptop).status_code == 302
    # The device that changed it stays signed in; the other one is signed out.
    assert laptop.get(reverse("profile")).status_code == 200
    response = phone.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_changing_the_password_revokes_every_api_token_and_says_so(world):
    user = world.intl_viewer
    _first, first_key = api_token_create(actor=user, name="Warehouse")
    api_token_create(actor=user, name="Dashboard")
    old, _key = api_token_create(actor=user, name="Old")
    api_token_revoke(actor=user, token=old)
    others, _other_key = api_token_create(actor=world.intl_admin, name="Not theirs")
    mail.outbox.clear()

    _change(_signed_in(user))

    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.revoked_at is None
    revoked = AuditEvent.objects.filter(
        action="api_token_revoke", actor=user, context="password_changed"
    )
    assert revoked.count() == 2
    assert AuditEvent.objects.filter(action="user_change_password", actor=user).exists()
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "Your password was changed." in message.body
    assert "Other devices were signed out and your 2 API tokens were revoked." in message.body
    answer = Client().get("/api/organisations/", HTTP_AUTHORIZATION=f"Bearer {first_key}")
    assert answer.status_code == 401


def test_without_tokens_the_email_says_only_what_happened(world):
    _change(_signed_in(world.local_viewer))
    (message,) = mail.outbox
    assert "Your password was changed. Other devices were signed out." in message.body
    assert "API token" not in message.body


def test_a_token_made_before_a_reset_by_email_stops_working(world):
    """The attack: someone who had the account made a token to keep a way in. The owner resets
    the password through the emailed link; the token then gets 401."""
    user = world.local_editor
    attacker = _signed_in(user)
    made = attacker.post(reverse("api_tokens"), {"name": "Backdoor"})
    key = made.content.decode().split('<code class="token-key">')[1].split("</code>")[0]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/organisations/", **headers).status_code == 200

    assert _reset_by_email(Client(), user.email).status_code == 302

    answer = Client().get("/api/organisations/", **headers)
    assert answer.status_code == 401
    # The attacker's session is over too.
    assert attacker.get(reverse("profile")).status_code == 302
    told = mail.outbox[-1]
    assert told.to == [user.email]
    assert "your API token was revoked" in told.body
    assert AuditEvent.objects.filter(action="user_reset_password", actor=user).exists()


def test_a_refused_new_password_changes_nothing(world):
    api_token_create(actor=world.intl_viewer, name="Warehouse")
    mail.outbox.clear()
    client = _signed_in(world.intl_viewer)
    with sending():
        response = client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
        )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=world.intl_viewer, revoked_at__isnull=True).exists()
    assert mail.outbox == []
