"""Background work shared by every app."""

from django_tasks import task


@task()
def heartbeat() -> None:
    """Does nothing: queued every hour by `rounds_due`, so that the health page sees the worker
    start a task now and then, or sees it waiting (`common.health.worker_check`)."""
