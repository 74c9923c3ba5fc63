"""The demonstration shows the concerns channel at work: a focal point, answered and open
concerns, an anonymous one, and one overdue concern escalated to the admins."""

import io

from django.core.management import call_command
from django.urls import reverse

from counterpart.accounts.models import User
from counterpart.common.demo import DEMO_PASSWORD
from counterpart.concerns.models import Concern, ConcernSettings
from counterpart.notifications.models import Notification


def test_the_demo_has_focal_points_and_an_escalated_concern(db, client):
    call_command("load_demo", stdout=io.StringIO())
    horizon = ConcernSettings.objects.get(organisation__name="Horizon Relief International")
    assert horizon.intake_open
    assert {m.user.full_name for m in horizon.focal_points.all()} == {
        "Amina Clarke",
        "Sofia Lindqvist",
    }
    statuses = set(Concern.objects.values_list("status", flat=True))
    assert {"received", "acknowledged", "responded", "escalated"} <= statuses
    assert Concern.objects.filter(raised_by__isnull=True).count() >= 2
    escalated = Concern.objects.get(status="escalated")
    assert escalated.events.filter(kind="escalated").count() == 2
    assert Notification.objects.filter(kind="concern_escalated").exists()

    client.post(
        "/accounts/login/",
        {"username": "sofia.intl-viewer@horizon.example", "password": DEMO_PASSWORD},
    )
    page = client.get(reverse("concern_list", args=[horizon.organisation_id])).content.decode()
    assert escalated.reference in page
    grace = User.objects.get(email="grace.local-editor@kalobeyei.example")
    client.force_login(grace)
    mine = client.get(reverse("concern_mine")).content.decode()
    assert "Responded" in mine
