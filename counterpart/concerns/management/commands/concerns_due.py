from django.core.management.base import BaseCommand

from counterpart.concerns.services import concerns_process_due


class Command(BaseCommand):
    help = (
        "Escalate to the organisation's admins every open concern that was not acknowledged or "
        "answered by its deadline. Run it every hour (cron or a timer)."
    )

    def handle(self, *args, **options):
        done = concerns_process_due()
        self.stdout.write(f"Escalated {done['escalated']} overdue concern deadlines.")
