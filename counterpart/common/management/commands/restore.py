from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from counterpart.common.backup import BackupError, restore


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Restore a backup made by `backup` into this site, whose service must be stopped: "
        "the database (SQLite: the old file and its -wal and -shm files are kept aside; "
        "PostgreSQL: into an empty database owned by the site's role), the uploaded files and "
        "the secret key. Every step is checked. Run it as the service user."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup's folder.")
        parser.add_argument(
            "--database",
            help="PostgreSQL: restore into this database (on the same server, as the same "
            "role) rather than the one DATABASE_URL names.",
        )
        parser.add_argument(
            "--keep-current-key",
            action="store_true",
            help="Keep a SECRET_KEY from the environment that differs from the backup's (links "
            "emailed before then stop working).",
        )

    def handle(self, *args, backup, database, keep_current_key, **options):
        try:
            restore(
                backup,
                database=database,
                keep_current_key=keep_current_key,
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Restored."))
