"""Mail servers that misbehave, for the tests of mail to respondents. Each `send_mail` makes a
new backend, so what the server does is set on the class (see the `mail_server` fixture)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyServer(EmailBackend):
    """Accepts `accept` messages (all, when None), then refuses with a temporary error; always
    refuses the addresses in `refuse`; with `die_after`, the process "dies" (SystemExit) at the
    message after that many accepted, before sending it."""

    accept = None
    refuse = set()
    die_after = None
    accepted = 0

    @classmethod
    def reset(cls):
        cls.accept = None
        cls.refuse = set()
        cls.die_after = None
        cls.accepted = 0

    def send_messages(self, messages):
        cls = type(self)
        for message in messages:
            if cls.die_after is not None and cls.accepted >= cls.die_after:
                raise SystemExit("killed while sending")
            if set(message.to) & cls.refuse:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
            if cls.accept is not None and cls.accepted >= cls.accept:
                raise smtplib.SMTPDataError(451, f"too many messages for {message.to[0]}")
            cls.accepted += 1
        return super().send_messages(messages)


def time_passes(minutes):
    """As if `minutes` went by for the mail waiting to be sent: its due times and claims move
    that much earlier."""
    from datetime import timedelta

    from django.db.models import F

    from counterpart.assessments.models import Respondent

    delta = timedelta(minutes=minutes)
    for name in ("mail_next_at", "mail_claimed_at"):
        Respondent.objects.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - delta})


def add_people(world, round_, count, side="international"):
    """`count` more people asked on `side` of a partnership round still being prepared."""
    from counterpart.assessments import services

    editor = world.intl_editor if side == "international" else world.local_editor
    for n in range(count):
        services.respondent_add(
            actor=editor,
            round_=round_,
            side=side,
            email=f"person{n}@{side}.example.org",
            name=f"Person {n}",
        )


def worker_runs():
    """What `db_worker --batch` does: run every task that is ready, one after the other. The
    command itself closes the database connection between tasks, which would end the test's
    transaction, so its own `Worker` runs them here."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
