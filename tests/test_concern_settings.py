"""An organisation's admins name its focal points, set its deadlines and open or close its
public link on the concerns settings page."""

from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import ConcernSettings
from counterpart.concerns.permissions import focal_point_memberships
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Membership, Role

from .conftest import add_member, make_user, raise_concern, sending


def _url(world):
    return reverse("concern_settings", args=[world.intl.pk])


def _form(**values):
    return {"acknowledge_days": 7, "respond_days": 30, **values}


def test_the_defaults_before_anything_is_saved(world):
    page = world.client_for(world.intl_admin).get(_url(world)).content.decode()
    assert 'name="acknowledge_days"' in page and 'value="7"' in page and 'value="30"' in page
    assert "The public link is turned off" in page
    assert not ConcernSettings.objects.exists()
    assert [m.user for m in focal_point_memberships(world.intl)] == [world.intl_admin]


def test_an_admin_names_focal_points_and_opens_the_public_link(world):
    viewer = Membership.objects.get(user=world.intl_viewer, organisation=world.intl)
    client = world.client_for(world.intl_admin)
    response = client.post(
        _url(world),
        _form(focal_points=[viewer.pk], acknowledge_days=3, respond_days=14, intake_open="on"),
    )
    assert response.status_code == 302
    chosen = ConcernSettings.objects.get(organisation=world.intl)
    assert list(chosen.focal_points.all()) == [viewer]
    assert (chosen.acknowledge_days, chosen.respond_days, chosen.intake_open) == (3, 14, True)
    page = client.get(_url(world)).content.decode()
    assert reverse("concern_intake", args=[chosen.intake_key]) in page
    event = AuditEvent.objects.get(action="concern_settings_update")
    assert event.actor == world.intl_admin
    assert event.after == {
        "acknowledge_days": 3,
        "respond_days": 14,
        "intake_open": True,
        "focal_points": [world.intl_viewer.email],
    }
    # From now on the focal point, not the admins, hears of new concerns.
    raise_concern(world)
    assert [n.user for n in Notification.objects.filter(kind="concern_received")] == [
        world.intl_viewer
    ]


def test_a_member_who_leaves_stops_being_a_focal_point(world):
    person = make_user("leaving@example.org", "Leaving Soon")
    membership = add_member(world.intl, person, Role.EDITOR)
    world.client_for(world.intl_admin).post(_url(world), _form(focal_points=[membership.pk]))
    assert [m.user for m in focal_point_memberships(world.intl)] == [person]
    membership.delete()
    assert [m.user for m in focal_point_memberships(world.intl)] == [world.intl_admin]


def test_wrong_values_are_refused_with_the_reason(world):
    client = world.client_for(world.intl_admin)
    outsider = Membership.objects.get(user=world.outsider)
    for data, words in (
        (_form(acknowledge_days=10, respond_days=5), "cannot be shorter"),
        (_form(acknowledge_days=0), "greater than or equal to 1"),
        (_form(respond_days=500), "less than or equal to 180"),
        (_form(focal_points=[outsider.pk]), "Select a valid choice"),
    ):
        response = client.post(_url(world), data)
        assert response.status_code == 400, data
        assert words in response.content.decode(), data
    assert not ConcernSettings.objects.filter(acknowledge_days=10).exists()
    assert not AuditEvent.objects.filter(action="concern_settings_update").exists()


def test_only_admins_reach_the_settings(world):
    for user, code in (
        (world.intl_viewer, 403),
        (world.intl_editor, 403),
        (world.local_admin, 404),
        (world.outsider, 404),
    ):
        client = world.client_for(user)
        assert client.get(_url(world)).status_code == code
        assert client.post(_url(world), _form(intake_open="on")).status_code == code
        renew = reverse("concern_intake_renew", args=[world.intl.pk])
        assert client.post(renew).status_code == code
    assert not ConcernSettings.objects.exists()


def test_a_new_address_for_the_link(world):
    client = world.client_for(world.intl_admin)
    client.post(_url(world), _form(intake_open="on"))
    old = ConcernSettings.objects.get().intake_key
    with sending():
        response = client.post(reverse("concern_intake_renew", args=[world.intl.pk]))
    assert response.status_code == 302
    new = ConcernSettings.objects.get().intake_key
    assert new != old
    page = client.get(_url(world)).content.decode()
    assert new in page and old not in page
