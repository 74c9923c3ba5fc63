"""Each opening of a safeguarding or fraud concern's page is kept: who and when, at most once an
hour for each person. The focal points, who alone read such a concern, see the list on its
page. The record names the reader, never the person who raised the concern."""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from counterpart.concerns.models import ConcernAccess, ConcernAccessIsAppendOnly
from counterpart.concerns.oversight import concern_access_record
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Membership

from .conftest import (
    nairobi_focal_point,
    open_intake,
    raise_anonymously,
    raise_concern,
    sending,
)

OPENED_BY = "Opened by"


@pytest.fixture
def fatima(world):
    """A viewer of the international organisation, its focal point, reading in Nairobi time."""
    membership = nairobi_focal_point(world)
    open_intake(world, focal_points=[membership])
    Notification.objects.all().delete()
    return membership


def _detail(concern):
    return reverse("concern_detail", args=[concern.pk])


def _seen_at(opening, zone):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return date_format(timezone.localtime(opening.opened_at), "DATETIME_FORMAT")


def _name_focal_points(world, memberships):
    data = {
        "acknowledge_days": 7,
        "respond_days": 30,
        "intake_open": "on",
        "focal_points": [m.pk for m in memberships],
    }
    with sending():
        response = world.client_for(world.intl_admin).post(
            reverse("concern_settings", args=[world.intl.pk]), data, follow=True
        )
    assert response.status_code == 200
    return response.content.decode()


def test_an_admin_who_reads_a_safeguarding_concern_is_seen_by_the_focal_points(world, fatima):
    concern = raise_concern(
        world, category="safeguarding", description="A staff member threatened a volunteer."
    )
    admin = world.client_for(world.intl_admin)
    assert admin.get(_detail(concern)).status_code == 404  # not hers to read

    # She names herself focal point: Fatima is told.
    me = Membership.objects.get(user=world.intl_admin, organisation=world.intl)
    page = _name_focal_points(world, [fatima, me])
    assert "The other focal points and admins of Global Aid Partners are told" in page
    assert Notification.objects.get(kind="concern_focal_point_named").user == fatima.user

    # She opens the concern: it is kept, and she sees it is kept.
    page = admin.get(_detail(concern)).content.decode()
    assert "A staff member threatened a volunteer." in page
    assert OPENED_BY in page
    opening = ConcernAccess.objects.get()
    assert (opening.concern, opening.user) == (concern, world.intl_admin)
    assert timezone.now() - opening.opened_at < timedelta(minutes=1)

    # She steps back: Fatima is told again, and the concern is closed to her once more.
    _name_focal_points(world, [fatima])
    assert Notification.objects.get(kind="concern_focal_point_removed").user == fatima.user
    assert admin.get(_detail(concern)).status_code == 404

    # Fatima opens the concern and reads who opened it, and when, in her time zone.
    page = world.client_for(fatima.user).get(_detail(concern)).content.decode()
    section = page[page.index(OPENED_BY) :]
    nairobi = timezone.localtime(opening.opened_at, zoneinfo.ZoneInfo("Africa/Nairobi"))
    assert (
        f'<bdi>Intl Admin</bdi> · <time datetime="{nairobi.isoformat()}">'
        f"{_seen_at(opening, 'Africa/Nairobi')}</time>"
    ) in section
    assert "<bdi>Fatima Focal</bdi>" in section  # her own opening is listed too
    assert list(ConcernAccess.objects.values_list("user__email", flat=True)) == [
        world.intl_admin.email,
        fatima.user.email,
    ]


def test_openings_within_the_hour_are_kept_once(world, fatima):
    concern = raise_concern(world, category="fraud")
    client = world.client_for(fatima.user)
    for _n in range(3):
        assert client.get(_detail(concern)).status_code == 200
    assert ConcernAccess.objects.count() == 1
    first = ConcernAccess.objects.get()
    # A step taken on the page, and the page shown again after it, add nothing either.
    with sending():
        client.post(
            reverse("concern_note", args=[concern.pk]), {"note-message": "Call the auditor."}
        )
    assert ConcernAccess.objects.count() == 1
    later = first.opened_at + timedelta(minutes=59)
    assert concern_access_record(actor=fatima.user, concern=concern, now=later) is None
    again = concern_access_record(
        actor=fatima.user, concern=concern, now=first.opened_at + timedelta(minutes=61)
    )
    assert again is not None
    assert ConcernAccess.objects.count() == 2
    page = client.get(_detail(concern)).content.decode()
    section = page[page.index(OPENED_BY) :]
    assert section.count("<bdi>Fatima Focal</bdi>") == 2


def test_other_concerns_are_not_recorded(world, fatima):
    concern = raise_concern(world, category="funding")
    for user in (fatima.user, world.intl_admin):
        page = world.client_for(user).get(_detail(concern)).content.decode()
        assert "Our budget line for transport was cut" in page
        assert OPENED_BY not in page
    assert not ConcernAccess.objects.exists()


def test_an_anonymous_raiser_is_not_in_the_record(world, fatima):
    concern, _secret = raise_anonymously(world, category="safeguarding")
    page = world.client_for(fatima.user).get(_detail(concern)).content.decode()
    section = page[page.index(OPENED_BY) :]
    assert section.count("<li>") == 1 and "<bdi>Fatima Focal</bdi>" in section
    opening = ConcernAccess.objects.get()
    # Who read it and when: nothing else is kept, and nothing about who raised it.
    stored = {field.name for field in ConcernAccess._meta.concrete_fields}
    assert stored == {"id", "concern", "user", "opened_at"}
    assert opening.user == fatima.user and concern.raised_by is None


def test_the_signed_in_raiser_reading_their_concern_is_not_recorded(world, fatima):
    concern = raise_concern(world, category="safeguarding")
    page = (
        world.client_for(world.local_editor)
        .get(reverse("concern_mine_detail", args=[concern.pk]))
        .content.decode()
    )
    assert OPENED_BY not in page
    assert not ConcernAccess.objects.exists()


@pytest.mark.parametrize(
    "who", ["intl_admin", "intl_editor", "intl_viewer", "local_admin", "outsider", None]
)
def test_nobody_but_the_focal_points_sees_the_list_or_is_recorded(world, fatima, who):
    concern = raise_concern(world, category="safeguarding")
    world.client_for(fatima.user).get(_detail(concern))
    user = getattr(world, who) if who else None
    response = world.client_for(user).get(_detail(concern))
    if user is None:  # an anonymous visitor is asked to sign in
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    else:
        assert response.status_code == 404
    assert OPENED_BY not in response.content.decode()
    assert "Fatima Focal" not in response.content.decode()
    assert list(ConcernAccess.objects.values_list("user", flat=True)) == [fatima.user.pk]


def test_the_record_cannot_be_changed_or_removed(world, fatima):
    concern = raise_concern(world, category="fraud")
    opening = concern_access_record(actor=fatima.user, concern=concern)
    with pytest.raises(ConcernAccessIsAppendOnly):
        opening.save()
    with pytest.raises(ConcernAccessIsAppendOnly):
        opening.delete()
    with pytest.raises(ConcernAccessIsAppendOnly):
        ConcernAccess.objects.update(opened_at=timezone.now())
    with pytest.raises(ConcernAccessIsAppendOnly):
        ConcernAccess.objects.all().delete()
    assert ConcernAccess.objects.count() == 1


def test_only_those_who_may_read_the_concern_are_recorded(world, fatima):
    from django.core.exceptions import PermissionDenied

    concern = raise_concern(world, category="safeguarding")
    with pytest.raises(PermissionDenied):
        concern_access_record(actor=world.intl_admin, concern=concern)
    assert not ConcernAccess.objects.exists()
