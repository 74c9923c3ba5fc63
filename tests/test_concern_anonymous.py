"""Anyone with an organisation's public link raises a concern without an account. Nothing
stored says who; the private link, shown once, leads back to it through the session. Its
code follows "#", so that it never reaches the server in an address; the tracking page sends
it by POST."""

import re
from pathlib import Path

import pytest
from axes.models import AccessLog
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import Concern, ConcernEvent, hash_secret
from counterpart.concerns.services import concern_intake_renew
from counterpart.notifications.models import Notification

from .conftest import PASSWORD, open_intake, raise_anonymously, sending

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


def _open(client, code):
    """What the tracking page's form (filled by its script, or by hand) sends."""
    return client.post(reverse("concern_track_open"), {"code": code})


def _shown(page):
    """The private link and the code the "sent" page shows."""
    link = page.split('class="long-link"><a href="')[1].split('"')[0]
    code = page.split('class="long-link"><code>')[1].split("</code>")[0]
    return link, code


def _concern_keys(session):
    """The concerns channel's keys in a session (or in a session's decoded data)."""
    return [key for key in dict(session.items()) if "concern" in key]


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_concern_raised_without_an_account_stores_nothing_that_identifies(world):
    chosen = open_intake(world)
    client = Client()
    page = client.get(_intake_url(chosen)).content.decode()
    assert "Raise a concern with Global Aid Partners" in page
    response = _send(client, _intake_url(chosen))
    assert response.status_code == 200 and "Your concern is sent" in response.content.decode()
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
    response = _send(client, _intake_url(chosen))
    concern = Concern.objects.get()
    # Shown in the answer to the form itself: no later page, no redirect.
    sent = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert concern.reference in sent and "Keep your private link" in sent
    link, code = _shown(sent)
    # The code follows "#", so that browsers never send it to the server in an address.
    assert link == "http://127.0.0.1:8000" + reverse("concern_track") + "#" + code
    assert hash_secret(code) == concern.secret_hash
    assert code not in str(Concern.objects.values().get())
    # Nothing on the server keeps it: no session holds it, not even encoded.
    assert Session.objects.exists()
    for session in Session.objects.all():
        assert code not in session.session_data
        assert code not in str(session.get_decoded())
    # The session that raised it follows the concern at once.
    assert concern.reference in client.get(reverse("concern_track")).content.decode()

    browser = Client()
    # Without the concern in the session, the page asks for the code, to send by POST.
    page = browser.get(reverse("concern_track"))
    html = page.content.decode()
    assert page.status_code == 200 and "Your private code" in html
    assert 'method="post"' in html and f'action="{reverse("concern_track_open")}"' in html
    assert "csrfmiddlewaretoken" in html
    assert "after the # sign" in html  # what to paste, without JavaScript
    assert concern.reference not in html
    response = _open(browser, code)
    assert response.status_code == 303 and response["Location"] == reverse("concern_track")
    page = browser.get(reverse("concern_track")).content.decode()
    assert concern.reference in page and "A driver asks girls" in page
    assert code not in page
    assert code not in str(browser.session.items())


def test_the_old_address_with_the_code_is_gone(world):
    concern, secret = raise_anonymously(world)
    client = Client()
    with pytest.raises(NoReverseMatch):
        reverse("concern_track_enter", args=[secret])
    for url in (f"/concerns/track/{secret}/", "/concerns/sent/"):
        assert client.get(url).status_code == 404
    assert not _concern_keys(client.session)
    # Opening the page by GET, whatever its address says, never opens the concern.
    page = client.get(reverse("concern_track") + f"?code={secret}").content.decode()
    assert concern.reference not in page and not _concern_keys(client.session)
    assert client.get(reverse("concern_track_open")).status_code == 405


def test_the_tracking_page_sends_the_code_with_a_script_of_its_own(world):
    """The script comes from the site's static files (CSP: script-src 'self'), with nothing
    inline; the page works without it."""
    page = Client().get(reverse("concern_track"))
    html = page.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [""]
    assert '<script src="/static/js/concern-code.js" defer></script>' in html
    assert not re.search(r"\son[a-z]+=", html) and "style=" not in html
    assert "data-concern-code" in html
    script = Path(finders.find("js/concern-code.js")).read_text(encoding="utf-8")
    assert "location.hash" in script and "replaceState" in script and ".submit()" in script


def test_the_whole_link_pasted_opens_the_concern_too(world):
    concern, secret = raise_anonymously(world)
    browser = Client()
    response = _open(browser, f"  http://127.0.0.1:8000/concerns/track/#{secret} ")
    assert response.status_code == 303
    assert concern.reference in browser.get(reverse("concern_track")).content.decode()


def test_a_wrong_code_is_refused_and_changes_nothing(world):
    concern, secret = raise_anonymously(world)
    other, _other_secret = raise_anonymously(world, category="funding")
    browser = Client()
    assert _open(browser, _other_secret).status_code == 303
    before = dict(browser.session.items())
    key = browser.session.session_key
    for wrong in ("not-a-real-code", secret[:-1], secret + "x", "", "#", "s" * 300):
        response = _open(browser, wrong)
        assert response.status_code == 400, wrong
        html = response.content.decode()
        assert "Your private code" in html
        if wrong.strip("#"):
            assert "This code does not open any concern" in html
        assert browser.session.session_key == key
        assert dict(browser.session.items()) == before
    page = browser.get(reverse("concern_track")).content.decode()
    assert other.reference in page and concern.reference not in page
    # A signed-in person who mistypes stays signed in, with nothing added to the session.
    member = world.client_for(world.local_editor)
    before = dict(member.session.items())
    assert _open(member, "not-a-real-code").status_code == 400
    assert dict(member.session.items()) == before


def test_the_code_is_sent_with_a_csrf_token(world):
    concern, secret = raise_anonymously(world)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("concern_track_open"), {"code": secret}).status_code == 403
    assert not _concern_keys(strict.session)
    page = strict.get(reverse("concern_track")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(
        reverse("concern_track_open"), {"code": secret, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    assert concern.reference in strict.get(reverse("concern_track")).content.decode()


def test_a_different_concern_opens_from_the_concern_page(world):
    first, first_secret = raise_anonymously(world)
    second, second_secret = raise_anonymously(world, category="funding")
    browser = Client()
    _open(browser, first_secret)
    page = browser.get(reverse("concern_track")).content.decode()
    assert first.reference in page and "Follow a different concern" in page
    assert "js/concern-code.js" in page  # a second link, opened here, is followed too
    _open(browser, second_secret)
    page = browser.get(reverse("concern_track")).content.decode()
    assert second.reference in page and first.reference not in page


def test_the_anonymous_raiser_reads_the_reply_and_adds_information(world):
    concern, secret = raise_anonymously(world, category="respect")
    from counterpart.concerns.services import concern_acknowledge, concern_note

    with sending():
        concern_acknowledge(actor=world.intl_admin, concern=concern, message="We hear you.")
        concern_note(actor=world.intl_admin, concern=concern, message="Check the meeting notes.")
    browser = Client()
    _open(browser, secret)
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
    response = _open(client, "not-a-real-secret")
    assert response.status_code == 400
    assert "This code does not open any concern" in response.content.decode()
    assert client.post(reverse("concern_track"), {"message": "Hello?"}).status_code == 403
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
    response = _send(client, _intake_url(chosen))
    assert "Sign in" in response.content.decode()  # the page is already a signed-out one
    concern = Concern.objects.get()
    assert concern.raised_by is None
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("concern_mine")).status_code == 302  # to the sign-in page
    assert concern.reference in client.get(reverse("concern_track")).content.decode()


def _no_sign_out_logged(world, client, act):
    """Leaving the account behind is not a sign-out: a sign-out is logged (name, address,
    time) at the moment the concern arrives or is opened."""
    signed_out = []

    def _heard(sender, **kwargs):
        signed_out.append(kwargs)

    user_logged_out.connect(_heard)
    try:
        act()
    finally:
        user_logged_out.disconnect(_heard)
    assert signed_out == []
    assert AccessLog.objects.filter(username=world.local_editor.email).exists()
    assert not AccessLog.objects.filter(logout_time__isnull=False).exists()
    assert "_auth_user_id" not in client.session


def test_raising_anonymously_leaves_no_sign_out_in_the_access_log(world):
    chosen = open_intake(world)
    client = Client()
    _sign_in(client, world.local_editor)
    _no_sign_out_logged(world, client, lambda: _send(client, _intake_url(chosen)))
    assert Concern.objects.get().reference in client.get(reverse("concern_track")).content.decode()


def test_opening_a_code_signed_in_leaves_no_sign_out_in_the_access_log(world):
    concern, secret = raise_anonymously(world)
    client = Client()
    _sign_in(client, world.local_editor)
    page = client.get(reverse("concern_track")).content.decode()
    assert "You are signed in" in page
    _no_sign_out_logged(world, client, lambda: _open(client, secret))
    assert concern.reference in client.get(reverse("concern_track")).content.decode()


def test_the_concern_gets_a_fresh_session_that_ends_with_the_browser(world):
    """Nothing from before stays next to the concern: here, a respondent's personal link."""
    chosen = open_intake(world)
    client = Client()
    session = client.session
    session["counterpart_respondent"] = "an-earlier-respondent-key"
    session["something_else"] = "kept from before"
    session.save()
    earlier = session.session_key
    response = _send(client, _intake_url(chosen))
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # ends when the browser closes
    session = client.session
    assert session.session_key != earlier
    assert not Session.objects.filter(session_key=earlier).exists()
    assert set(session.keys()) == {"counterpart_concern", "_session_expiry"}
    assert session.get_expire_at_browser_close()
    # The same when a code is opened.
    concern, secret = raise_anonymously(world)
    session["counterpart_respondent"] = "an-earlier-respondent-key"
    session.save()
    _open(client, secret)
    assert set(client.session.keys()) == {"counterpart_concern", "_session_expiry"}
    assert client.session["counterpart_concern"] == concern.secret_hash


@pytest.mark.parametrize("how", ["raised", "opened"])
def test_signing_in_afterwards_drops_the_concern_from_the_session(world, how):
    chosen = open_intake(world)
    client = Client()
    if how == "raised":
        _send(client, _intake_url(chosen))
    else:
        _open(client, raise_anonymously(world)[1])
    assert _concern_keys(client.session)
    _sign_in(client, world.local_editor)
    assert not _concern_keys(client.session)
    assert "_session_expiry" not in client.session  # the account's session: the usual rule
    for session in Session.objects.all():
        assert not _concern_keys(session.get_decoded())
    # Signed in, the tracking page asks for the code again.
    page = client.get(reverse("concern_track")).content.decode()
    assert "Your private code" in page and "You are signed in" in page
