"""Anyone with an organisation's public link raises a concern without an account. Nothing
stored says who; the private link, shown once, leads back to it through the session."""

from django.core import mail
from django.test import Client
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import Concern, ConcernEvent, hash_secret
from counterpart.concerns.services import concern_intake_renew
from counterpart.notifications.models import Notification

from .conftest import open_intake, raise_anonymously, sending

FORM = {
    "category": "safeguarding",
    "description": "A driver asks girls for favours before giving them a seat.",
    "reply_by": "app",
    "contact": "",
}


def _intake_url(chosen):
    return reverse("concern_intake", args=[chosen.intake_key])


def _send(client, url, data=FORM):
    with sending():
        return client.post(url, data, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Phone 1.0")


def test_a_concern_raised_without_an_account_stores_nothing_that_identifies(world):
    chosen = open_intake(world)
    client = Client()
    page = client.get(_intake_url(chosen)).content.decode()
    assert "Raise a concern with Global Aid Partners" in page
    response = _send(client, _intake_url(chosen))
    assert response.status_code == 302 and response["Location"] == reverse("concern_sent")
    concern = Concern.objects.get()
    assert concern.raised_by is None and concern.partnership is None
    assert concern.contact == "" and concern.language == ""
    assert len(concern.secret_hash) == 64
    stored = " ".join(str(v) for v in Concern.objects.values().get().values())
    assert "198.51.100.7" not in stored and "Phone 1.0" not in stored
    assert client.session.session_key not in stored
    assert ConcernEvent.objects.get().author is None
    event = AuditEvent.objects.get(action="concern_raise")
    assert event.actor is None and event.actor_label == ""
    assert event.after == {
        "reference": concern.reference,
        "category": "safeguarding",
        "status": "received",
    }
    assert "driver" not in str(event.before) + str(event.after) + event.object_label
    assert Notification.objects.get(kind="concern_received").user == world.intl_admin


def test_the_private_link_is_shown_once_and_leads_back_through_the_session(world):
    chosen = open_intake(world)
    client = Client()
    _send(client, _intake_url(chosen))
    concern = Concern.objects.get()
    sent = client.get(reverse("concern_sent")).content.decode()
    assert concern.reference in sent and "Keep your private link" in sent
    link = sent.split('class="long-link"><a href="')[1].split('"')[0]
    secret = link.rstrip("/").rsplit("/", 1)[1]
    assert hash_secret(secret) == concern.secret_hash
    assert secret not in str(Concern.objects.values().get())
    # Shown once: a second visit no longer shows it.
    again = client.get(reverse("concern_sent"))
    assert again.status_code == 302 and secret not in again.content.decode()

    browser = Client()
    assert browser.get(reverse("concern_track")).status_code == 403
    response = browser.get(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302 and response["Location"] == reverse("concern_track")
    page = browser.get(reverse("concern_track")).content.decode()
    assert concern.reference in page and "A driver asks girls" in page
    assert secret not in page


def test_the_anonymous_raiser_reads_the_reply_and_adds_information(world):
    concern, secret = raise_anonymously(world, category="respect")
    from counterpart.concerns.services import concern_acknowledge, concern_note

    with sending():
        concern_acknowledge(actor=world.intl_admin, concern=concern, message="We hear you.")
        concern_note(actor=world.intl_admin, concern=concern, message="Check the meeting notes.")
    browser = Client()
    browser.get(reverse("concern_track_enter", args=[secret]))
    page = browser.get(reverse("concern_track")).content.decode()
    assert "We hear you." in page and "Acknowledged" in page
    assert "Check the meeting notes." not in page  # internal notes stay internal
    with sending():
        response = browser.post(reverse("concern_track"), {"message": "It was on 3 March."})
    assert response.status_code == 302
    added = ConcernEvent.objects.get(kind="information")
    assert added.author is None and added.by_raiser
    assert "It was on 3 March." in browser.get(reverse("concern_track")).content.decode()
    assert Notification.objects.filter(kind="concern_information").count() == 1
    event = AuditEvent.objects.get(action="concern_add_information")
    assert event.actor is None and "3 March" not in str(event.after)


def test_an_email_reply_goes_to_the_address_given_in_the_raisers_language(world):
    chosen = open_intake(world)
    client = Client()
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    _send(
        client,
        _intake_url(chosen),
        {**FORM, "category": "funding", "reply_by": "email", "contact": "quiet@example.net"},
    )
    concern = Concern.objects.get()
    assert concern.contact == "quiet@example.net" and concern.language == "fr"
    from counterpart.concerns.services import concern_respond

    mail.outbox.clear()
    with sending():
        concern_respond(actor=world.intl_admin, concern=concern, message="The driver is replaced.")
    [email] = mail.outbox
    assert email.to == ["quiet@example.net"]
    assert concern.reference in email.subject
    assert "The driver is replaced." in email.body
    assert "private link" in email.body or "lien" in email.body


def test_forged_unknown_or_closed_links_are_refused_with_words(world):
    chosen = open_intake(world)
    client = Client()
    for key in ("forged-key", chosen.intake_key + "x"):
        response = client.get(reverse("concern_intake", args=[key]))
        assert response.status_code == 404
        assert "not valid or has been turned off" in response.content.decode()
        assert _send(client, reverse("concern_intake", args=[key])).status_code == 404
    response = client.get(reverse("concern_track_enter", args=["not-a-real-secret"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert client.get(reverse("concern_track")).status_code == 403
    # Turned off: the same key stops working.
    open_intake(world, intake_open=False)
    assert _send(client, _intake_url(chosen)).status_code == 404
    assert not Concern.objects.exists()


def test_a_new_address_retires_the_old_link(world):
    old = open_intake(world)
    old_url = _intake_url(old)
    renewed = concern_intake_renew(actor=world.intl_admin, organisation=world.intl)
    assert Client().get(old_url).status_code == 404
    assert Client().get(_intake_url(renewed)).status_code == 200
    assert AuditEvent.objects.filter(action="concern_intake_renew").exists()


def test_a_signed_in_person_is_signed_out_when_raising_anonymously(world):
    chosen = open_intake(world)
    client = world.client_for(world.local_editor)
    page = client.get(_intake_url(chosen)).content.decode()
    assert "You are signed in" in page
    _send(client, _intake_url(chosen))
    concern = Concern.objects.get()
    assert concern.raised_by is None
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("concern_mine")).status_code == 302  # to the sign-in page
    assert concern.reference in client.get(reverse("concern_track")).content.decode()
