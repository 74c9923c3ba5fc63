"""Background work for rounds: the mail to the people asked to answer (`mailing`)."""

from django_tasks import task


@task()
def send_round_mail(round_id: int) -> None:
    """Send the round's waiting invitations, reminders and links sent again. The task is
    queued for a round, never for a person (see `mailing`)."""
    from .mailing import round_mail_send

    round_mail_send(round_id)
