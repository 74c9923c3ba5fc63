from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from counterpart.common.backup import BackupError, backup


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Back up the database (a consistent copy while the site runs), the uploaded files, the "
        "secret key and the environment file into a new folder under DESTINATION, with a "
        "manifest and checksums. Run it as the service user, with the service's environment."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="The folder that keeps the backups.")
        parser.add_argument(
            "--env-file",
            type=Path,
            help="The environment file to keep with the backup (default: /etc/counterpart.env "
            "when it exists).",
        )

    def handle(self, *args, destination, env_file, **options):
        try:
            folder = backup(destination, env_file=env_file, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
