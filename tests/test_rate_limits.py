"""Cheap attacks made dear: registering from one address, sending invitations from one
organisation and raising concerns through a public link from one address each stop at a limit.
Over it, the answer is 429 with a clear page, and nothing is stored or sent."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from counterpart.accounts.models import PendingSignup
from counterpart.common.ratelimit import RateLimited, parse_rate
from counterpart.concerns.models import Concern
from counterpart.organisations.models import Invitation, Organisation
from counterpart.organisations.services import (
    invitation_create_first_admin,
    organisation_register_partner,
)

from .conftest import open_intake, sending
from .test_sign_up import sign_up

ATTACKER = "203.0.113.66"


def test_rates_are_read_as_count_per_period():
    assert parse_rate("5/hour") == (5, 3600)
    assert parse_rate("30/day") == (30, 86400)


def test_a_loop_of_registrations_from_one_address_stops_at_the_limit(db, settings):
    limit, _period = parse_rate(settings.RATE_LIMITS["signup"])
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(limit):
        response = sign_up(attacker, email=f"victim{n}@example.org")
        assert response.redirect_chain[-1][0] == reverse("signup_sent")
    for n in range(limit, limit + 3):
        response = sign_up(attacker, email=f"victim{n}@example.org")
        assert response.status_code == 429
        assert "Too many registrations" in response.content.decode()
        assert response["Retry-After"].isdigit()
    assert PendingSignup.objects.count() == limit
    assert len(mail.outbox) == limit
    # Someone else, from another address, still registers.
    other = sign_up(Client(REMOTE_ADDR="198.51.100.20"), email="real@example.org")
    assert other.redirect_chain[-1][0] == reverse("signup_sent")


def test_mistakes_do_not_count_against_the_limit(db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/hour"}
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(4):
        assert sign_up(client, password2="not-the-same-one").status_code == 400
    assert sign_up(client).redirect_chain[-1][0] == reverse("signup_sent")


def test_the_address_is_kept_only_as_a_keyed_hash_in_the_cache(db):
    sign_up(Client(REMOTE_ADDR=ATTACKER))
    keys = [key for key in cache._cache if "ratelimit" in key]
    assert keys and not any(ATTACKER in key for key in keys)


def test_an_organisation_sending_invitations_stops_at_the_limit(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": "3/day"}
    client = world.client_for(world.intl_admin)
    url = reverse("member_list", args=[world.intl.pk])

    def invite(n):
        with sending():
            return client.post(
                url, {"email": f"person{n}@example.org", "role": "viewer", "language": "en"}
            )

    for n in range(3):
        assert invite(n).status_code == 302
    response = invite(3)
    assert response.status_code == 429
    assert "sent many invitations today" in response.content.decode()
    assert Invitation.objects.filter(organisation=world.intl).count() == 3
    assert len(mail.outbox) == 3
    # Another organisation is counted apart.
    other = world.client_for(world.local_admin)
    with sending():
        response = other.post(
            reverse("member_list", args=[world.local.pk]),
            {"email": "someone@example.org", "role": "viewer", "language": "en"},
        )
    assert response.status_code == 302


def _register_partner(world, n):
    with sending():
        return organisation_register_partner(
            actor=world.intl_editor,
            inviting_organisation=world.intl,
            contact_email=f"contact{n}@partner.example.org",
            name=f"Partner {n}",
            country="KE",
            kind="cbo",
        )


def test_registering_partners_counts_against_the_registering_organisation(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": "2/day"}
    first, _invitation, _link = _register_partner(world, 1)
    _register_partner(world, 2)
    organisations = Organisation.objects.count()
    with pytest.raises(RateLimited):
        _register_partner(world, 3)
    assert Organisation.objects.count() == organisations
    assert not Organisation.objects.filter(name="Partner 3").exists()
    # Sending a first admin's invitation again counts too.
    with pytest.raises(RateLimited), sending():
        invitation_create_first_admin(
            actor=world.intl_editor, organisation=first, email="again@partner.example.org"
        )
    assert not Invitation.objects.filter(email="again@partner.example.org").exists()
    assert len(mail.outbox) == 2


def test_a_loop_of_concerns_through_a_public_link_stops_at_the_limit(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "concern": "3/hour"}
    chosen = open_intake(world)
    url = reverse("concern_intake", args=[chosen.intake_key])
    form = {
        "category": "respect",
        "description": "We were told not to speak in the coordination meeting.",
        "reply_by": "app",
        "contact": "",
    }
    sent = len(mail.outbox)
    for _ in range(3):
        with sending():
            assert Client(REMOTE_ADDR=ATTACKER).post(url, form).status_code == 200
    assert len(mail.outbox) > sent
    sent = len(mail.outbox)
    with sending():
        response = Client(REMOTE_ADDR=ATTACKER).post(url, form)
    assert response.status_code == 429
    assert "Too many concerns" in response.content.decode()
    assert Concern.objects.count() == 3
    assert len(mail.outbox) == sent
    with sending():
        assert Client(REMOTE_ADDR="198.51.100.20").post(url, form).status_code == 200
