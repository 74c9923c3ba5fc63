"""Invitations: signed, single-use, expiring links that let a person join an organisation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from counterpart.organisations.models import Invitation, Membership, Role

from .conftest import PASSWORD, make_user


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Send an invitation through the members page; mail leaves once the transaction commits."""

    def send(world, client, email="newcomer@example.org", role="editor", language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("member_list", args=[world.intl.pk]),
                {"email": email, "role": role, "language": language},
            )

    return send


def link_from_mail(message):
    return next(line for line in message.body.splitlines() if "/invitations/" in line).strip()


def path_of(link):
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def admin_client(world):
    return world.client_for(world.intl_admin)


def test_admin_invites_and_the_newcomer_joins_with_a_new_account(
    world, admin_client, client, invite
):
    response = invite(world, admin_client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert "Global Aid Partners" in message.subject
    path = path_of(link_from_mail(message))

    page = client.get(path)
    assert page.status_code == 200
    assert "newcomer@example.org" in page.content.decode()

    response = client.post(
        path, {"full_name": "New Comer", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="newcomer@example.org")
    assert membership.organisation == world.intl
    assert membership.role == Role.EDITOR
    # The newcomer is signed in and sees the organisation.
    assert client.get(reverse("organisation_detail", args=[world.intl.pk])).status_code == 200


def test_the_link_works_only_once(world, admin_client, client, invite):
    invite(world, admin_client)
    path = path_of(link_from_mail(mail.outbox[0]))
    client.post(path, {"full_name": "New Comer", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert Membership.objects.filter(user__email="newcomer@example.org").count() == 1


def test_an_expired_invitation_is_refused_and_changes_nothing(world, admin_client, client, invite):
    invite(world, admin_client)
    path = path_of(link_from_mail(mail.outbox[0]))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        path, {"full_name": "Late Comer", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="newcomer@example.org").exists()


def test_a_forged_or_truncated_link_is_refused(world, admin_client, client, invite):
    invite(world, admin_client)
    path = path_of(link_from_mail(mail.outbox[0]))
    for bad in (path[:-6] + "/", path.replace("/invitations/", "/invitations/x")):
        response = client.get(bad)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()


def test_a_withdrawn_invitation_is_refused(world, admin_client, client, invite):
    invite(world, admin_client)
    path = path_of(link_from_mail(mail.outbox[0]))
    invitation = Invitation.objects.get()
    admin_client.post(reverse("invitation_revoke", args=[world.intl.pk, invitation.pk]))
    response = client.get(path)
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_a_person_with_an_account_signs_in_then_accepts(world, admin_client, client, invite):
    person = make_user("known@example.org", "Known Person")
    invite(world, admin_client, email="Known@Example.org", role="viewer")
    path = path_of(link_from_mail(mail.outbox[0]))
    page = client.get(path).content.decode()
    assert "Sign in to accept" in page
    client.force_login(person)
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=person).role == Role.VIEWER


def test_signed_in_with_another_address_cannot_accept(world, admin_client, invite):
    invite(world, admin_client)
    path = path_of(link_from_mail(mail.outbox[0]))
    other = world.client_for(world.outsider)
    response = other.post(path, {"action": "accept"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=world.outsider, organisation=world.intl).exists()
    assert Invitation.objects.get().accepted_at is None


def test_inviting_an_existing_member_or_a_bad_address_explains_and_sends_nothing(
    world, admin_client, invite
):
    response = invite(world, admin_client, email=world.intl_viewer.email)
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    response = invite(world, admin_client, email="not-an-address")
    assert response.status_code == 400
    assert "valid email" in response.content.decode()
    response = invite(world, admin_client, role="owner")
    assert response.status_code == 400
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_waiting_one(world, admin_client, invite):
    invite(world, admin_client)
    invite(world, admin_client, role="viewer")
    assert Invitation.objects.pending().count() == 1
    assert Invitation.objects.pending().get().role == Role.VIEWER


def test_the_invitation_email_is_in_the_chosen_language(world, admin_client, invite):
    invite(world, admin_client, language="fr")
    body = mail.outbox[0].body
    assert "Counterpart" in body
    assert "Open this link" not in body


def test_only_admins_invite(world, invite):
    response = invite(world, world.client_for(world.intl_editor))
    assert response.status_code == 403
    assert mail.outbox == []
    assert not Invitation.objects.exists()
