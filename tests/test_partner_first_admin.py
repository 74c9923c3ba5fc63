"""A partner registered by the other side runs its own account: its contact person is invited
as its first admin, and partner editors can send that invitation again until someone joins."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from counterpart.organisations.models import Invitation, Membership
from counterpart.partnerships.models import Party

from .conftest import PASSWORD, make_org


def test_a_lost_first_invitation_is_sent_again_then_the_contact_joins(
    world, client, django_capture_on_commit_callbacks
):
    newcomer = make_org(
        "Riverside Refugee Network", "rlo", "UG", refugee_led=True, registered_by=world.intl
    )
    party = Party.objects.create(
        partnership=world.partnership, organisation=newcomer, side="local", role="co_implementing"
    )
    Invitation.objects.create(
        organisation=newcomer,
        email="old@riverside.example.org",
        role="admin",
        secret_hash="x" * 64,
        expires_at=timezone.now() - timedelta(days=1),
    )
    editor = world.client_for(world.intl_editor)
    page = editor.get(reverse("party_add", args=[world.partnership.pk])).content.decode()
    assert "Nobody from this organisation has joined yet." in page

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("party_invite", args=[world.partnership.pk, party.pk]),
            {"email": "lead@riverside.example.org", "language": "fr"},
        )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["lead@riverside.example.org"]
    path = "/" + next(w for w in message.body.split() if "/invitations/" in w).split("/", 3)[3]
    client.post(path, {"full_name": "Lead Person", "password1": PASSWORD, "password2": PASSWORD})
    membership = Membership.objects.get(organisation=newcomer)
    assert membership.role == "admin"
    assert membership.user.email == "lead@riverside.example.org"

    # Once someone has joined, only the organisation's own admins invite.
    response = editor.post(
        reverse("party_invite", args=[world.partnership.pk, party.pk]),
        {"email": "another@riverside.example.org", "language": "en"},
    )
    assert response.status_code == 400
    assert "already joined" in response.content.decode()
    assert not Invitation.objects.filter(email="another@riverside.example.org").exists()


def test_an_organisation_with_members_cannot_be_taken_over(world):
    party = Party.objects.get(partnership=world.partnership, organisation=world.local)
    response = world.client_for(world.intl_editor).post(
        reverse("party_invite", args=[world.partnership.pk, party.pk]),
        {"email": "intruder@example.org", "language": "en"},
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="intruder@example.org").exists()


def test_a_bad_address_is_explained(world):
    newcomer = make_org("Quiet Partner", "cbo", "KE", registered_by=world.intl)
    party = Party.objects.create(
        partnership=world.partnership, organisation=newcomer, side="local", role="technical"
    )
    response = world.client_for(world.intl_editor).post(
        reverse("party_invite", args=[world.partnership.pk, party.pk]),
        {"email": "not an address", "language": "en"},
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Invitation.objects.filter(organisation=newcomer).exists()


def test_a_corrected_address_replaces_the_waiting_invitation(world):
    newcomer = make_org("Hill Women Group", "cbo", "KE", registered_by=world.intl)
    party = Party.objects.create(
        partnership=world.partnership, organisation=newcomer, side="local", role="technical"
    )
    editor = world.client_for(world.intl_editor)
    url = reverse("party_invite", args=[world.partnership.pk, party.pk])
    editor.post(url, {"email": "typo@hill.example.org", "language": "en"})
    editor.post(url, {"email": "right@hill.example.org", "language": "en"})
    waiting = Invitation.objects.pending().filter(organisation=newcomer)
    assert [i.email for i in waiting] == ["right@hill.example.org"]
    page = editor.get(reverse("party_add", args=[world.partnership.pk])).content.decode()
    assert "An invitation is waiting for right@hill.example.org" in page


def test_only_the_registering_organisation_invites_a_first_admin(world):
    """Nobody can add an empty organisation to a partnership and hand its account to someone."""
    unclaimed = make_org("Unclaimed Group", "cbo", "KE", registered_by=world.other)
    party = Party.objects.create(
        partnership=world.partnership, organisation=unclaimed, side="local", role="technical"
    )
    for user in (world.intl_editor, world.local_admin):
        response = world.client_for(user).post(
            reverse("party_invite", args=[world.partnership.pk, party.pk]),
            {"email": "taker@example.org", "language": "en"},
        )
        assert response.status_code == 403
    assert not Invitation.objects.filter(organisation=unclaimed).exists()
