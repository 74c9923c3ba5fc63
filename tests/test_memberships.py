"""Admins set roles and remove members; the last admin always stays."""

from django.urls import reverse

from counterpart.organisations.models import Membership, Role


def membership(world, user):
    return Membership.objects.get(user=user, organisation=world.intl)


def test_admin_changes_a_role(world):
    target = membership(world, world.intl_viewer)
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("member_set_role", args=[world.intl.pk, target.pk]), {"role": "editor"}, follow=True
    )
    assert "is now Editor" in response.content.decode()
    assert membership(world, world.intl_viewer).role == Role.EDITOR


def test_a_wrong_role_value_is_refused(world):
    target = membership(world, world.intl_viewer)
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("member_set_role", args=[world.intl.pk, target.pk]), {"role": "owner"}, follow=True
    )
    assert "Choose a valid role" in response.content.decode()
    assert membership(world, world.intl_viewer).role == Role.VIEWER


def test_the_last_admin_cannot_step_down_or_leave(world):
    own = membership(world, world.intl_admin)
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("member_set_role", args=[world.intl.pk, own.pk]), {"role": "viewer"}, follow=True
    )
    assert "at least one admin" in response.content.decode()
    response = client.post(reverse("member_remove", args=[world.intl.pk, own.pk]), follow=True)
    assert "at least one admin" in response.content.decode()
    assert membership(world, world.intl_admin).role == Role.ADMIN


def test_admin_removes_a_member(world):
    target = membership(world, world.intl_editor)
    client = world.client_for(world.intl_admin)
    client.post(reverse("member_remove", args=[world.intl.pk, target.pk]))
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_a_member_may_leave(world):
    own = membership(world, world.intl_viewer)
    client = world.client_for(world.intl_viewer)
    response = client.post(reverse("member_remove", args=[world.intl.pk, own.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_another_organisations_member_id_in_the_url_changes_nothing(world):
    """An admin of one organisation cannot reach a membership of another through its id."""
    foreign = Membership.objects.get(user=world.local_viewer)
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("member_set_role", args=[world.intl.pk, foreign.pk]), {"role": "admin"}
    )
    assert response.status_code == 404
    response = client.post(reverse("member_remove", args=[world.intl.pk, foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.VIEWER


def test_members_page_lists_people_and_explains_roles(world):
    page = world.client_for(world.intl_viewer).get(reverse("member_list", args=[world.intl.pk]))
    text = page.content.decode()
    assert world.intl_admin.email in text
    assert "What each role may do" in text
    assert "Invite a person" not in text  # only admins invite


def test_the_organisations_list_counts_every_member(world):
    page = world.client_for(world.intl_viewer).get(reverse("organisation_list"))
    organisation = next(o for o in page.context["organisations"] if o.pk == world.intl.pk)
    assert organisation.member_count == 3
