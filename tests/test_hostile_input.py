"""Hostile or odd input gets a clear answer and changes nothing; never a server error."""

from django.urls import reverse

from counterpart.accounts.models import User
from counterpart.organisations.models import Invitation, Membership, Organisation
from counterpart.organisations.services import invitation_create
from counterpart.partnerships.models import Partnership, Party

from .conftest import PASSWORD


def test_line_breaks_in_names_are_refused(world):
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        {"name": "Global\nBcc: someone@example.org", "country": "GB", "kind": "ingo"},
    )
    assert response.status_code == 400
    assert "without line breaks" in response.content.decode()
    world.intl.refresh_from_db()
    assert world.intl.name == "Global Aid Partners"

    response = world.client_for(world.intl_editor).post(
        reverse("partnership_create"),
        {
            "title": "Injected",
            "organisation": world.intl.pk,
            "side": "international",
            "role": "funding",
            "partner_role": "implementing",
            "stage": "exploring",
            "new_partner_name": "New\r\nBcc: x@example.org",
            "new_partner_country": "KE",
            "new_partner_kind": "rlo",
            "new_partner_contact": "c@example.org",
        },
    )
    assert response.status_code == 400
    assert not Partnership.objects.filter(title="Injected").exists()
    assert not Organisation.objects.filter(name__startswith="New").exists()


def test_huge_ids_are_simply_not_found(world):
    client = world.client_for(world.intl_admin)
    for url in (
        "/organisations/99999999999999999999999/",
        "/organisations/99999999999999999999999/members/",
        "/partnerships/99999999999999999999999/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_join_form_sent_twice_explains_instead_of_failing(world, client):
    _invitation, link = invitation_create(
        actor=world.intl_admin, organisation=world.intl, email="twice@example.org", role="viewer"
    )
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    data = {"full_name": "Twice Sent", "password1": PASSWORD, "password2": PASSWORD}
    # The account appears between the page being shown and the form arriving.
    User.objects.create_user(email="twice@example.org", password=PASSWORD, full_name="Twice")
    response = client.post(path, data)
    assert response.status_code in (200, 400)
    assert not Membership.objects.filter(user__email="twice@example.org").exists()


def test_overlong_addresses_are_refused(db, client):
    email = "a" * 64 + "@" + ".".join(["b" * 62] * 3) + ".com"
    response = client.post(
        reverse("signup"),
        {
            "full_name": "Long",
            "email": email,
            "password1": "good-long-password-7",
            "password2": "good-long-password-7",
            "organisation_name": "Long Org",
            "organisation_country": "KE",
            "organisation_kind": "cbo",
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(full_name="Long").exists()


def test_withdrawing_an_accepted_invitation_says_so_and_changes_nothing(world):
    invitation, _link = invitation_create(
        actor=world.intl_admin, organisation=world.intl, email="fast@example.org", role="viewer"
    )
    from counterpart.organisations.services import invitation_accept_new_person

    invitation_accept_new_person(invitation=invitation, full_name="Fast", password=PASSWORD)
    response = world.client_for(world.intl_admin).post(
        reverse("invitation_revoke", args=[world.intl.pk, invitation.pk]), follow=True
    )
    assert "no longer waiting" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Membership.objects.filter(user__email="fast@example.org").exists()


def test_invitations_do_not_outlive_the_admin_who_sent_them(world):
    second_admin = Membership.objects.get(user=world.intl_editor)
    second_admin.role = "admin"
    second_admin.save()
    invitation_create(
        actor=world.intl_editor, organisation=world.intl, email="alt@example.org", role="admin"
    )
    world.client_for(world.intl_admin).post(
        reverse("member_remove", args=[world.intl.pk, second_admin.pk])
    )
    assert not Invitation.objects.pending().filter(email="alt@example.org").exists()


def test_an_editor_cannot_add_organisations_to_the_other_side(world):
    response = world.client_for(world.local_editor).post(
        reverse("party_add", args=[world.partnership.pk]),
        {"organisation": world.other.pk, "side": "international", "role": "funding"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Party.objects.filter(organisation=world.other).exists()


def test_own_staff_cannot_be_named_the_partners_first_admin(world):
    response = world.client_for(world.intl_editor).post(
        reverse("partnership_create"),
        {
            "title": "Self-managed",
            "organisation": world.intl.pk,
            "side": "international",
            "role": "funding",
            "partner_role": "implementing",
            "stage": "exploring",
            "new_partner_name": "Captive Partner",
            "new_partner_country": "KE",
            "new_partner_kind": "rlo",
            "new_partner_contact": world.intl_viewer.email,
        },
    )
    assert response.status_code == 400
    assert "member of your own organisation" in response.content.decode()
    assert not Organisation.objects.filter(name="Captive Partner").exists()
