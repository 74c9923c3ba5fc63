"""Times are stored in UTC and shown in the viewer's own time zone."""

from datetime import UTC, datetime

from django.urls import reverse

from counterpart.audit.models import AuditEvent


def test_the_audit_log_shows_times_in_the_viewers_zone(world):
    AuditEvent.objects.create(
        actor=world.intl_admin,
        actor_label=world.intl_admin.email,
        organisation=world.intl,
        action="organisation_update",
        created_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
    )
    client = world.client_for(world.intl_admin)
    page = client.get(reverse("audit_log", args=[world.intl.pk])).content.decode()
    assert "03/01/2026 10:30 p.m." in page
    world.intl_admin.timezone = "Asia/Amman"  # UTC+3
    world.intl_admin.save()
    page = client.get(reverse("audit_log", args=[world.intl.pk])).content.decode()
    assert "03/02/2026 1:30 a.m." in page
    assert 'datetime="2026-03-02T01:30:00+03:00"' in page
