"""Naming or removing a focal point for concerns is told to the organisation's focal points
and admins, in the app and by email: who now is or no longer is one, who made the change, and
when. The admin who makes the change is told on the page that the others are told."""

import zoneinfo
from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from counterpart.concerns.permissions import focal_point_memberships
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Membership, Role

from .conftest import add_member, make_user, nairobi_focal_point, open_intake, sending

NAMED = "concern_focal_point_named"
REMOVED = "concern_focal_point_removed"


@pytest.fixture
def people(world):
    """Fatima, a viewer named focal point, and a second admin who is not one."""
    fatima = nairobi_focal_point(world)
    second = add_member(world.intl, make_user("second@example.org", "Sam Second"), Role.ADMIN)
    open_intake(world, focal_points=[fatima])
    Notification.objects.all().delete()
    mail.outbox.clear()
    return fatima, second


def _settings(world):
    return reverse("concern_settings", args=[world.intl.pk])


def _save(client, world, focal_points, **values):
    data = {"acknowledge_days": 7, "respond_days": 30, "intake_open": "on", **values}
    data["focal_points"] = [m.pk for m in focal_points]
    with sending():
        return client.post(_settings(world), data, follow=True)


def _when(note, zone):
    """The time of the change as the person reads it in their time zone."""
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return date_format(
            timezone.localtime(datetime.fromisoformat(note.params["at"])), "DATETIME_FORMAT"
        )


def test_an_admin_who_names_herself_and_steps_back_is_seen_doing_both(world, people):
    fatima, second = people
    admin = Membership.objects.get(user=world.intl_admin, organisation=world.intl)
    client = world.client_for(world.intl_admin)

    page = client.get(_settings(world)).content.decode()
    assert "the focal points and admins are told who made the change and when" in page

    # She names herself.
    response = _save(client, world, [fatima, admin])
    assert response.status_code == 200
    page = response.content.decode()
    assert "The concerns settings are saved." in page
    assert "The other focal points and admins of Global Aid Partners are told" in page
    notes = Notification.objects.filter(kind=NAMED)
    assert sorted(n.user.email for n in notes) == [fatima.user.email, second.user.email]
    note = notes.get(user=fatima.user)
    assert note.params["actor"] == "Intl Admin" and note.params["person"] == "Intl Admin"
    assert note.link == reverse("concern_list", args=[world.intl.pk])
    # Fatima reads who did it, to whom and when, in her own time zone.
    listing = world.client_for(fatima.user).get(reverse("notification_list")).content.decode()
    assert (
        "Intl Admin is now a focal point for the concerns raised with Global Aid Partners. "
        f"Changed by Intl Admin on {_when(note, 'Africa/Nairobi')}." in listing
    )
    # And by email, like every notification that needs a focal point or an admin.
    assert sorted(m.to[0] for m in mail.outbox) == [fatima.user.email, second.user.email]
    letter = next(m for m in mail.outbox if m.to == [fatima.user.email])
    assert "Intl Admin is now a focal point" in letter.subject
    assert f"Changed by Intl Admin on {_when(note, 'Africa/Nairobi')}." in letter.body
    second_letter = next(m for m in mail.outbox if m.to == [second.user.email])
    assert f"on {_when(note, 'UTC')}." in second_letter.body
    # She is not sent her own change; the page told her.
    assert not Notification.objects.filter(user=world.intl_admin).exists()
    assert {m.user for m in focal_point_memberships(world.intl)} == {world.intl_admin, fatima.user}

    # She steps back.
    mail.outbox.clear()
    page = _save(client, world, [fatima]).content.decode()
    assert "The other focal points and admins of Global Aid Partners are told" in page
    notes = Notification.objects.filter(kind=REMOVED)
    assert sorted(n.user.email for n in notes) == [fatima.user.email, second.user.email]
    listing = world.client_for(second.user).get(reverse("notification_list")).content.decode()
    assert (
        "Intl Admin is no longer a focal point for the concerns raised with Global Aid Partners. "
        f"Changed by Intl Admin on {_when(notes.get(user=second.user), 'UTC')}." in listing
    )
    assert sorted(m.to[0] for m in mail.outbox) == [fatima.user.email, second.user.email]


def test_a_focal_point_removed_by_an_admin_is_told_and_sent_to_the_organisation(world, people):
    fatima, second = people
    editor = add_member(world.intl, make_user("eddie@example.org", "Eddie Editor"), Role.EDITOR)
    _save(world.client_for(world.intl_admin), world, [editor])
    named = Notification.objects.filter(kind=NAMED)
    removed = Notification.objects.filter(kind=REMOVED)
    # Eddie is named, Fatima removed: each change is told to Eddie, Fatima and Sam.
    everyone = sorted([fatima.user.email, second.user.email, editor.user.email])
    assert sorted(n.user.email for n in named) == everyone
    assert sorted(n.user.email for n in removed) == everyone
    assert {n.params["person"] for n in named} == {"Eddie Editor"}
    assert {n.params["person"] for n in removed} == {"Fatima Focal"}
    # Fatima no longer sees the concerns: her link leads to the organisation's page.
    assert {n.link for n in Notification.objects.filter(user=fatima.user)} == {
        reverse("organisation_detail", args=[world.intl.pk])
    }
    response = world.client_for(fatima.user).get(reverse("notification_list"))
    assert "Fatima Focal is no longer a focal point" in response.content.decode()


def test_naming_the_first_focal_point_tells_the_admins_who_stop_being_focal_points(world):
    second = add_member(world.intl, make_user("second@example.org", "Sam Second"), Role.ADMIN)
    viewer = Membership.objects.get(user=world.intl_viewer, organisation=world.intl)
    client = world.client_for(world.intl_admin)
    changes = Notification.objects.filter(kind__in=[NAMED, REMOVED])
    # Nobody is named: both admins are focal points. Naming the viewer ends that, for the
    # admin who names him too.
    _save(client, world, [viewer])
    assert {(n.user.email, n.kind, n.params["person"]) for n in changes} == {
        (world.intl_viewer.email, NAMED, "Intl Viewer"),
        (second.user.email, NAMED, "Intl Viewer"),
        (world.intl_viewer.email, REMOVED, "Sam Second"),
        (second.user.email, REMOVED, "Sam Second"),
        (world.intl_viewer.email, REMOVED, "Intl Admin"),
        (second.user.email, REMOVED, "Intl Admin"),
    }
    # Removing the last one makes the admins focal points again, and says so.
    changes.delete()
    _save(client, world, [])
    assert {(n.kind, n.params["person"]) for n in changes} == {
        (REMOVED, "Intl Viewer"),
        (NAMED, "Sam Second"),
        (NAMED, "Intl Admin"),
    }


def test_nothing_is_told_when_the_focal_points_stay_the_same(world, people):
    fatima, _second = people
    page = _save(world.client_for(world.intl_admin), world, [fatima], acknowledge_days=3)
    text = page.content.decode()
    assert "The concerns settings are saved." in text
    assert "The other focal points and admins" not in text
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_a_refused_change_tells_nobody(world, people):
    fatima, _second = people
    admin = Membership.objects.get(user=world.intl_admin, organisation=world.intl)
    response = _save(
        world.client_for(world.intl_admin),
        world,
        [fatima, admin],
        acknowledge_days=10,
        respond_days=5,
    )
    assert response.status_code == 400
    assert not Notification.objects.exists()
    assert not mail.outbox
    assert [m.user for m in focal_point_memberships(world.intl)] == [fatima.user]
