#!/usr/bin/env python3
"""Backup drill: back up a running site while it writes, restore the backup into a new site,
and check that the new site has everything.

    .venv/bin/python deploy/backup_drill.py                 # SQLite
    DATABASE_URL=postgres://... .venv/bin/python deploy/backup_drill.py   # and PostgreSQL too

Steps, on each database:

1. a site in a temporary folder (PostgreSQL: a new database owned by a role that is not a
   superuser, as in the deployment guide) is migrated and given an organisation, an open round
   with a personal link, and uploaded files;
2. a second process keeps writing rows and files while `counterpart backup` runs;
3. `counterpart restore` restores the backup into a new site (a new folder and, on PostgreSQL,
   a new empty database), using the secret key and environment file of the backup;
4. the new site must have, table by table, the rows the backup counted; the personal link made
   before the backup must still open the questionnaire (so the secret key came along); and every
   uploaded file must be there, byte for byte. The same link must be refused with another key.

On PostgreSQL it needs a role that may create databases (and roles, if it is a superuser):
the databases are named after DATABASE_URL's, with `_drill_live` and `_drill_restored` added,
and dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(REPO / "manage.py")]
SELF = [sys.executable, str(Path(__file__).resolve())]
DRILL_PASSWORD = "drill-password"  # noqa: S105 (a throwaway role, dropped at the end)
# Settings of the calling environment that must not leak into the drill's sites.
ISOLATE = (
    "DATABASE_URL",
    "SECRET_KEY",
    "SQLITE_PATH",
    "COUNTERPART_VAR_DIR",
    "COUNTERPART_MEDIA_DIR",
    "COUNTERPART_STORAGE",
    "COUNTERPART_TASKS",
    "EMAIL_HOST",
)


class DrillFailed(Exception):
    pass


def _run(command, env, what):
    began = time.monotonic()
    done = subprocess.run(  # noqa: S603 (this repository's own commands)
        command, env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise DrillFailed(f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    if os.environ.get("DRILL_TIMINGS"):
        print(f"  {what}: {time.monotonic() - began:.1f} s", file=sys.stderr)
    return done.stdout


def _read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _sep, value = line.partition("=")
            values[name.strip()] = value.strip().strip("'\"")
    return values


# --- PostgreSQL databases for the drill ------------------------------------------------------


class Postgres:
    """The drill's two databases (and, when DATABASE_URL's role is a superuser, a role of
    their own that is not one, as the deployment guide creates)."""

    def __init__(self, url: str):
        import psycopg

        self.psycopg = psycopg
        self.url = url
        parts = urlsplit(url)
        base = unquote(parts.path.lstrip("/")) or "counterpart"
        self.parts = parts
        self.live = f"{base}_drill_live"
        self.restored = f"{base}_drill_restored"
        self.role = None
        with self._admin() as db:
            superuser = db.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()[0]
        if superuser:
            self.role = f"{base}_drill_app"

    def _admin(self):
        return self.psycopg.connect(self.url, autocommit=True)

    def url_for(self, database: str) -> str:
        parts = self.parts
        netloc = parts.netloc
        if self.role:
            host = netloc.rpartition("@")[2]
            netloc = f"{quote(self.role)}:{quote(DRILL_PASSWORD)}@{host}"
        return urlunsplit((parts.scheme, netloc, "/" + quote(database), parts.query, ""))

    def create(self):
        self.drop()
        with self._admin() as db:
            owner = ""
            if self.role:
                db.execute(
                    f'CREATE ROLE "{self.role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                    f"PASSWORD '{DRILL_PASSWORD}'"
                )
                owner = f' OWNER "{self.role}"'
            for name in (self.live, self.restored):
                db.execute(f"CREATE DATABASE \"{name}\"{owner} ENCODING 'UTF8' TEMPLATE template0")

    def drop(self):
        with self._admin() as db:
            for name in (self.live, self.restored):
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if self.role:
                db.execute(f'DROP ROLE IF EXISTS "{self.role}"')


# --- The drill -------------------------------------------------------------------------------


def _site_env(var_dir: Path, **values) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATE}
    env.update(
        DJANGO_SETTINGS_MODULE="counterpart.settings",
        COUNTERPART_VAR_DIR=str(var_dir),
        COUNTERPART_TASKS="immediate",
        # The questionnaire's pages without `collectstatic`.
        COUNTERPART_MANIFEST_STATIC="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    env.update(values)
    return env


def run_drill(database_url: str | None = None, workdir: Path | None = None, log=print) -> dict:
    """Run the drill on SQLite, or on PostgreSQL when `database_url` is given. Returns what
    was found; raises DrillFailed when a step fails."""
    started = time.monotonic()
    own_workdir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="counterpart-drill-")) if own_workdir else workdir
    postgres = Postgres(database_url) if database_url else None
    report = {"database": "postgresql" if postgres else "sqlite"}
    try:
        # 1. The running site.
        # As in production, settings in an environment file: on PostgreSQL the key and the
        # database too; on SQLite the key is made in the site's folder.
        env_file = workdir / "counterpart.env"
        lines = ["COUNTERPART_TASKS=immediate"]
        if postgres:
            postgres.create()
            key = hashlib.sha256(os.urandom(32)).hexdigest()
            lines += [f"SECRET_KEY={key}", f"DATABASE_URL={postgres.url_for(postgres.live)}"]
        env_file.write_text("\n".join(lines) + "\n")
        env_file.chmod(0o600)
        live_values = _read_env_file(env_file)
        live = _site_env(workdir / "live", **live_values)
        _run([*MANAGE, "migrate", "--noinput", "--skip-checks", "-v0"], live, "migrate")

        # 2. Backup while another process writes.
        stop = workdir / "stop-writing"
        writer = subprocess.Popen(  # noqa: S603
            [*SELF, "--inside", "seed-and-write", str(stop)],
            env=live,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            seeded = json.loads(writer.stdout.readline() or "{}")
            if writer.stdout.readline().strip() != "writing":
                writer.kill()
                raise DrillFailed(f"The writer did not start:\n{writer.stderr.read()[-3000:]}")
            command = [*MANAGE, "backup", str(workdir / "backups"), "--env-file", str(env_file)]
            _run(command, live, "backup")
        finally:
            stop.touch()
            out, err = writer.communicate(timeout=30)
        if writer.returncode != 0:
            raise DrillFailed(f"The writer failed:\n{err[-3000:]}")
        report["writes_during_backup"] = int(out.split()[-1])
        (folder,) = (workdir / "backups").glob("counterpart-*")
        report["backup"] = str(folder)

        # 3. Restore into a new site, with the environment file of the backup.
        restored_values = _read_env_file(folder / "environment")
        restored = _site_env(workdir / "restored", **restored_values)
        command = [*MANAGE, "restore", str(folder)]
        if postgres:
            command += ["--database", postgres.restored]
            restored["DATABASE_URL"] = postgres.url_for(postgres.live)
        _run(command, restored, "restore")
        if postgres:
            # Switched over: the new site uses the restored database.
            restored["DATABASE_URL"] = postgres.url_for(postgres.restored)

        # 4. Check the new site.
        found = json.loads(
            _run([*SELF, "--inside", "check", str(folder), seeded["link"]], restored, "checks")
        )
        report.update(found)
        report["seconds"] = round(time.monotonic() - started, 1)
        problems = []
        if found["tables_differ"]:
            problems.append(f"tables differ: {found['tables_differ']}")
        if not found["link_opens"]:
            problems.append(f"the personal link does not open: {found['link_answer']}")
        if found["link_opens_with_another_key"]:
            problems.append("the personal link opens with another key: the check proves nothing")
        if found["media_missing"]:
            problems.append(f"files missing or different: {found['media_missing']}")
        if not found["media_checked"]:
            problems.append("no uploaded file was checked")
        if problems:
            raise DrillFailed("; ".join(problems))
        log(
            f"{report['database']}: {found['tables_checked']} tables, {found['rows']} rows, "
            f"{found['media_checked']} files and the personal link restored, with "
            f"{report['writes_during_backup']} writes during the backup "
            f"({report['seconds']} s)."
        )
        return report
    finally:
        if postgres:
            postgres.drop()
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


# --- Steps run inside a site (with its settings) ---------------------------------------------


def _django():
    import django

    django.setup()


def inside_seed():
    """An organisation with an open round and a person asked, and uploaded files."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from counterpart.assessments import services
    from counterpart.assessments.models import Respondent, Round, RoundState
    from counterpart.frameworks.models import FrameworkVersion
    from counterpart.organisations.services import organisation_create
    from counterpart.partnerships.models import Side

    admin = get_user_model().objects.create_user("drill-admin@example.org", full_name="Drill Admin")
    organisation = organisation_create(actor=admin, name="Drill Relief", country="KE", kind="ingo")
    today = timezone.localdate()
    round_ = services.round_create_pooled(
        actor=admin,
        organisation=organisation,
        title="Drill feedback",
        framework_version=FrameworkVersion.objects.filter(framework__organisation__isnull=True)
        .order_by("number")
        .first(),
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        threshold=3,
        conversation_mode=False,
    )
    respondent = Respondent.objects.create(
        round=round_, side=Side.LOCAL, email="drill-partner@example.org"
    )
    Round.objects.filter(pk=round_.pk).update(state=RoundState.OPEN)
    default_storage.save("evidence/drill/sign-off.txt", ContentFile(b"Signed off.\n" * 100))
    default_storage.save("funding-imports/drill-waiting.xml", ContentFile(b"<iati-activities/>"))
    link = services.respondent_link(respondent).split("://", 1)[1]
    print(json.dumps({"link": "/" + link.split("/", 1)[1]}), flush=True)


def inside_seed_and_write(stop: str):
    """Seed the site, then write rows and files, one after another, until `stop` exists."""
    inside_seed()
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    User = get_user_model()
    count = 0
    while True:
        count += 1
        User.objects.create_user(f"drill-writer-{count}@example.org", full_name="Writer")
        if count % 5 == 1:
            default_storage.save(f"evidence/drill/written-{count}.txt", ContentFile(b"x" * 2000))
        if count == 1:
            print("writing", flush=True)
        if Path(stop).exists():
            break
        time.sleep(0.01)
    print(count, flush=True)


def inside_check(folder: str, link: str):
    """What the restored site has, against the backup's manifest."""
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test import Client

    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    differ = {}
    rows = 0
    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
        for name, expected in manifest["tables"].items():
            if name not in names:
                differ[name] = "missing"
                continue
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
            count = cursor.fetchone()[0]
            rows += count
            if count != expected:
                differ[name] = f"{count} rows, not {expected}"

    def opens(client):
        answer = client.get(link)
        if answer.status_code != 302 or not answer["Location"].endswith("/respond/start/"):
            return False, f"{answer.status_code} {answer.content.decode()[:300]!r}"
        page = client.get("/respond/start/")
        return page.status_code == 200, f"questionnaire answered {page.status_code}"

    link_opens, link_answer = opens(Client(HTTP_HOST="127.0.0.1"))
    # The same link must be refused by a site with another key, or the check proves nothing.
    settings.SECRET_KEY = "another-key-" + "x" * 40
    with_another_key, _answer = opens(Client(HTTP_HOST="127.0.0.1"))

    media_missing = []
    checked = 0
    for relative, entry in manifest["files"].items():
        if not relative.startswith("media/"):
            continue
        name = relative.removeprefix("media/")
        checked += 1
        if not default_storage.exists(name):
            media_missing.append(name)
            continue
        with default_storage.open(name, "rb") as stream:
            if hashlib.sha256(stream.read()).hexdigest() != entry["sha256"]:
                media_missing.append(name)
    print(
        json.dumps(
            {
                "tables_checked": len(manifest["tables"]),
                "rows": rows,
                "tables_differ": differ,
                "link_opens": link_opens,
                "link_answer": link_answer,
                "link_opens_with_another_key": with_another_key,
                "media_checked": checked,
                "media_missing": media_missing,
            }
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server to drill on too (default: DATABASE_URL).",
    )
    parser.add_argument("--inside", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.inside:
        _django()
        step, *arguments = options.inside
        {"seed-and-write": inside_seed_and_write, "check": inside_check}[step](*arguments)
        return 0
    try:
        run_drill(None)
        if options.database_url:
            run_drill(options.database_url)
    except DrillFailed as failure:
        print(f"The backup drill failed: {failure}", file=sys.stderr)
        return 1
    print("The backup drill passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
