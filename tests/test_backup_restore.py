"""Backups hold everything a site needs, and restore into a new site that works: the backup
drill (deploy/backup_drill.py) backs up a running site while it writes, restores it into a new
folder (and, on PostgreSQL, a new database owned by a role that is not a superuser), and checks
the rows of every table, the uploaded files, and a personal link emailed before the backup.
On SQLite when the suite runs on SQLite, on PostgreSQL when DATABASE_URL names a server."""

import importlib.util
import json
import os
from pathlib import Path

import pytest

from counterpart.common import backup

REPO = Path(__file__).resolve().parent.parent


def load_drill():
    spec = importlib.util.spec_from_file_location(
        "backup_drill", REPO / "deploy" / "backup_drill.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backup_drill(tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    drill = load_drill()
    report = drill.run_drill(database_url or None, workdir=tmp_path, log=lambda _line: None)

    assert report["database"] == ("postgresql" if database_url else "sqlite")
    assert report["writes_during_backup"] > 0
    # Row counts, table by table, as counted in the backup's own snapshot.
    assert report["tables_differ"] == {}
    assert report["tables_checked"] > 40
    # The personal link made before the backup opens the questionnaire in the restored site,
    # and a site with another key refuses it: the key came with the backup.
    assert report["link_opens"], report["link_answer"]
    assert not report["link_opens_with_another_key"]
    # Evidence and files waiting for their import, byte for byte.
    assert report["media_checked"] >= 2
    assert report["media_missing"] == []
    folder = Path(report["backup"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "media/evidence/drill/sign-off.txt" in manifest["files"]
    assert "media/funding-imports/drill-waiting.xml" in manifest["files"]
    assert "secret-key" in manifest["files"]
    assert "environment" in manifest["files"]
    if database_url:
        assert (folder / "database.dump").exists()
    else:
        assert (folder / "database.sqlite3").exists()


def fake_backup(folder: Path, key="the-key-of-the-backup") -> Path:
    folder.mkdir()
    (folder / "secret-key").write_text(key + "\n")
    (folder / "database.sqlite3").write_bytes(b"not really a database")
    files = {
        name: {"size": (folder / name).stat().st_size, "sha256": backup.sha256(folder / name)}
        for name in ("secret-key", "database.sqlite3")
    }
    (folder / "manifest.json").write_text(json.dumps({"format": backup.FORMAT, "files": files}))
    return folder


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path):
    folder = fake_backup(tmp_path / "backup")
    assert backup.verify(folder)["format"] == backup.FORMAT
    (folder / "database.sqlite3").write_bytes(b"not really a databasf")
    with pytest.raises(backup.BackupError, match="does not match its checksum"):
        backup.verify(folder)
    (folder / "database.sqlite3").unlink()
    with pytest.raises(backup.BackupError, match="lacks 1 files"):
        backup.verify(folder)


def test_a_restore_with_another_secret_key_is_refused(tmp_path, monkeypatch):
    folder = fake_backup(tmp_path / "backup")
    monkeypatch.setenv("SECRET_KEY", "another-key")
    with pytest.raises(backup.BackupError, match="SECRET_KEY in this environment"):
        backup._check_key(folder, keep_current_key=False)
    backup._check_key(folder, keep_current_key=True)
    monkeypatch.setenv("SECRET_KEY", "the-key-of-the-backup")
    backup._check_key(folder, keep_current_key=False)


def test_pg_tools_are_found_in_debian_folders_or_on_the_path(monkeypatch, tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "pg_dump").write_text("#!/bin/sh\n")
    (folder / "pg_dump").chmod(0o755)
    monkeypatch.setenv("COUNTERPART_PG_BIN", str(folder))
    assert backup.pg_tool("pg_dump") == str(folder / "pg_dump")
