"""Backups that hold everything a site needs, and their restore (`counterpart backup`,
`counterpart restore`; see docs/deployment.md, "Backups").

A backup is one folder:

- ``database.sqlite3`` (SQLite, an online copy made with SQLite's backup API) or
  ``database.dump`` (PostgreSQL, ``pg_dump --format=custom --no-owner --no-privileges``);
- ``media/``, every file of the default storage (evidence, files waiting for their import);
- ``secret-key``, the SECRET_KEY in force, which signs the personal links already emailed;
- ``environment``, a copy of the environment file, when one was given or found;
- ``manifest.json``, with the number of rows of every table (counted in the same snapshot as
  the copy) and the size and SHA-256 of every file, and ``SHA256SUMS`` for ``sha256sum -c``.

The folder is written under a hidden name and renamed once complete, so a folder with the
final name is always whole.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SQLITE_FILE = "database.sqlite3"
DUMP_FILE = "database.dump"
MEDIA = "media"
KEY_FILE = "secret-key"
ENV_FILE = "environment"
DEFAULT_ENV_FILE = Path("/etc/counterpart.env")


class BackupError(Exception):
    """What went wrong, in words for the operator."""


# --- Helpers ---------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def pg_tool(name: str) -> str:
    """The newest `pg_dump` or `pg_restore` on this machine: COUNTERPART_PG_BIN if set, else
    Debian's /usr/lib/postgresql/<version>/bin (a newer one reads every older server), else
    the one on the PATH."""
    folders = []
    if os.environ.get("COUNTERPART_PG_BIN"):
        folders.append(Path(os.environ["COUNTERPART_PG_BIN"]))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in folders:
        if (folder / name).is_file() and os.access(folder / name, os.X_OK):
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"{name} was not found. Install PostgreSQL's client programs (Debian: "
        f"postgresql-client), or set COUNTERPART_PG_BIN to the folder that holds {name}."
    )


def pg_environment(database: str | None = None) -> dict[str, str]:
    """The environment that makes pg_dump and pg_restore connect as Counterpart does: the same
    host, port, role and password (never on the command line, where `ps` shows it)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": database or db["NAME"],
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    # The command is pg_dump or pg_restore with arguments made here, never a visitor's input.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise BackupError(f"{Path(command[0]).name} failed:\n{output}")


def _quoted(name: str) -> str:
    """A table name from the database's own catalogue, quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        sql = f"SELECT count(*) FROM {_quoted(name)}"  # noqa: S608 (catalogue names)
        counts[name] = db.execute(sql).fetchone()[0]
    return counts


def _sqlite_check(path: Path) -> dict[str, int]:
    """Raise unless the database file is whole; return its tables' row counts."""
    db = sqlite3.connect(path)
    try:
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(result[:5])}")
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise BackupError(f"{path} has {len(problems)} rows that point at missing rows.")
        return _sqlite_tables(db)
    finally:
        db.close()


def _pg_tables(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f"SELECT count(*) FROM {_quoted(name)}")  # noqa: S608 (catalogue names)
        counts[name] = cursor.fetchone()[0]
    return counts


def _migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        return dict(cursor.fetchall())


def _media_storage():
    return storages["default"]


def _storage_files(storage, folder: str = "") -> Iterator[str]:
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(directories):
        yield from _storage_files(storage, f"{folder}/{name}" if folder else name)


def _chown_like(path: Path, model: Path) -> None:
    """When run as root, give what was restored to the owner of the folder it went into, so
    that the service (not root) can read and write it."""
    if os.geteuid() != 0 or not model.exists():
        return
    owner = model.stat()
    targets = [path]
    if path.is_dir():
        targets += list(path.rglob("*"))
    for target in targets:
        os.chown(target, owner.st_uid, owner.st_gid, follow_symlinks=False)


# --- Backup ----------------------------------------------------------------------------------


def backup(destination: Path, env_file: Path | None = None, log=print) -> Path:
    """Write a new backup folder under `destination` and return its path."""
    destination.mkdir(parents=True, exist_ok=True)
    name = f"counterpart-{_stamp()}"
    final = destination / name
    partial = destination / f".{name}.partial"
    if final.exists() or partial.exists():
        raise BackupError(f"{final} already exists.")
    old_umask = os.umask(0o077)
    try:
        partial.mkdir()
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "database": connection.vendor,
            "migrations": _migrations(),
        }
        if is_sqlite():
            manifest["tables"] = _backup_sqlite(partial / SQLITE_FILE)
        elif connection.vendor == "postgresql":
            manifest["tables"] = _backup_postgresql(partial / DUMP_FILE)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        log(f"Database: {len(manifest['tables'])} tables copied.")
        manifest["media"] = _backup_media(partial / MEDIA)
        log(f"Files: {manifest['media']} copied.")
        (partial / KEY_FILE).write_text(settings.SECRET_KEY + "\n")
        manifest["secret_key_from"] = (
            "environment" if os.environ.get("SECRET_KEY") else str(Path(settings.VAR_DIR))
        )
        env_file = env_file or (DEFAULT_ENV_FILE if DEFAULT_ENV_FILE.is_file() else None)
        if env_file is not None:
            try:
                shutil.copyfile(env_file, partial / ENV_FILE)
            except OSError as error:
                raise BackupError(f"The environment file cannot be read: {error}") from None
            manifest["environment_file"] = str(env_file)
            log(f"Environment file: {env_file} copied.")
        elif os.environ.get("SECRET_KEY"):
            log(
                "No environment file was copied (give it with --env-file): the secret key is "
                "kept, but the other settings are not."
            )
        manifest["files"] = {
            str(path.relative_to(partial)): {"size": path.stat().st_size, "sha256": sha256(path)}
            for path in sorted(partial.rglob("*"))
            if path.is_file()
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        sums = [f"{entry['sha256']}  {relative}" for relative, entry in manifest["files"].items()]
        (partial / SUMS).write_text("\n".join(sums) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    return final


def _backup_sqlite(target: Path) -> dict[str, int]:
    source_path = sqlite_path()
    if not source_path.exists():
        raise BackupError(f"The database {source_path} does not exist.")
    # SQLite's backup API copies a consistent state while the site keeps writing: a plain file
    # copy could catch a page half written, or miss what is still in the -wal file.
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # The copy stands alone: no -wal file beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    return _sqlite_check(target)


def _backup_postgresql(target: Path) -> dict[str, int]:
    """pg_dump in the snapshot the rows were counted in, so that the counts match the dump
    exactly while the site keeps writing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_tables(cursor)
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=pg_environment(),
        )
    return counts


def _backup_media(target: Path) -> int:
    storage = _media_storage()
    if isinstance(storage, FileSystemStorage):
        source = Path(storage.location)
        if source.exists():
            shutil.copytree(source, target, symlinks=False)
        else:
            target.mkdir()
    else:
        target.mkdir()
        for name in _storage_files(storage):
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as stream, path.open("wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
    return sum(1 for path in target.rglob("*") if path.is_file())


# --- Restore ---------------------------------------------------------------------------------


def verify(folder: Path) -> dict:
    """The backup's manifest, once every file matches its size and checksum."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} was made by another version of the backup command.")
    present = {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.name not in (MANIFEST, SUMS)
    }
    missing = sorted(set(manifest["files"]) - present)
    if missing:
        raise BackupError(f"The backup lacks {len(missing)} files, such as {missing[0]}.")
    for relative, entry in manifest["files"].items():
        path = folder / relative
        if path.stat().st_size != entry["size"] or sha256(path) != entry["sha256"]:
            raise BackupError(f"{relative} in the backup does not match its checksum.")
    return manifest


def restore(folder: Path, database: str | None = None, keep_current_key=False, log=print):
    """Restore the backup in `folder` into the configured site (whose service is stopped):
    the database, the files, the secret key. Each step checks what it restored."""
    manifest = verify(folder)
    log(f"Backup of {manifest['created_at']} from {manifest['host']}: checksums match.")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"The backup holds a {manifest['database']} database, and this site uses "
            f"{connection.vendor}."
        )
    _check_key(folder, keep_current_key)
    if is_sqlite():
        if database:
            raise BackupError("--database is for PostgreSQL; SQLite uses SQLITE_PATH.")
        _restore_sqlite(folder / SQLITE_FILE, manifest["tables"], log)
    else:
        _restore_postgresql(folder / DUMP_FILE, manifest["tables"], database, log)
    _restore_media(folder / MEDIA, log)
    _restore_key(folder, keep_current_key, log)
    if (folder / ENV_FILE).exists():
        log(
            f"The backup's environment file is {folder / ENV_FILE} (it came from "
            f"{manifest.get('environment_file')}). On a new host, install it in its place "
            "(mode 600) and change what differs, such as DATABASE_URL."
        )


def _check_key(folder: Path, keep_current_key: bool) -> None:
    """Refuse, before anything changes, a SECRET_KEY in the environment that is not the
    backup's: every personal link already emailed would answer "not valid"."""
    backup_key = (folder / KEY_FILE).read_text().strip()
    current = os.environ.get("SECRET_KEY")
    if current and current != backup_key and not keep_current_key:
        raise BackupError(
            "SECRET_KEY in this environment is not the backup's. With it, every link already "
            f"emailed (personal links, invitations) would be refused. Set SECRET_KEY to the "
            f"key in {folder / KEY_FILE} (or in {folder / ENV_FILE}), or pass "
            "--keep-current-key if the key was changed on purpose."
        )


def _restore_key(folder: Path, keep_current_key: bool, log) -> None:
    if os.environ.get("SECRET_KEY"):
        log("Secret key: SECRET_KEY comes from the environment.")
        return
    backup_key = (folder / KEY_FILE).read_text().strip()
    key_file = Path(settings.VAR_DIR) / "secret-key"
    key_file.write_text(backup_key)
    key_file.chmod(0o600)
    _chown_like(key_file, Path(settings.VAR_DIR))
    log(f"Secret key: written to {key_file}.")


def _compare(expected: dict[str, int], found: dict[str, int]) -> None:
    differ = [
        f"{name} ({found.get(name, 'missing')} rows, not {count})"
        for name, count in expected.items()
        if found.get(name) != count
    ]
    if differ:
        raise BackupError("The restored database differs from the backup: " + ", ".join(differ))


def _restore_sqlite(source: Path, tables: dict[str, int], log) -> None:
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    restoring = target.with_name(target.name + ".restoring")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{restoring}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, restoring)
    _compare(tables, _sqlite_check(restoring))
    log("Database: integrity check passed, every table has its rows.")
    # The old database moves aside with its -wal and -shm files: a -wal file left beside the
    # restored database would be replayed into it and corrupt it.
    aside = target.with_name(f"{target.name}.before-restore-{_stamp()}")
    for suffix in ("", "-wal", "-shm", "-journal"):
        old = Path(f"{target}{suffix}")
        if old.exists():
            old.rename(f"{aside}{suffix}")
    if aside.exists():
        log(f"The database it replaces is kept as {aside}.")
    restoring.rename(target)
    _chown_like(target, target.parent)
    # Opened as the site opens it (write-ahead log), then checked once more.
    db = sqlite3.connect(target)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        _compare(tables, _sqlite_tables(db))
    finally:
        db.close()


def _restore_postgresql(source: Path, tables: dict[str, int], database, log) -> None:
    """pg_restore as the site's own role, into an empty database the role owns, so that the
    site owns its tables; then every table is read back as that role."""
    import psycopg

    env = pg_environment(database)
    name = env["PGDATABASE"]
    with psycopg.connect("", autocommit=True, **_pg_kwargs(env)) as db:
        role = db.execute("SELECT current_user").fetchone()[0]
        existing = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()[0]
        if existing:
            raise BackupError(
                f"The database {name} already has {existing} tables. Restore into a new, empty "
                f"database owned by {role} (as postgres: createdb --owner {role} {name}_restored)"
                f", then pass --database {name}_restored."
            )
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={name}",
            str(source),
        ],
        env=env,
    )
    with psycopg.connect("", autocommit=True, **_pg_kwargs(env)) as db:
        cursor = db.cursor()
        _compare(tables, _pg_tables(cursor))
        others = cursor.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tableowner <> current_user"
        ).fetchall()
        if others:
            raise BackupError(
                f"{len(others)} tables are not owned by {role}, such as {others[0][0]} (owned by "
                f"{others[0][1]}): the site could not use them. Restore into a new, empty "
                f"database owned by {role}, running this command as the site does."
            )
    log(f"Database: restored into {name} as {role}, every table read back with its rows.")


def _pg_kwargs(env: dict[str, str]) -> dict[str, str]:
    names = {
        "PGHOST": "host",
        "PGPORT": "port",
        "PGUSER": "user",
        "PGPASSWORD": "password",
        "PGDATABASE": "dbname",
        "PGSSLMODE": "sslmode",
    }
    return {names[key]: env[key] for key in names if env.get(key)}


def _restore_media(source: Path, log) -> None:
    storage = _media_storage()
    count = sum(1 for path in source.rglob("*") if path.is_file())
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.location)
        if target.exists() and any(path.is_file() for path in target.rglob("*")):
            aside = target.with_name(f"{target.name}.before-restore-{_stamp()}")
            target.rename(aside)
            log(f"The files it replaces are kept in {aside}.")
        elif target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target)
        _chown_like(target, target.parent)
    else:
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            name = str(path.relative_to(source))
            if storage.exists(name):
                continue
            with path.open("rb") as stream:
                saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError(f"The storage kept {name} as {saved}.")
    log(f"Files: {count} restored.")
