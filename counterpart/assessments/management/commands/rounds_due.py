from django.core.management.base import BaseCommand

from counterpart.assessments.services import rounds_process_due


class Command(BaseCommand):
    help = (
        "Open the rounds whose opening day has come, remind those who have not answered, and "
        "close the rounds whose closing date has passed. Run it every hour (cron or a timer)."
    )

    def handle(self, *args, **options):
        done = rounds_process_due()
        self.stdout.write(
            f"Opened {done['opened']}, sent {done['reminded']} reminders, closed {done['closed']}."
        )
