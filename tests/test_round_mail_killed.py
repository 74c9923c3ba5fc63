"""A sending task killed half way: those it had not reached stay waiting and the hourly run
queues them again; and each reminder occasion reaches each person once."""

import datetime

from django.core import mail
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import MailKind, Respondent, Round

from .conftest import make_round, sending
from .mail_servers import add_people, time_passes


def _hourly_run(now=None):
    with sending():
        return services.rounds_process_due(now)


def test_a_killed_run_leaves_the_rest_queued_for_the_hourly_run(world, mail_server):
    round_ = make_round(world, open_it=False)
    add_people(world, round_, 23)
    mail.outbox.clear()
    mail_server.accepted, mail_server.die_after = 0, 10
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    people = Respondent.objects.filter(round=round_)
    assert len(mail.outbox) == 10
    assert people.filter(invited_at__isnull=False).count() == 10
    waiting = people.filter(mail_pending=MailKind.INVITATION)
    assert waiting.count() == 15
    # The one being sent when the task died is claimed; the others were not touched.
    in_flight = waiting.get(mail_claimed_at__isnull=False)
    assert waiting.filter(mail_attempts=0).count() == 14
    # The worker starts again; the hourly run queues the round, and the rest go out.
    mail_server.die_after = None
    done = _hourly_run()
    assert done["mail_queued"] == 1
    assert len(mail.outbox) == 24
    assert list(waiting) == [in_flight]
    # The claim of the one in flight expires; it is sent then, and nobody twice.
    time_passes(11)
    _hourly_run()
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 25
    assert not people.filter(invited_at__isnull=True).exists()


def _remind(round_):
    """The round's reminder comes due: it closes within the reminder period."""
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() + datetime.timedelta(days=1))


def _reminders():
    """Everyone mailed since the outbox was emptied (each in their language)."""
    return sorted(m.to[0] for m in mail.outbox)


def test_one_reminder_per_person_per_occasion_even_when_killed(world, mail_server):
    round_ = make_round(world, open_it=False)
    add_people(world, round_, 8)
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    everyone = sorted(Respondent.objects.filter(round=round_).values_list("email", flat=True))
    _remind(round_)
    mail.outbox.clear()
    mail_server.accepted, mail_server.die_after = 0, 4
    done = _hourly_run()
    assert done["reminded"] == 10
    assert len(_reminders()) == 4
    # Neither the occasion nor the people already reminded are reminded again.
    mail_server.die_after = None
    for _run in range(3):
        _hourly_run()
        time_passes(15)
    assert _reminders() == everyone
    reminded = Respondent.objects.filter(round=round_, reminded_at__isnull=False)
    assert reminded.count() == 10
    assert services.rounds_send_reminders(round_, timezone.now()) == 0
    _hourly_run()
    assert _reminders() == everyone


def test_two_tasks_for_the_same_round_send_each_mail_once(world, mail_server):
    from counterpart.assessments.mailing import round_mail_send

    round_ = make_round(world, open_it=False)
    add_people(world, round_, 3)
    mail_server.accepted, mail_server.accept = 0, 0
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    mail.outbox.clear()
    mail_server.accept = None
    time_passes(6)
    round_mail_send(round_.pk)
    round_mail_send(round_.pk)
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 5
