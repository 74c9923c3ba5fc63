"""The one-time keys of forms are forgotten after a day by the hourly command, and with them
the private code an unnamed concern keeps for a second sending of its form."""

import datetime
import io

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from counterpart.common.models import SubmissionKey

from .conftest import sending
from .forms_sent_twice import concern_intake, key_in


def test_the_hourly_command_forgets_keys_older_than_a_day(world):
    form = concern_intake(world)
    for _time in range(2):
        key = key_in(Client().get(form.url).content.decode())
        with sending():
            Client().post(form.url, {**form.data, "submission_key": key})
    old, recent = SubmissionKey.objects.order_by("pk")
    old.created_at = timezone.now() - datetime.timedelta(days=1, minutes=1)
    old.save()
    output = io.StringIO()
    call_command("concerns_due", stdout=output)
    assert "Forgot 1 form keys older than a day." in output.getvalue()
    assert list(SubmissionKey.objects.all()) == [recent]
    # The concerns themselves stay.
    assert form.stored() == 2
