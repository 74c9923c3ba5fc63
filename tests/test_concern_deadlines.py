"""Deadlines end at midnight in the organisation's time zone, N days after the day a concern
arrives; what is overdue escalates to the admins, once per missed deadline."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import ConcernEvent, Status
from counterpart.concerns.services import (
    concern_acknowledge,
    concern_resolve,
    concerns_process_due,
)
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Role

from .conftest import add_member, make_user, open_intake, raise_concern, sending


def _zone(world, name):
    world.intl.time_zone = name
    world.intl.save()


def _at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "received", "acknowledge_by", "acknowledge_ends"),
    [
        # Lima is UTC−5 all year. 23:59 on 10 March there is 04:59 UTC on the 11th.
        ("America/Lima", _at(2026, 3, 11, 4, 59), date(2026, 3, 17), _at(2026, 3, 18, 5, 0)),
        # 00:01 on 11 March in Lima: the next day, so one more day.
        ("America/Lima", _at(2026, 3, 11, 5, 1), date(2026, 3, 18), _at(2026, 3, 19, 5, 0)),
        # Auckland is UTC+12 in winter. 23:59 on 20 September there is 11:59 UTC the same day.
        ("Pacific/Auckland", _at(2026, 9, 20, 11, 59), date(2026, 9, 27), _at(2026, 9, 27, 11, 0)),
        # 00:01 on 21 September in Auckland is 12:01 UTC on the 20th.
        ("Pacific/Auckland", _at(2026, 9, 20, 12, 1), date(2026, 9, 28), _at(2026, 9, 28, 11, 0)),
    ],
)
def test_the_deadline_is_the_end_of_a_local_day(
    world, zone, received, acknowledge_by, acknowledge_ends
):
    _zone(world, zone)
    concern = raise_concern(world, now=received)
    assert concern.acknowledge_by == acknowledge_by
    assert concern.acknowledge_due_at == acknowledge_ends
    assert concern.time_zone == zone


def test_a_clock_change_moves_the_instant_not_the_day(world):
    """Auckland moves to daylight time (UTC+13) on 27 September 2026 and back on 5 April: the
    deadline still ends at local midnight."""
    _zone(world, "Pacific/Auckland")
    spring = raise_concern(world, now=_at(2026, 9, 20, 11, 59))  # received in UTC+12
    assert spring.acknowledge_due_at == _at(2026, 9, 27, 11, 0)  # ends in UTC+13
    autumn = raise_concern(world, now=_at(2026, 3, 29, 0, 0))  # 13:00 on 29 March, UTC+13
    assert autumn.acknowledge_by == date(2026, 4, 5)
    assert autumn.acknowledge_due_at == _at(2026, 4, 5, 12, 0)  # ends in UTC+12
    # In Santiago the clock jumps from 00:00 to 01:00 on 6 September 2026: a day that ends at
    # a midnight that does not exist ends at the jump.
    _zone(world, "America/Santiago")
    jump = raise_concern(world, now=_at(2026, 8, 29, 15, 0))
    assert jump.acknowledge_by == date(2026, 9, 5)
    assert jump.acknowledge_due_at == _at(2026, 9, 6, 4, 0)


def test_the_organisation_sets_the_number_of_days(world):
    open_intake(world, acknowledge_days=2, respond_days=10)
    concern = raise_concern(world, now=_at(2026, 5, 4, 9, 0))
    assert concern.acknowledge_by == date(2026, 5, 6)
    assert concern.respond_by == date(2026, 5, 14)
    assert concern.respond_due_at == _at(2026, 5, 15, 0, 0)


def test_escalation_waits_for_local_midnight_and_happens_once(world):
    _zone(world, "America/Lima")
    concern = raise_concern(world, now=_at(2026, 3, 11, 4, 59))  # 23:59 on 10 March
    due = concern.acknowledge_due_at  # midnight at the end of 17 March in Lima
    mail.outbox.clear()
    with sending():
        assert concerns_process_due(due - timedelta(minutes=1)) == {"escalated": 0}
    concern.refresh_from_db()
    assert concern.status == Status.RECEIVED
    with sending():
        assert concerns_process_due(due + timedelta(minutes=1)) == {"escalated": 1}
        assert concerns_process_due(due + timedelta(hours=5)) == {"escalated": 0}
    concern.refresh_from_db()
    assert concern.status == Status.ESCALATED
    assert concern.acknowledge_escalated_at == due + timedelta(minutes=1)
    step = ConcernEvent.objects.get(concern=concern, kind="escalated")
    assert step.missed == "acknowledge" and step.author is None
    note = Notification.objects.get(kind="concern_escalated")
    assert note.user == world.intl_admin
    assert str(note) == (
        f"A concern (Funding, reference {concern.reference}) to Global Aid Partners is overdue: "
        "not acknowledged in time."
    )
    assert note.link == reverse("concern_detail", args=[concern.pk])
    assert [m.to for m in mail.outbox] == [[world.intl_admin.email]]
    event = AuditEvent.objects.get(action="concern_escalate")
    assert event.actor is None
    assert event.after["missed"] == "acknowledge" and event.after["status"] == "escalated"
    # The raiser sees it in the history.
    page = world.client_for(world.local_editor).get(
        reverse("concern_mine_detail", args=[concern.pk])
    )
    assert "Escalated to the organisation" in page.content.decode()


def test_each_missed_deadline_escalates_once(world):
    concern = raise_concern(world, now=_at(2026, 1, 5, 10, 0))
    with sending():
        concern_acknowledge(
            actor=world.intl_admin, concern=concern, message="Received.", now=_at(2026, 1, 6, 9)
        )
        assert concerns_process_due(concern.respond_due_at - timedelta(minutes=1))["escalated"] == 0
        assert concerns_process_due(concern.respond_due_at)["escalated"] == 1
        assert concerns_process_due(concern.respond_due_at + timedelta(days=3))["escalated"] == 0
    concern.refresh_from_db()
    assert concern.acknowledge_escalated_at is None
    assert [e.missed for e in concern.events.filter(kind="escalated")] == ["respond"]

    # Never looked at for long: both deadlines are escalated in one run, once each.
    forgotten = raise_concern(world, now=_at(2026, 1, 5, 10, 0))
    with sending():
        assert concerns_process_due(_at(2026, 3, 1))["escalated"] == 2
        assert concerns_process_due(_at(2026, 3, 2))["escalated"] == 0
    assert sorted(e.missed for e in forgotten.events.filter(kind="escalated")) == [
        "acknowledge",
        "respond",
    ]


def test_a_resolved_concern_does_not_escalate(world):
    concern = raise_concern(world, now=_at(2026, 1, 5, 10, 0))
    with sending():
        concern_resolve(actor=world.intl_admin, concern=concern, now=_at(2026, 1, 6))
        assert concerns_process_due(_at(2026, 6, 1))["escalated"] == 0


def test_a_restricted_escalation_tells_admins_only_the_reference(world):
    focal = add_member(world.intl, make_user("focal@example.org", "Focal Person"), Role.VIEWER)
    open_intake(world, focal_points=[focal])
    second_admin = make_user("second-admin@example.org", "Second Admin")
    add_member(world.intl, second_admin, Role.ADMIN)
    concern = raise_concern(
        world, category="fraud", now=_at(2026, 1, 5, 10, 0), description="Receipts were forged."
    )
    with sending():
        concerns_process_due(concern.acknowledge_due_at)
    notes = Notification.objects.filter(kind="concern_escalated")
    assert {n.user for n in notes} == {world.intl_admin, second_admin}
    for note in notes:
        assert note.link == reverse("concern_list", args=[world.intl.pk])
        assert concern.reference in str(note) and "Fraud or corruption" in str(note)
        assert "Receipts" not in str(note)
        client = world.client_for(note.user)
        assert client.get(reverse("concern_detail", args=[concern.pk])).status_code == 404
        assert concern.reference not in client.get(note.link).content.decode()
    # The focal point is not an admin; the concern is theirs to handle.
    assert not notes.filter(user=focal.user).exists()
    page = world.client_for(focal.user).get(reverse("concern_detail", args=[concern.pk]))
    assert "Receipts were forged." in page.content.decode()


def test_the_hourly_command_escalates_what_is_overdue(world):
    raise_concern(world, now=_at(2020, 1, 6, 10, 0))
    output = io.StringIO()
    with sending():
        call_command("concerns_due", stdout=output)
    assert "Escalated 2" in output.getvalue()
    output = io.StringIO()
    call_command("concerns_due", stdout=output)
    assert "Escalated 0" in output.getvalue()
