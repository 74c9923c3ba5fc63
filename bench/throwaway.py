"""What every benchmark starts with: Django set up on a throwaway database.

Import this module before anything from Django or the project. It points the settings at a
new SQLite file in a temporary directory (or, when DATABASE_URL is set, at a `test_` database
on that PostgreSQL server, created and dropped like the test runner does), so that real data
is never touched."""

import os
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

TMP = tempfile.TemporaryDirectory(prefix="counterpart-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "counterpart.settings"
os.environ["COUNTERPART_VAR_DIR"] = TMP.name  # secret key and media stay out of var/
os.environ["SQLITE_PATH"] = str(Path(TMP.name) / "bench.sqlite3")
os.environ["COUNTERPART_MANIFEST_STATIC"] = "0"  # no collectstatic needed
os.environ.setdefault("LOG_LEVEL", "WARNING")
warnings.filterwarnings("ignore", "No directory at")  # whitenoise: no collectstatic output

import django  # noqa: E402

django.setup()


@contextmanager
def database():
    """Migrate the throwaway database, yield its description, and remove it afterwards."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    server = connection.vendor != "sqlite"
    if server:
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    else:
        call_command("migrate", verbosity=0)
    try:
        yield f"{connection.vendor} {connection.settings_dict['NAME']}"
    finally:
        connection.close()
        if server:
            teardown_databases(old, verbosity=0)
        TMP.cleanup()
