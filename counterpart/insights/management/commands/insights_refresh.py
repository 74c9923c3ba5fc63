from django.core.management.base import BaseCommand
from django.db import transaction

from counterpart.assessments.models import Round, RoundState
from counterpart.assessments.selectors import results_visible
from counterpart.insights.services import summary_store


class Command(BaseCommand):
    help = (
        "Work out again the kept scores of every round whose results are released (after an "
        "upgrade, or to fill in rounds released before scores were kept)."
    )

    def handle(self, *args, **options):
        stored = 0
        for round_ in Round.objects.filter(state=RoundState.RELEASED).select_related(
            "framework_version", "organisation"
        ):
            if results_visible(round_):
                with transaction.atomic():
                    summary_store(round_)
                stored += 1
        self.stdout.write(f"Scores kept for {stored} released rounds.")
