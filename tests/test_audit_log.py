"""Every write is recorded; the record cannot be changed or removed through the application."""

import pytest
from django.urls import reverse

from counterpart.audit.models import AuditEvent, AuditLogIsAppendOnly
from counterpart.partnerships.models import Stage


def test_writes_leave_an_event_with_before_and_after(world):
    client = world.client_for(world.intl_editor)
    client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.REVIEW, "entered_on": "2099-01-01", "note": ""},
    )
    event = AuditEvent.objects.filter(action="partnership_set_stage").get()
    assert event.actor == world.intl_editor
    assert event.organisation == world.intl
    assert event.before == {"stage": Stage.CO_DESIGN}
    assert event.after["stage"] == Stage.REVIEW
    assert event.object_id == str(world.partnership.pk)


def test_a_refused_write_leaves_no_event_and_no_change(world):
    before = AuditEvent.objects.count()
    client = world.client_for(world.intl_viewer)
    client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.REVIEW, "entered_on": "2099-01-01"},
    )
    assert AuditEvent.objects.count() == before


def test_events_cannot_be_edited_or_deleted(world):
    event = AuditEvent.objects.first()
    original = event.action
    event.action = "something_else"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().update(action="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == original


def test_admins_read_their_organisations_log_only(world):
    client = world.client_for(world.intl_admin)
    page = client.get(reverse("audit_log", args=[world.intl.pk])).content.decode()
    assert "Created the partnership" in page
    assert world.intl_editor.email in page
    other = world.client_for(world.outsider).get(reverse("audit_log", args=[world.intl.pk]))
    assert other.status_code == 404


def test_profile_and_password_changes_are_recorded(world):
    client = world.client_for(world.intl_viewer)
    client.post(reverse("profile"), {"full_name": "Renamed Person", "timezone": "Africa/Nairobi"})
    event = AuditEvent.objects.get(action="user_update_profile")
    assert event.before == {"full_name": "Intl Viewer", "timezone": "UTC"}
    assert event.after == {"full_name": "Renamed Person", "timezone": "Africa/Nairobi"}
    client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password-1",
            "new_password1": "another-long-password-9",
            "new_password2": "another-long-password-9",
        },
    )
    assert AuditEvent.objects.filter(action="user_change_password").count() == 1


def test_the_log_shows_changes_in_words(world):
    client = world.client_for(world.intl_editor)
    client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.REVIEW, "entered_on": "2099-01-01", "note": ""},
    )
    page = world.client_for(world.intl_admin).get(reverse("audit_log", args=[world.intl.pk]))
    text = page.content.decode()
    assert "Recorded a stage" in text
    assert "Co-design → Review" in text
