from django.core.management.base import BaseCommand

from counterpart.common.services import submission_keys_purge
from counterpart.concerns.services import concerns_process_due


class Command(BaseCommand):
    help = (
        "Escalate to the organisation's admins every open concern that was not acknowledged or "
        "answered by its deadline, and forget the one-time keys of forms sent more than a day "
        "ago. Run it every hour (cron or a timer)."
    )

    def handle(self, *args, **options):
        done = concerns_process_due()
        self.stdout.write(f"Escalated {done['escalated']} overdue concern deadlines.")
        # Among them the keys of unnamed concerns, which keep their private code for a day.
        forgotten = submission_keys_purge()
        self.stdout.write(f"Forgot {forgotten} form keys older than a day.")
