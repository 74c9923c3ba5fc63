from django.core.management.base import BaseCommand

from counterpart.frameworks.services import builtin_frameworks_load


class Command(BaseCommand):
    help = "Load the built-in framework files that are not yet in the database."

    def handle(self, *args, **options):
        created = builtin_frameworks_load()
        for version in created:
            self.stdout.write(f"Loaded {version}")
        if not created:
            self.stdout.write("The built-in frameworks are up to date.")
