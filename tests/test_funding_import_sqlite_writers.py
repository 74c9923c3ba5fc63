"""On SQLite, a respondent saves pages while a large funding import runs: the import writes in
short transactions, so each save waits at most for one batch, and none fails ("database is
locked", a 500 page). Runs in a separate process on a SQLite file, since the test database is
in memory (where threads share one cache and SQLite does not wait for locks at all), with the
import in one thread and the respondent's browser (the test client) in another."""

import pytest

from .funding_import_process import Sandbox, write_iati

ACTIVITIES = 30_000


@pytest.fixture
def sandbox(tmp_path):
    sqlite_folder = tmp_path / "template"
    sqlite_folder.mkdir()
    return Sandbox(tmp_path, Sandbox.migrated_sqlite(sqlite_folder))


def test_a_respondent_saves_pages_while_an_import_writes(sandbox):
    path = sandbox.folder / "activities.xml"
    write_iati(path, ACTIVITIES)
    found = sandbox.act("respondents_during_import", path)
    assert found["import"]["status"] == "done", found["import"]
    assert found["flows"] == ACTIVITIES
    saves = found["saves"]
    during = [save for save in saves if save["during_import"]]
    assert len(during) >= 3, saves  # the saves overlapped the import
    assert {save["status"] for save in saves} == {200}, saves
    assert all(save["saved"] for save in saves)
    # A save waits for one batch at most, never for the whole import.
    slowest = max(save["seconds"] for save in saves)
    assert slowest < min(5, found["import"]["seconds"] / 2), (slowest, found["import"])
    assert found["draft_value"] == found["last_value"]
