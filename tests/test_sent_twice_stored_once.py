"""A form that creates something, sent twice with the same page (a reload of the answer, a
double click, a copy of the tab), stores once: the second sending gets what the first stored."""

import pytest
from django.test import Client

from counterpart.common.models import SubmissionKey

from .conftest import sending
from .forms_sent_twice import ALREADY, FORMS, key_in


def _client(world, user):
    return world.client_for(user) if user is not None else Client()


def _send(client, form, key):
    with sending():
        return client.post(form.url, {**form.data, "submission_key": key})


@pytest.mark.parametrize("make", FORMS, ids=lambda make: make.__name__)
def test_a_form_sent_twice_stores_once(world, make):
    form = make(world)
    client = _client(world, form.sender)
    key = key_in(client.get(form.page).content.decode())
    before = form.stored()
    first = _send(client, form, key)
    assert first.status_code in (200, 201, 302), first.content.decode()[:3000]
    assert form.stored() == before + 1
    if form.name == "concern_intake":
        # The first answer ended the session; the browser sends the same form again.
        client = Client()
    second = _send(client, form, key)
    assert form.stored() == before + 1
    assert second.status_code == first.status_code
    if form.redirects:
        assert second["Location"] == first["Location"]
        assert ALREADY in client.get(second["Location"]).content.decode()
    else:
        assert ALREADY in second.content.decode()
    assert SubmissionKey.objects.count() == 1


def test_an_unnamed_concern_sent_twice_shows_the_same_private_code(world):
    from .forms_sent_twice import concern_intake

    form = concern_intake(world)
    key = key_in(Client().get(form.url).content.decode())
    first = _send(Client(), form, key).content.decode()
    second = _send(Client(), form, key).content.decode()
    code = first.split('class="long-link"><code>')[1].split("</code>")[0]
    assert code and code in second
    reference = first.split("<strong>")[1].split("</strong>")[0]
    assert reference in second
    # The second browser follows the concern as the first would have.
    assert (
        "We were told not to speak"
        in Client().post("/concerns/track/open/", {"code": code}, follow=True).content.decode()
    )


def test_a_token_made_twice_shows_the_same_key(world):
    from counterpart.api.models import ApiToken

    from .forms_sent_twice import api_token_create

    form = api_token_create(world)
    client = world.client_for(form.sender)
    key = key_in(client.get(form.page).content.decode())
    first = _send(client, form, key).content.decode()
    second = _send(client, form, key).content.decode()
    token = ApiToken.objects.get()
    shown = [word for word in first.split() if token.start in word]
    assert shown and shown[0] in second


def test_a_form_whose_first_sending_failed_can_be_corrected_and_sent(world):
    from .forms_sent_twice import concern_raise

    form = concern_raise(world)
    client = world.client_for(form.sender)
    key = key_in(client.get(form.page).content.decode())
    refused = client.post(form.url, {**form.data, "description": "", "submission_key": key})
    assert refused.status_code == 400
    assert not SubmissionKey.objects.exists()
    assert _send(client, form, key).status_code == 302
    assert form.stored() == 1


def test_a_form_sent_again_after_what_it_stored_was_removed_says_so(world):
    from counterpart.funding.models import Flow

    from .forms_sent_twice import flow_create

    form = flow_create(world)
    client = world.client_for(form.sender)
    key = key_in(client.get(form.page).content.decode())
    assert _send(client, form, key).status_code == 302
    flow = Flow.objects.get()
    client.post(f"/organisations/{world.intl.pk}/funding/flows/{flow.pk}/delete/")
    again = _send(client, form, key)
    assert again.status_code == 400
    assert "what it stored has since been removed" in again.content.decode()
    assert not Flow.objects.exists()
    # The page it shows carries a new key: sent with it, the flow is stored.
    assert _send(client, form, key_in(again.content.decode())).status_code == 302
    assert Flow.objects.count() == 1
