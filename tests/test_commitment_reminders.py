"""Due dates end at midnight in the owner's organisation's time zone; owners are reminded a few
days before and once when a commitment becomes overdue."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from counterpart.commitments import services
from counterpart.commitments.selectors import status_of
from counterpart.common.deadlines import day_end
from counterpart.notifications.models import Notification

from .conftest import agreed_commitment, released_round, sending

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")  # UTC+3 all year
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")  # UTC+13 in summer, +12 in winter


@pytest.fixture
def round_(world):
    return released_round(world, {"international": [{}], "local": [{}]})


def test_the_due_day_ends_at_midnight_where_the_owner_works(world, round_):
    world.local.time_zone = "Africa/Nairobi"
    world.local.save()
    commitment = agreed_commitment(world, round_, owner_side="local", days=10)
    assert commitment.owner_organisation == world.local
    midnight = datetime.datetime.combine(
        commitment.due_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=NAIROBI
    )
    assert commitment.due_at == midnight
    assert not commitment.is_overdue(midnight - datetime.timedelta(minutes=1))
    assert commitment.is_overdue(midnight)
    assert status_of(commitment, midnight) == "overdue"


def test_day_end_follows_daylight_saving():
    # New Zealand moves its clocks back on 5 April 2026: that day is 25 hours long.
    assert day_end(datetime.date(2026, 4, 4), "Pacific/Auckland").utcoffset() == datetime.timedelta(
        hours=13
    )
    assert day_end(datetime.date(2026, 4, 5), "Pacific/Auckland").utcoffset() == datetime.timedelta(
        hours=12
    )
    utc = datetime.UTC
    fourth = day_end(datetime.date(2026, 4, 4), "Pacific/Auckland").astimezone(utc)
    fifth = day_end(datetime.date(2026, 4, 5), "Pacific/Auckland").astimezone(utc)
    assert fifth - fourth == datetime.timedelta(hours=25)
    # A name that is not a time zone falls back to UTC rather than failing.
    assert day_end(datetime.date(2026, 1, 1), "Mars/Olympus").utcoffset() == datetime.timedelta(0)


def test_the_owner_is_reminded_once_before_and_once_when_overdue(world, round_):
    world.intl.time_zone = "Pacific/Auckland"
    world.intl.save()
    commitment = agreed_commitment(world, round_, days=20)
    due_at = commitment.due_at
    mail.outbox.clear()

    early = due_at - datetime.timedelta(days=services.REMIND_DAYS_BEFORE, minutes=1)
    assert services.commitments_process_due(early) == {"reminded": 0, "overdue": 0}
    soon = due_at - datetime.timedelta(days=services.REMIND_DAYS_BEFORE)
    with sending():
        assert services.commitments_process_due(soon) == {"reminded": 1, "overdue": 0}
        assert services.commitments_process_due(soon) == {"reminded": 0, "overdue": 0}
    assert [m.to for m in mail.outbox] == [[world.intl_admin.email]]
    assert Notification.objects.filter(kind="commitment_due_soon", user=world.intl_admin).exists()

    before = due_at - datetime.timedelta(minutes=1)
    assert services.commitments_process_due(before)["overdue"] == 0
    with sending():
        assert services.commitments_process_due(due_at)["overdue"] == 1
        assert services.commitments_process_due(due_at)["overdue"] == 0
    note = Notification.objects.get(kind="commitment_overdue")
    assert note.user == world.intl_admin
    assert "is overdue" in str(note)


def test_a_kept_commitment_is_never_overdue(world, round_):
    commitment = agreed_commitment(world, round_, days=5)
    services.commitment_report(actor=world.intl_editor, commitment=commitment, done=True, note="x")
    services.commitment_confirm(actor=world.local_editor, commitment=commitment)
    later = commitment.due_at + datetime.timedelta(days=30)
    assert services.commitments_process_due(later) == {"reminded": 0, "overdue": 0}


def test_the_command_runs_the_reminders(world, round_):
    agreed_commitment(world, round_, days=1)
    out = io.StringIO()
    with sending():
        call_command("commitments_due", stdout=out)
    assert "1 reminded" in out.getvalue()
