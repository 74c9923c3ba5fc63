"""A separate process for the tests of funding imports that a killed worker or a busy SQLite
database interrupts. The tests start it (and `manage.py db_worker`) as real processes on a
database they can share: a SQLite file, or the PostgreSQL test database. Each action prints one
line of JSON last.

    python tests/funding_import_process.py setup FILE
    python tests/funding_import_process.py state IMPORT_ID
    python tests/funding_import_process.py age IMPORT_ID MINUTES
    python tests/funding_import_process.py page IMPORT_ID
    python tests/funding_import_process.py respondents_during_import FILE

Not a test module: it has no tests of its own."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = "GB-CHC-1111111"


def write_iati(path: Path, activities: int) -> int:
    """An IATI 2.03 file of `activities` activities, each paying one disbursement to a local
    partner. Returns the number of flows an import stores from it."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for n in range(activities):
            out.write(
                f'<iati-activity default-currency="USD"><iati-identifier>{OURS}-{n}'
                f'</iati-identifier><reporting-org ref="{OURS}" type="21"><narrative>Global '
                f'Aid Partners</narrative></reporting-org><recipient-country code="KE"/>'
                f'<transaction><transaction-type code="3"/><transaction-date iso-date="2026-03-'
                f'{n % 28 + 1:02d}"/><value currency="USD">{1000 + n}</value><receiver-org '
                f'ref="KE-NGO-{n % 500}" type="24"><narrative>Partner {n % 500}</narrative>'
                f"</receiver-org></transaction></iati-activity>\n"
            )
        out.write("</iati-activities>\n")
    return activities


# --- The test's side: starting the processes ---------------------------------------------


class Sandbox:
    """Processes of the project on a database the test shares with them: a copy of a migrated
    SQLite file (`sqlite_template`), or else the test database of the PostgreSQL server."""

    def __init__(self, folder: Path, sqlite_template: Path | None = None):
        import shutil
        from urllib.parse import urlsplit

        from django.db import connection

        self.folder = folder
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
        env |= {
            "DJANGO_SETTINGS_MODULE": "counterpart.settings",
            "COUNTERPART_VAR_DIR": str(folder),
            "COUNTERPART_TASKS": "database",
            "COUNTERPART_MANIFEST_STATIC": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
        self.sqlite = None
        if sqlite_template is not None:
            self.sqlite = folder / "counterpart.sqlite3"
            shutil.copyfile(sqlite_template, self.sqlite)
            env["SQLITE_PATH"] = str(self.sqlite)
        else:
            url = urlsplit(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
        self.env = env

    @staticmethod
    def migrated_sqlite(folder: Path) -> Path:
        """A SQLite file with every migration applied, to copy for each test."""
        path = folder / "template.sqlite3"
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"SQLITE_PATH": str(path), "COUNTERPART_VAR_DIR": str(folder)}
        command = [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"]
        subprocess.run(command, env=env, check=True, cwd=ROOT)
        return path

    def act(self, action, *arguments) -> dict:
        command = [sys.executable, __file__, action, *map(str, arguments)]
        done = subprocess.run(
            command, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def manage(self, *arguments, timeout=300) -> str:
        command = [sys.executable, str(ROOT / "manage.py"), *arguments]
        done = subprocess.run(
            command, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def worker(self) -> subprocess.Popen:
        """`manage.py db_worker`, as production runs it, until the queue is empty."""
        command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch"]
        command += ["--no-startup-delay", "--interval", "0.1", "-v0"]
        return subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def flows_written(self, import_id) -> int:
        """How many flows carry the import, read straight from the shared database."""
        sql = "SELECT COUNT(*) FROM funding_flow WHERE funding_import_id = %s"
        if self.sqlite is not None:
            import sqlite3

            with sqlite3.connect(self.sqlite, timeout=20) as db:
                return db.execute(sql.replace("%s", "?"), (import_id,)).fetchone()[0]
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, [import_id])
            return cursor.fetchone()[0]

    def kill_worker_after(self, import_id, flows: int) -> None:
        """Start a worker and kill it (SIGKILL) once the import has written `flows` flows."""
        import signal

        worker = self.worker()
        deadline = time.monotonic() + 240
        try:
            while self.flows_written(import_id) < flows:
                assert worker.poll() is None, f"the worker ended first: {worker.stderr.read()}"
                assert time.monotonic() < deadline, "the import wrote too little in time"
                time.sleep(0.02)
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        assert worker.returncode == -signal.SIGKILL


# --- The other process's side: the actions --------------------------------------------------


def _setup_people():
    from counterpart.organisations.models import OrganisationKind, Role
    from tests.conftest import add_member, make_org, make_user

    organisation = make_org("Global Aid Partners", iati_identifier=OURS)
    editor = make_user("intl-editor@example.org", "Intl Editor")
    add_member(organisation, editor, Role.EDITOR)
    return organisation, editor, (OrganisationKind, Role)


def _create_import(organisation, editor, path: Path):
    from django.core.files import File

    from counterpart.funding.services import funding_import_create

    with open(path, "rb") as handle:
        return funding_import_create(
            actor=editor,
            organisation=organisation,
            kind="iati",
            uploaded=File(handle, name=path.name),
        )


def setup(path):
    organisation, editor, _ = _setup_people()
    record = _create_import(organisation, editor, Path(path))
    return {"import": record.pk, "path": record.path}


def state(import_id):
    from django.core.files.storage import default_storage
    from django_tasks_db.models import DBTaskResult

    from counterpart.funding.models import Flow, FundingImport

    record = FundingImport.objects.get(pk=import_id)
    tasks = DBTaskResult.objects.filter(task_path__endswith="run_funding_import")
    return {
        "status": record.status,
        "error": record.error,
        "attempts": record.attempts,
        "path": record.path,
        "stored_file": bool(record.path) and default_storage.exists(record.path),
        "files_left": len(default_storage.listdir("funding-imports")[1])
        if default_storage.exists("funding-imports")
        else 0,
        "heartbeat": record.heartbeat_at is not None,
        "counts": record.counts,
        "flows": Flow.objects.filter(organisation=record.organisation).count(),
        "tasks": list(tasks.order_by("enqueued_at").values_list("status", flat=True)),
    }


def age(import_id, minutes):
    """Let `minutes` pass for the import's heartbeat, as if nobody had looked at it since."""
    from datetime import timedelta

    from django.db.models import F

    from counterpart.funding.models import FundingImport

    FundingImport.objects.filter(pk=import_id).update(
        heartbeat_at=F("heartbeat_at") - timedelta(minutes=float(minutes))
    )
    return {"aged": float(minutes)}


def page(import_id):
    """The import's page as its uploader reads it."""
    from django.test import Client

    from counterpart.funding.models import FundingImport

    record = FundingImport.objects.get(pk=import_id)
    client = Client()
    client.force_login(record.uploaded_by)
    response = client.get(f"/organisations/{record.organisation_id}/funding/imports/{record.pk}/")
    return {"status_code": response.status_code, "text": response.content.decode()}


def respondents_during_import(path):
    """A respondent saves a page again and again while an import writes its flows in another
    thread. Returns each save's status and time, and whether the import ran meanwhile."""
    import re

    from django.db import connection

    from counterpart.assessments.models import Draft
    from counterpart.funding.models import FundingImport
    from counterpart.funding.services import funding_import_run
    from counterpart.partnerships.models import Side
    from tests.conftest import make_round, make_world, respondent_client

    world = make_world()
    organisation, editor = world.intl, world.intl_editor
    organisation.iati_identifier = OURS
    organisation.save(update_fields=["iati_identifier"])
    round_ = make_round(world)
    client = respondent_client(round_.respondents.get(side=Side.LOCAL))
    client.raise_request_exception = False  # a failing save is a status 500 here
    client.post("/respond/start/", {"language": "en"})
    names = re.findall(
        r'name="([a-z0-9_]+)" value="2"', client.get("/respond/page/1/").content.decode()
    )
    record = _create_import(organisation, editor, Path(path))
    connection.close()

    outcome = {}

    def run_import():
        try:
            started = time.perf_counter()
            outcome["status"] = funding_import_run(record.pk).status
            outcome["seconds"] = time.perf_counter() - started
        except BaseException as error:  # reported to the test, which fails on it
            outcome["status"] = repr(error)
        finally:
            outcome["ended"] = time.perf_counter()
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    # Saves begin once the import writes its batches.
    while FundingImport.objects.filter(pk=record.pk, heartbeat_at__isnull=True).exists():
        time.sleep(0.01)
    saves = []
    value = 1
    while importer.is_alive() or len(saves) < 3:
        value = value % 5 + 1
        started = time.perf_counter()
        response = client.post("/respond/page/1/", {names[0]: str(value), "stop": ""})
        saves.append(
            {
                "status": response.status_code,
                "seconds": time.perf_counter() - started,
                "during_import": importer.is_alive(),
                "saved": "Your answers are saved" in response.content.decode(),
            }
        )
        time.sleep(0.02)
    importer.join()
    draft = Draft.objects.get(respondent__round=round_, respondent__side=Side.LOCAL)
    return {
        "import": outcome,
        "saves": saves,
        "last_value": str(value),
        "draft_value": draft.answers.get(names[0]),
        "flows": FundingImport.objects.get(pk=record.pk).counts.get("stored"),
    }


ACTIONS = {
    "setup": setup,
    "state": state,
    "age": age,
    "page": page,
    "respondents_during_import": respondents_during_import,
}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counterpart.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    action, *arguments = sys.argv[1:]
    print(json.dumps(ACTIONS[action](*arguments), default=str))
