"""Django's SQLite backend, with the writers of one process taking turns.

SQLite lets one transaction write at a time. Those that wait poll the database file now and
then, so when many threads of one gunicorn process want to write at once, a newcomer often gets
the lock before one that has waited long, and a respondent's page could wait out the whole
timeout and fail. Here the threads of one process queue on a lock of the process before they
begin a transaction (`BEGIN IMMEDIATE`), and only the first in line polls the file. So SQLite
sees at most one writer per process, and each thread is served in turn.

If the process's lock is not free within the database timeout, the transaction begins anyway
and SQLite's own waiting applies, as without this backend: a lock is never held by a thread
that forgot it."""

import threading

from django.db.backends.sqlite3 import base

_writers = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writers_lock = False

    def _wait_seconds(self):
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _start_transaction_under_autocommit(self):
        if not self.is_in_memory_db():
            self._holds_writers_lock = _writers.acquire(timeout=self._wait_seconds())
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers_lock()
            raise

    def _release_writers_lock(self):
        if self._holds_writers_lock:
            self._holds_writers_lock = False
            _writers.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writers_lock()
