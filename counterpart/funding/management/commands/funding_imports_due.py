from django.core.management.base import BaseCommand

from counterpart.funding.services import funding_imports_recover


class Command(BaseCommand):
    help = (
        "Find funding imports whose reading stopped half way (the worker was killed or the "
        "machine restarted): queue each again once, or mark it failed and delete its file. "
        "Run it every hour (cron or a timer), and when the worker starts."
    )

    def handle(self, *args, **options):
        done = funding_imports_recover()
        self.stdout.write(
            f"Funding imports: {done['requeued']} queued again, {done['failed']} marked failed."
        )
