"""The hourly `rounds_due` tells the timer that runs it when the mail server refuses mail to
respondents: it exits with status 1 and says why, and with 0 once mail is accepted again."""

import pytest
from django.core.management import CommandError, call_command

from counterpart.assessments import services

from .conftest import make_round, sending
from .mail_servers import time_passes


def test_rounds_due_fails_while_mail_is_refused_and_passes_once_it_is_accepted(
    world, mail_server, capsys
):
    round_ = make_round(world, open_it=False)
    mail_server.accepted, mail_server.accept = 0, 1
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    with sending(), pytest.raises(CommandError, match=r"Mail to respondents: last attempt failed"):
        call_command("rounds_due")
    mail_server.accept = None
    time_passes(10)
    with sending():
        call_command("rounds_due")
    assert "mail queued again for 1 rounds" in capsys.readouterr().out
