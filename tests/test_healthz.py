"""The health page: it needs no sign-in, is never cached, and answers 503 when the database
cannot read the application's tables, when a migration is not applied, or when queued work
waits for a worker that does not come. Nothing in it names anyone."""

import datetime
import io
import re

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from .mail_servers import worker_runs


def _health(**headers):
    return Client().get("/healthz", **headers)


def _lines(response):
    return dict(
        line.split(": ", 1) for line in response.content.decode().splitlines()[1:] if ": " in line
    )


def test_all_checks_pass_in_plain_text_and_json(world):
    response = _health()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert body.splitlines()[0] == "ok"
    lines = _lines(response)
    assert list(lines) == ["database", "migrations", "worker", "mail"]
    assert lines["database"].startswith("ok - read ")
    assert lines["migrations"] == "ok - all applied"
    assert all(value.startswith("ok") for value in lines.values())
    data = _health(HTTP_ACCEPT="application/json").json()
    assert data["status"] == "ok"
    assert [c["name"] for c in data["checks"]] == list(lines)
    assert Client().get("/healthz?format=json").json() == data


def test_an_unapplied_migration_answers_503(world):
    call_command("migrate", "assessments", "0004", fake=True, verbosity=0, stdout=io.StringIO())
    response = _health()
    assert response.status_code == 503
    assert response.content.decode().splitlines()[0] == "fail"
    assert re.match(r"fail - 1 not applied: assessments\.0005_\w+$", _lines(response)["migrations"])
    call_command("migrate", "assessments", fake=True, verbosity=0, stdout=io.StringIO())
    assert _health().status_code == 200


def test_a_table_that_cannot_be_read_answers_503(world):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE assessments_round RENAME TO assessments_round_away")
    response = _health()
    assert response.status_code == 503
    assert _lines(response)["database"].startswith("fail - cannot read assessments.Round (")
    # The other checks still ran and answered.
    assert _lines(response)["migrations"] == "ok - all applied"
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE assessments_round_away RENAME TO assessments_round")
    assert _health().status_code == 200


def test_work_waiting_for_a_stopped_worker_answers_503(world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # No task yet: nothing waits, but the worker has not been seen either.
    response = _health()
    assert response.status_code == 200
    assert _lines(response)["worker"] == "warn - no task started in 120 minutes"
    # The hourly run queues a small task; the worker is stopped and it waits.
    call_command("rounds_due", stdout=io.StringIO())
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=20))
    response = _health()
    assert response.status_code == 503
    assert _lines(response)["worker"] == (
        "fail - 1 tasks waiting more than 15 minutes; last task started never"
    )
    # The worker starts again and runs it.
    worker_runs()
    response = _health()
    assert response.status_code == 200
    assert _lines(response)["worker"].startswith("ok - last task started 20")
