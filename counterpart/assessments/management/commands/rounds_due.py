from django.core.management.base import BaseCommand, CommandError

from counterpart.assessments.mailing import mail_health
from counterpart.assessments.services import rounds_process_due
from counterpart.common.health import uses_task_worker
from counterpart.common.tasks import heartbeat


class Command(BaseCommand):
    help = (
        "Open the rounds whose opening day has come, remind those who have not answered, close "
        "the rounds whose closing date has passed, and queue again the mail that was not sent. "
        "Run it every hour (cron or a timer). Exits with status 1 while the mail server "
        "refuses mail, so that the timer shows the failure."
    )

    def handle(self, *args, **options):
        done = rounds_process_due()
        if uses_task_worker():
            heartbeat.enqueue()
        self.stdout.write(
            f"Opened {done['opened']}, queued {done['reminded']} reminders, "
            f"closed {done['closed']}; mail queued again for {done['mail_queued']} rounds."
        )
        state, line = mail_health()
        if state != "ok":
            raise CommandError(f"Mail to respondents: {line}")
