"""Sealed means sealed in the logs too: while a partnership round is sealed, nothing one side can
read (its audit log, its notifications, the round page) says when the other side's people
submitted; the side itself keeps what it saw."""

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from counterpart.assessments import services
from counterpart.audit.models import AuditEvent
from counterpart.notifications.models import Notification
from counterpart.partnerships.models import Side

from .conftest import add_member, answer_everything, make_round, respondent_client
from .test_round_offline_import import KOBO_CSV


def _as_shown(instant):
    """The time as the pages write it in a `<time datetime>`."""
    return dateformat.format(timezone.localtime(instant), "c")


def _what_they_read(world, organisation, admin, round_):
    client = world.client_for(admin)
    return " ".join(
        client.get(url).content.decode()
        for url in (
            reverse("audit_log", args=[organisation.pk]),
            reverse("notification_list"),
            reverse("round_detail", args=[round_.pk]),
        )
    )


@pytest.mark.parametrize("privacy", ["organisation", "named"])
@pytest.mark.parametrize(
    ("answering", "across"),
    [(Side.LOCAL, "intl"), (Side.INTERNATIONAL, "local")],
)
def test_the_other_side_reads_no_time_of_a_submission_while_sealed(
    world, privacy, answering, across
):
    round_ = make_round(world, privacy=privacy)
    person = round_.respondents.get(side=answering)
    started = timezone.now()
    answer_everything(respondent_client(person))
    person.refresh_from_db()
    round_.refresh_from_db()
    assert person.used and round_.sealed and round_.state == "open"

    # Nothing the other side reads was written at the submission, nor states its time.
    organisation, admin = getattr(world, across), getattr(world, f"{across}_admin")
    assert not AuditEvent.objects.filter(organisation=organisation, created_at__gte=started)
    assert not Notification.objects.filter(user=admin, created_at__gte=started)
    seen = _what_they_read(world, organisation, admin, round_)
    assert _as_shown(person.submitted_at) not in seen
    assert "Submitted answers to a round" not in seen
    # Only the count, as before.
    assert "1 of 1 asked have answered." in seen

    # The person's own side keeps the submission in its log and the time on the round page.
    own = world.local if answering == Side.LOCAL else world.intl
    own_admin = world.local_admin if answering == Side.LOCAL else world.intl_admin
    event = AuditEvent.objects.get(action="response_submit", organisation=own)
    assert event.after == {"side": answering}
    assert _as_shown(person.submitted_at) in _what_they_read(world, own, own_admin, round_)


def test_answers_imported_by_one_side_are_logged_for_that_side_only(world):
    round_ = make_round(world)
    started = timezone.now()
    local_rows = "".join(
        line + "\n" for line in KOBO_CSV.splitlines() if ";international;" not in line
    )
    report = services.responses_import(
        actor=world.local_editor, round_=round_, data=local_rows.encode(), filename="kobo.csv"
    )
    assert report["stored"] == 1
    assert not AuditEvent.objects.filter(organisation=world.intl, created_at__gte=started)
    event = AuditEvent.objects.get(action="responses_import")
    assert event.organisation == world.local
    assert event.after == {"file": "kobo.csv", "side": "local", "stored": 1, "skipped": 0}


def test_a_facilitator_on_both_sides_logs_each_sides_import_with_that_side(world):
    add_member(world.local, world.intl_editor, "editor")
    round_ = make_round(world)
    services.responses_import(
        actor=world.intl_editor, round_=round_, data=KOBO_CSV.encode(), filename="kobo.csv"
    )
    logged = {
        (e.organisation, e.after["side"], e.after["stored"])
        for e in AuditEvent.objects.filter(action="responses_import")
    }
    assert logged == {(world.intl, "international", 1), (world.local, "local", 1)}
