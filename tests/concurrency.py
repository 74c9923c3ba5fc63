"""Requests that really overlap: each call in a thread of its own, with its own database
connection, all released at the same moment."""

import threading

from django.db import connection


def together(calls, expected=()):
    """Run the calls at once. Returns what each returned, or the exception it raised when that
    is one of the `expected` kinds (any other goes to the thread and leaves None)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except tuple(expected) as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
