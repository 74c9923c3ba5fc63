"""Focal points acknowledge, respond, resolve and keep internal notes on a concern's page.
Safeguarding and fraud concerns are theirs alone; the others are seen by the admins too;
nobody else in either organisation sees any concern."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import Concern, Status
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Role

from .conftest import add_member, make_user, open_intake, raise_anonymously, raise_concern, sending


@pytest.fixture
def focal(world):
    """A viewer of the international organisation named as its focal point."""
    membership = add_member(world.intl, make_user("focal@example.org", "Fatima Focal"), Role.VIEWER)
    open_intake(world, focal_points=[membership])
    return membership.user


def _post(client, concern, action, message):
    with sending():
        return client.post(
            reverse(f"concern_{action}", args=[concern.pk]), {f"{action}-message": message}
        )


def test_a_focal_point_takes_a_concern_through_its_steps(world, focal):
    concern = raise_concern(world, category="respect")
    client = world.client_for(focal)
    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "Our budget line for transport was cut" in page
    assert "Local Editor" in page  # a signed-in raiser is named to the focal points
    mail.outbox.clear()

    assert (
        _post(client, concern, "acknowledge", "We received it; we will look at it.").status_code
        == 302
    )
    concern.refresh_from_db()
    assert concern.status == Status.ACKNOWLEDGED and concern.acknowledged_at
    news = Notification.objects.get(kind="concern_updated")
    assert news.user == world.local_editor
    assert news.link == reverse("concern_mine_detail", args=[concern.pk])
    assert concern.reference in str(news)
    assert [m.to for m in mail.outbox] == [[world.local_editor.email]]

    assert (
        _post(client, concern, "note", "Ask finance about the transport line.").status_code == 302
    )
    assert _post(client, concern, "respond", "The line is restored from April.").status_code == 302
    assert _post(client, concern, "resolve", "").status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.RESOLVED and concern.resolved_at
    assert Notification.objects.filter(kind="concern_updated").count() == 3  # not for the note
    assert list(concern.events.values_list("kind", flat=True)) == [
        "received",
        "acknowledged",
        "note",
        "responded",
        "resolved",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"concern_acknowledge", "concern_note", "concern_respond", "concern_resolve"} <= actions
    for event in AuditEvent.objects.filter(action__startswith="concern_"):
        assert "finance" not in str(event.after) and "April" not in str(event.after)

    handler = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "Ask finance about the transport line." in handler
    raiser = world.client_for(world.local_editor).get(
        reverse("concern_mine_detail", args=[concern.pk])
    )
    text = raiser.content.decode()
    assert "We received it; we will look at it." in text
    assert "The line is restored from April." in text
    assert "Resolved" in text
    assert "Ask finance" not in text  # the internal note
    assert "Fatima Focal" not in text  # the raiser reads the organisation's name


def test_a_step_that_no_longer_applies_is_refused(world):
    concern = raise_concern(world)
    client = world.client_for(world.intl_admin)
    _post(client, concern, "acknowledge", "Seen.")
    response = _post(client, concern, "acknowledge", "Seen again.")
    assert response.status_code == 302
    assert concern.events.filter(kind="acknowledged").count() == 1
    _post(client, concern, "resolve", "")
    assert _post(client, concern, "respond", "Late answer.").status_code == 302
    assert not concern.events.filter(kind="responded").exists()


@pytest.mark.parametrize("category", ["safeguarding", "fraud"])
def test_restricted_concerns_are_seen_by_the_focal_points_only(world, focal, category):
    concern = raise_concern(world, category=category, description="Only for the focal point.")
    detail = reverse("concern_detail", args=[concern.pk])
    listing = reverse("concern_list", args=[world.intl.pk])
    assert Notification.objects.get(kind="concern_received").user == focal
    focal_client = world.client_for(focal)
    assert "Only for the focal point." in focal_client.get(detail).content.decode()
    assert concern.reference in focal_client.get(listing).content.decode()
    # An admin who is not a focal point sees neither the concern nor its place in the list.
    admin = world.client_for(world.intl_admin)
    assert admin.get(detail).status_code == 404
    assert concern.reference not in admin.get(listing).content.decode()
    assert _post(admin, concern, "note", "Let me in.").status_code == 404
    assert not concern.events.filter(kind="note").exists()


def test_other_concerns_are_seen_by_focal_points_and_admins(world, focal):
    concern = raise_concern(world, category="funding")
    for user in (focal, world.intl_admin):
        client = world.client_for(user)
        assert client.get(reverse("concern_detail", args=[concern.pk])).status_code == 200
        assert (
            concern.reference
            in client.get(reverse("concern_list", args=[world.intl.pk])).content.decode()
        )
    # Admins may act on what they see (an escalation needs them to).
    assert (
        _post(world.client_for(world.intl_admin), concern, "respond", "On it.").status_code == 302
    )


def test_nobody_else_sees_any_concern(world, focal):
    ordinary = raise_concern(world, category="funding")
    anonymous, _secret = raise_anonymously(world, category="other")
    for concern in (ordinary, anonymous):
        for user in (
            world.intl_editor,
            world.intl_viewer,
            world.local_admin,
            world.local_viewer,
            world.outsider,
        ):
            response = world.client_for(user).get(reverse("concern_detail", args=[concern.pk]))
            assert response.status_code == 404, user
    assert (
        world.client_for(world.intl_editor)
        .get(reverse("concern_list", args=[world.intl.pk]))
        .status_code
        == 403
    )
    assert (
        world.client_for(world.local_admin)
        .get(reverse("concern_list", args=[world.intl.pk]))
        .status_code
        == 404
    )
    # The raiser's colleagues do not find it under their own "My concerns".
    page = world.client_for(world.local_admin).get(reverse("concern_mine")).content.decode()
    assert ordinary.reference not in page


def test_the_organisation_page_links_to_the_channel(world, focal):
    url = reverse("organisation_detail", args=[world.intl.pk])
    listing = reverse("concern_list", args=[world.intl.pk])
    settings_ = reverse("concern_settings", args=[world.intl.pk])
    focal_page = world.client_for(focal).get(url).content.decode()
    assert listing in focal_page and settings_ not in focal_page
    admin_page = world.client_for(world.intl_admin).get(url).content.decode()
    assert listing in admin_page and settings_ in admin_page
    editor_page = world.client_for(world.intl_editor).get(url).content.decode()
    assert listing not in editor_page and settings_ not in editor_page


def test_the_list_reads_a_fixed_number_of_queries(world):
    client = world.client_for(world.intl_admin)
    raise_concern(world)
    url = reverse("concern_list", args=[world.intl.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _n in range(5):
        raise_concern(world)
        raise_anonymously(world)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("/concerns/") >= Concern.objects.count()


def test_a_signed_in_raiser_who_asked_for_email_gets_it_at_the_address_given(world):
    concern = raise_concern(world, reply_by="email", contact="grace.private@example.net")
    mail.outbox.clear()
    _post(world.client_for(world.intl_admin), concern, "respond", "We will pay by Friday.")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["grace.private@example.net", world.local_editor.email]
    direct = next(m for m in mail.outbox if m.to == ["grace.private@example.net"])
    assert "We will pay by Friday." in direct.body
    assert reverse("concern_mine") in direct.body
