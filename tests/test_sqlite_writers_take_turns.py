"""On a SQLite file, the threads of one process that write take turns on a lock of the process
before SQLite's own lock: many writers at once all get through within the timeout, and the lock
is given back however a transaction ends."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from counterpart.common.sqlite.base import _writers


def _connections(path, timeout=10):
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "counterpart.common.sqlite",
                "NAME": str(path),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": timeout,
                },
            }
        }
    )


def _begin(connection):
    """What `transaction.atomic` does first on a connection."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(connection, commit=True):
    connection.commit() if commit else connection.rollback()
    connection.set_autocommit(True)


@pytest.fixture
def database(tmp_path, django_db_blocker):
    path = tmp_path / "writers.sqlite3"
    with django_db_blocker.unblock():
        connection = _connections(path)["default"]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE saves (thread INTEGER, n INTEGER)")
        connection.close()
        yield path


def test_the_lock_is_given_back_after_a_commit_a_rollback_and_a_close(database):
    connection = _connections(database)["default"]
    _begin(connection)
    assert _writers.locked()
    connection.cursor().execute("INSERT INTO saves VALUES (0, 1)")
    _end(connection)
    assert not _writers.locked()
    _begin(connection)
    assert _writers.locked()
    _end(connection, commit=False)
    assert not _writers.locked()
    _begin(connection)  # then the connection is closed in the middle of the transaction
    assert _writers.locked()
    connection.close()
    assert not _writers.locked()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM saves")
        assert cursor.fetchone() == (1,)


def test_many_threads_writing_at_once_all_get_through(database):
    threads, each, failures, done = 40, 5, [], []
    start = threading.Barrier(threads)

    def write(number):
        connections = _connections(database, timeout=15)
        connection = connections["default"]
        try:
            start.wait()
            for n in range(each):
                _begin(connection)
                connection.cursor().execute("INSERT INTO saves VALUES (%s, %s)", [number, n])
                time.sleep(0.005)  # a page save's work, while holding the write lock
                _end(connection)
                done.append(number)
        except OperationalError as error:
            failures.append(str(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert len(done) == threads * each
    assert not _writers.locked()
