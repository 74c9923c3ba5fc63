from django.core.management.base import BaseCommand

from counterpart.commitments.services import commitments_process_due


class Command(BaseCommand):
    help = (
        "Remind the people responsible for commitments due in the next days, and tell them once "
        "when a commitment becomes overdue. Run it every hour (cron or a timer)."
    )

    def handle(self, *args, **options):
        done = commitments_process_due()
        self.stdout.write(f"Commitments: {done['reminded']} reminded, {done['overdue']} overdue.")
