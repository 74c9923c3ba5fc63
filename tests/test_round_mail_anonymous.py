"""Mail in an anonymous round: whom it did not reach is shown as a count only, sent again
without naming anyone, and leaves nothing that says who had answered by the reminder."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import Respondent, Round

from .conftest import answer_everything, make_pooled_round, respondent_client, sending
from .mail_servers import time_passes, worker_runs

MAIL_FIELDS = (
    "mail_pending",
    "mail_attempts",
    "mail_next_at",
    "mail_claimed_at",
    "mail_failed_at",
    "mail_failure",
    "reminded_at",
)


def _hourly_run():
    with sending():
        return services.rounds_process_due()


def _remind(round_):
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() + datetime.timedelta(days=1))


def test_those_not_reached_are_counted_and_sent_again_without_a_name(world, mail_server):
    mail_server.refuse = {"partner1@local1.example.org"}
    round_ = make_pooled_round(world, people=5)
    page = world.client_for(world.intl_editor).get(reverse("round_detail", args=[round_.pk]))
    html = page.content.decode()
    assert "1 person you asked has not been reached by email yet." in html
    assert "partner1@" not in html and "Not reached" not in html
    # Still no sending to one person chosen by the organisation assessed.
    person = Respondent.objects.get(email="partner1@local1.example.org")
    try:
        services.respondent_send_again(actor=world.intl_editor, respondent=person)
    except services.ValidationError as error:
        assert "not sent again one by one" in error.messages[0]
    else:
        raise AssertionError("sent again one by one")
    mail_server.refuse = set()
    mail.outbox.clear()
    client = world.client_for(world.intl_editor)
    with sending():
        response = client.post(reverse("round_mail_retry", args=[round_.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["partner1@local1.example.org"]]
    follow = client.get(response["Location"]).content.decode()
    assert "The link is sent again to 1 person." in follow
    assert "not been reached" not in follow


def test_a_reminder_leaves_no_trace_of_who_had_answered(world, mail_server):
    round_ = make_pooled_round(world, people=5)
    answered = round_.respondents.order_by("pk").first()
    answer_everything(respondent_client(answered))
    _remind(round_)
    mail.outbox.clear()
    done = _hourly_run()
    assert done["reminded"] == 4
    reminded = sorted(m.to[0] for m in mail.outbox)
    assert len(reminded) == 4 and answered.email not in reminded
    # Every person asked, whether they answered or not, carries the same mail fields: none.
    rows = set(Respondent.objects.filter(round=round_).values_list(*MAIL_FIELDS))
    assert rows == {("", 0, None, None, None, "", None)}


def test_a_failed_reminder_is_forgotten_when_the_round_closes(world, mail_server):
    round_ = make_pooled_round(world, people=5)
    _remind(round_)
    mail_server.refuse = {"partner2@local2.example.org"}
    _hourly_run()
    person = Respondent.objects.get(email="partner2@local2.example.org")
    assert person.mail_failed_at is not None and person.reminded_at is None
    services.round_close(actor=world.intl_editor, round_=round_)
    rows = set(Respondent.objects.filter(round=round_).values_list(*MAIL_FIELDS))
    assert rows == {("", 0, None, None, None, "", None)}
    # Nothing is sent for a closed round, however long the hourly run goes on.
    mail_server.refuse = set()
    mail.outbox.clear()
    time_passes(600)
    _hourly_run()
    assert not mail.outbox


def test_the_task_queue_holds_the_round_never_a_person(world, mail_server, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail_server.refuse = {"partner0@local0.example.org"}
    round_ = make_pooled_round(world, people=5)
    assert not mail.outbox or all("partner" not in m.to[0] for m in mail.outbox)
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs == {"args": [round_.pk], "kwargs": {}}
    worker_runs()
    partners = sorted(m.to[0] for m in mail.outbox if m.to[0].startswith("partner"))
    assert len(partners) == 4
    # The refused one is retried by a task of the round, queued to run in five minutes.
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs == {"args": [round_.pk], "kwargs": {}}
    assert retry.run_after > timezone.now() + datetime.timedelta(minutes=4)
    assert all(r.return_value is None for r in DBTaskResult.objects.all())
