"""A mail server that refuses: nobody is marked invited before their mail is accepted, one
refusal stops nobody else, the people not reached are tried again later and listed on the
round page, the link can be sent again, and the health page warns."""

import re

from django.core import mail
from django.urls import reverse

from counterpart.assessments import services
from counterpart.assessments.mailing import MAX_ATTEMPTS
from counterpart.assessments.models import MailKind, Respondent

from .conftest import make_round, sending
from .mail_servers import add_people, time_passes


def _open(world, round_):
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)


def _hourly_run():
    with sending():
        return services.rounds_process_due()


def _recipients():
    return [m.to[0] for m in mail.outbox]


def test_invitations_refused_after_twenty_are_not_marked_and_go_out_later(world, mail_server):
    round_ = make_round(world, open_it=False)
    add_people(world, round_, 23)
    mail.outbox.clear()
    mail_server.accepted, mail_server.accept = 0, 20
    _open(world, round_)
    people = Respondent.objects.filter(round=round_)
    assert people.count() == 25
    sent = set(_recipients())
    assert len(sent) == 20 == len(mail.outbox)
    # Exactly those whose mail was accepted are marked invited.
    invited = set(people.filter(invited_at__isnull=False).values_list("email", flat=True))
    assert invited == sent
    refused = people.filter(invited_at__isnull=True)
    assert refused.count() == 5
    for person in refused:
        assert person.mail_pending == MailKind.INVITATION
        assert person.mail_attempts == 1
        assert person.mail_failed_at is not None
        assert person.mail_state == "retrying"
        # The reason names nobody, though the server's message did.
        assert person.mail_failure == "SMTP 451"
        assert person.mail_next_at > person.mail_failed_at
    # The server recovers; once the wait is over, the hourly run sends the rest, once each.
    mail_server.accept = None
    _hourly_run()
    assert len(mail.outbox) == 20  # too early: the first retry waits five minutes
    time_passes(6)
    done = _hourly_run()
    assert done["mail_queued"] == 1
    assert sorted(_recipients()) == sorted(people.values_list("email", flat=True))
    assert not people.filter(invited_at__isnull=True).exists()
    assert not people.exclude(mail_pending="").exists()
    # Nothing more goes out afterwards.
    time_passes(600)
    _hourly_run()
    assert len(mail.outbox) == 25


def test_one_refused_address_stops_nobody_else(world, mail_server):
    round_ = make_round(world, open_it=False)
    add_people(world, round_, 6)
    mail_server.refuse = {"person0@international.example.org"}
    mail.outbox.clear()
    _open(world, round_)
    assert len(mail.outbox) == 7
    refused = Respondent.objects.get(email="person0@international.example.org")
    assert refused.invited_at is None
    assert refused.mail_failure == "recipient refused (SMTP 550)"
    assert "person0" not in refused.mail_failure


def test_after_every_attempt_fails_the_page_lists_who_was_not_reached(world, mail_server):
    round_ = make_round(world, open_it=False)
    mail_server.refuse = {"amira@intl.example.org"}
    _open(world, round_)
    for _attempt in range(MAX_ATTEMPTS + 2):
        time_passes(24 * 60)
        _hourly_run()
    amira = Respondent.objects.get(email="amira@intl.example.org")
    assert amira.mail_attempts == MAX_ATTEMPTS
    assert amira.mail_state == "not_reached" and amira.mail_next_at is None
    assert amira.invited_at is None
    page = world.client_for(world.intl_editor).get(reverse("round_detail", args=[round_.pk]))
    html = page.content.decode()
    assert "1 person you asked has not been reached by email yet." in html
    assert "Every attempt failed for 1 of them." in html
    row = re.search(r"<tr>\s*<td>Amira Haddad</td>.*?</tr>", html, re.S).group(0)
    assert "Not reached" in row
    # The local side's own person was reached; the local side is not told about Amira.
    local_page = world.client_for(world.local_editor).get(reverse("round_detail", args=[round_.pk]))
    local_html = local_page.content.decode()
    assert "not been reached" not in local_html and "amira@" not in local_html
    # The editor sends the link again; the server accepts it now.
    mail_server.refuse = set()
    mail.outbox.clear()
    with sending():
        response = world.client_for(world.intl_editor).post(
            reverse("respondent_send", args=[round_.pk, amira.pk])
        )
    assert response.status_code == 302
    assert _recipients() == ["amira@intl.example.org"]
    amira.refresh_from_db()
    assert amira.invited_at is not None and amira.mail_state == "sent"
    html = world.client_for(world.intl_editor).get(reverse("round_detail", args=[round_.pk]))
    assert "not been reached" not in html.content.decode()


def test_send_again_to_those_not_reached_covers_the_editors_own_side(world, mail_server):
    round_ = make_round(world, open_it=False)
    mail_server.accept = 0
    _open(world, round_)
    assert Respondent.objects.filter(round=round_, mail_pending=MailKind.INVITATION).count() == 2
    mail_server.accept = None
    mail.outbox.clear()
    with sending():
        response = world.client_for(world.local_editor).post(
            reverse("round_mail_retry", args=[round_.pk])
        )
    assert response.status_code == 302
    assert _recipients() == ["joseph@local.example.org"]
    amira = Respondent.objects.get(email="amira@intl.example.org")
    assert amira.mail_state == "retrying"


def test_the_health_page_warns_while_the_mail_server_refuses(world, mail_server):
    round_ = make_round(world, open_it=False)
    mail_server.accepted, mail_server.accept = 0, 1
    _open(world, round_)
    response = world.client_for(None).get("/healthz")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.splitlines()[0] == "warn"
    assert re.search(r"^mail: warn - last attempt failed at .*\(SMTP 451\)", body, re.M)
    assert "@" not in body
    data = world.client_for(None).get("/healthz?format=json").json()
    assert data["status"] == "warn"
    assert {c["name"]: c["status"] for c in data["checks"]}["mail"] == "warn"
    # Once mail is accepted again, the warning goes.
    mail_server.accept = None
    time_passes(10)
    _hourly_run()
    body = world.client_for(None).get("/healthz").content.decode()
    assert body.splitlines()[0] == "ok"
    assert re.search(r"^mail: ok - last mail accepted at \S+; 0 waiting$", body, re.M)
