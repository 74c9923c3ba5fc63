"""Background work for funding: reading uploaded files."""

from django_tasks import task


@task(takes_context=True)
def run_funding_import(context, import_id: int) -> None:
    from .services import funding_import_run

    # The import remembers its task, so that the task of an interrupted import can be marked
    # failed when the import is recovered.
    funding_import_run(import_id, task_id=str(context.task_result.id))
