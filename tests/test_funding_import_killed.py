"""A worker killed (SIGKILL) while it reads a funding file leaves no import waiting for good:
the import is queued again once and completes, or, killed again, is marked failed with a
message on its page, and its uploaded file is deleted. The task the worker held is marked
failed. Real processes: `manage.py db_worker` reads the file and is killed half way."""

import pytest
from django.db import connection
from django.utils import timezone

from counterpart.funding.models import FundingImport, ImportStatus
from counterpart.funding.services import funding_imports_recover, stale_after

from .conftest import import_funding_file
from .funding_import_process import Sandbox, write_iati

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVITIES = 20_000  # one flow each; long enough to be killed half way
STOPPED = "Reading the file stopped before the end"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("killed-import")
    write_iati(folder / "activities.xml", ACTIVITIES)
    template = Sandbox.migrated_sqlite(folder) if connection.vendor == "sqlite" else None
    return folder, template


@pytest.fixture
def sandbox(shared, tmp_path, transactional_db):
    folder, template = shared
    box = Sandbox(tmp_path, template)
    box.file = folder / "activities.xml"
    return box


def test_a_killed_import_is_queued_again_and_completes(sandbox):
    import_id = sandbox.act("setup", sandbox.file)["import"]
    sandbox.kill_worker_after(import_id, flows=3000)
    killed = sandbox.act("state", import_id)
    assert killed["status"] == "waiting" and killed["attempts"] == 1
    assert killed["tasks"] == ["RUNNING"] and killed["stored_file"]
    assert 3000 <= killed["flows"] < ACTIVITIES

    # Nothing is done while the import may still be alive.
    out = sandbox.manage("funding_imports_due")
    assert "0 queued again, 0 marked failed" in out
    sandbox.act("age", import_id, stale_after().total_seconds() / 60 + 1)
    out = sandbox.manage("funding_imports_due")
    assert "1 queued again, 0 marked failed" in out
    queued = sandbox.act("state", import_id)
    assert queued["tasks"] == ["FAILED", "READY"] and queued["status"] == "waiting"
    assert queued["stored_file"] and not queued["heartbeat"]

    worker = sandbox.worker()
    assert worker.wait(timeout=300) == 0, worker.stderr.read()
    done = sandbox.act("state", import_id)
    assert done["status"] == "done" and done["attempts"] == 2
    assert done["tasks"] == ["FAILED", "SUCCESSFUL"]
    assert done["flows"] == ACTIVITIES
    # The report reads as one uninterrupted import would.
    assert done["counts"]["stored"] == ACTIVITIES
    assert done["counts"]["unchanged"] == 0 and done["counts"]["read"] == ACTIVITIES
    assert not done["stored_file"] and done["path"] == "" and done["files_left"] == 0


def test_an_import_killed_twice_fails_with_a_message_and_its_file_deleted(sandbox):
    import_id = sandbox.act("setup", sandbox.file)["import"]
    sandbox.kill_worker_after(import_id, flows=3000)
    first = sandbox.act("state", import_id)["flows"]
    page = sandbox.act("page", import_id)
    assert "The file is being read." in page["text"]

    # Opening the import's page finds it stalled, and queues it for the worker again.
    sandbox.act("age", import_id, stale_after().total_seconds() / 60 + 1)
    page = sandbox.act("page", import_id)
    assert page["status_code"] == 200
    assert "The file waits to be read." in page["text"]
    assert sandbox.act("state", import_id)["tasks"] == ["FAILED", "READY"]

    sandbox.kill_worker_after(import_id, flows=first + 3000)
    killed = sandbox.act("state", import_id)
    assert killed["attempts"] == 2 and killed["tasks"] == ["FAILED", "RUNNING"]
    sandbox.act("age", import_id, stale_after().total_seconds() / 60 + 1)
    out = sandbox.manage("funding_imports_due")
    assert "0 queued again, 1 marked failed" in out

    failed = sandbox.act("state", import_id)
    assert failed["status"] == "failed" and failed["error"] == "interrupted"
    assert failed["tasks"] == ["FAILED", "FAILED"]
    assert not failed["stored_file"] and failed["path"] == "" and failed["files_left"] == 0
    page = sandbox.act("page", import_id)["text"]
    assert STOPPED in page and "Upload the file again" in page
    assert "Nothing from this file was stored." not in page


def test_without_a_worker_the_page_ends_a_stalled_import_instead_of_reading_it(
    world, media_in_tmp, settings
):
    """With the immediate backend, queueing again would read the file inside the page's own
    request, where a time limit most likely stopped it: the page marks it failed instead."""
    # A real import whose worker has gone: its state as a killed attempt leaves it.
    record = import_funding_file(world.intl, world.intl_editor, b"<iati-activities/>")
    FundingImport.objects.filter(pk=record.pk).update(
        status=ImportStatus.WAITING,
        finished_at=None,
        attempts=1,
        heartbeat_at=timezone.now() - stale_after() * 2,
        path="funding-imports/gone.xml",
    )
    media_in_tmp.joinpath("funding-imports").mkdir(parents=True, exist_ok=True)
    media_in_tmp.joinpath("funding-imports/gone.xml").write_bytes(b"<iati-activities/>")
    client = world.client_for(world.intl_viewer)
    page = client.get(f"/organisations/{world.intl.pk}/funding/imports/{record.pk}/")
    assert page.status_code == 200
    assert STOPPED in page.content.decode()
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and record.error == "interrupted"
    assert not media_in_tmp.joinpath("funding-imports/gone.xml").exists()
    assert funding_imports_recover() == {"requeued": 0, "failed": 0}
