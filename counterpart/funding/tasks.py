"""Background work for funding: reading uploaded files."""

from django_tasks import task


@task()
def run_funding_import(import_id: int) -> None:
    from .services import funding_import_run

    funding_import_run(import_id)
