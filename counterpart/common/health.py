"""What `/healthz` checks. Each check answers ("ok" | "warn" | "fail", a short detail that
names nobody). The page answers 503 when an essential check fails, and 200 otherwise, with a
warning in its text.

The common app checks the database, the migrations and the task worker itself. Higher apps add
their own checks from their `AppConfig.ready()` with `register` (the assessments app adds the
mail to respondents), so that this module imports none of them."""

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max, Q
from django.utils import timezone

# A few tables that every page needs; each must give one row (or none) with all its columns.
CORE_TABLES = (
    "organisations.Organisation",
    "organisations.Membership",
    "partnerships.Partnership",
    "assessments.Round",
    "assessments.Respondent",
    "audit.AuditEvent",
    "sessions.Session",
)


@dataclass
class Check:
    name: str
    status: str
    detail: str
    essential: bool


_registered: list = []


def register(name, check, *, essential=False):
    """Add a check: `check()` returns (status, detail). An exception counts as "fail"."""
    if name not in {entry[0] for entry in _registered}:
        _registered.append((name, check, essential))


def database_check():
    models = [get_user_model()] + [apps.get_model(label) for label in CORE_TABLES]
    for model in models:
        try:
            with transaction.atomic():
                list(model._default_manager.order_by()[:1])
        except Exception as error:
            return "fail", f"cannot read {model._meta.label} ({type(error).__name__})"
    return "ok", f"read {len(models)} tables"


# The migration files do not change while a process runs, so the plan depends only on what the
# database records as applied: it is worked out again only when that changes (reading the
# files takes tens of milliseconds; reading the record, one small query).
_plans: dict = {}


def migrations_check():
    connection = connections[DEFAULT_DB_ALIAS]
    applied = frozenset(MigrationRecorder(connection).applied_migrations())
    if applied not in _plans:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:3])
            more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
            found = ("fail", f"{len(plan)} not applied: {names}{more}")
        else:
            found = ("ok", "all applied")
        _plans.clear()
        _plans[applied] = found
    return _plans[applied]


def uses_task_worker() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db.")


def worker_check():
    """With the database queue: no task may wait longer than the allowed time past the moment
    it could run. `rounds_due` queues a small task every hour, so a stopped worker shows
    here within an hour and that time."""
    if not uses_task_worker():
        return "ok", "tasks run inside the request (no worker used)"
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    late = now - timedelta(minutes=settings.TASK_WORKER_MAX_WAIT_MINUTES)
    waiting = (
        DBTaskResult.objects.filter(status="READY")
        .filter(Q(run_after__lte=late) | Q(run_after=get_date_max(), enqueued_at__lte=late))
        .count()
    )
    seen = DBTaskResult.objects.aggregate(last=Max("started_at"))["last"]
    seen_text = seen.isoformat(timespec="seconds") if seen else "never"
    if waiting:
        return "fail", (
            f"{waiting} tasks waiting more than {settings.TASK_WORKER_MAX_WAIT_MINUTES} "
            f"minutes; last task started {seen_text}"
        )
    if seen is None or seen < now - timedelta(minutes=settings.TASK_WORKER_SEEN_MINUTES):
        return "warn", f"no task started in {settings.TASK_WORKER_SEEN_MINUTES} minutes"
    return "ok", f"last task started {seen_text}"


def run_checks() -> list[Check]:
    found = []
    entries = [
        ("database", database_check, True),
        ("migrations", migrations_check, True),
        ("worker", worker_check, True),
        *_registered,
    ]
    for name, check, essential in entries:
        try:
            with transaction.atomic():
                status, detail = check()
        except Exception as error:
            status, detail = "fail", type(error).__name__
        found.append(Check(name, status, detail, essential))
    return found


def overall(checks) -> str:
    if any(c.status == "fail" and c.essential for c in checks):
        return "fail"
    if any(c.status != "ok" for c in checks):
        return "warn"
    return "ok"
