"""A form's one-time key counts only for the person who was shown the form, on that form: a
key copied by someone else, or to another form, finds nothing and reveals nothing."""

import pytest

from counterpart.common.models import SubmissionKey
from counterpart.common.submissions import digest

from .conftest import sending
from .forms_sent_twice import ALREADY, FORMS, concern_raise, flow_create, key_in

SIGNED_IN = [make for make in FORMS if make.__name__ != "concern_intake"]


def _send(client, url, data, key):
    with sending():
        return client.post(url, {**data, "submission_key": key})


@pytest.mark.parametrize("make", SIGNED_IN, ids=lambda make: make.__name__)
def test_a_key_sent_by_another_person_does_not_return_the_first_ones(world, make):
    form = make(world)
    first_client = world.client_for(form.sender)
    key = key_in(first_client.get(form.page).content.decode())
    first = _send(first_client, form.url, form.data, key)
    before = form.stored()
    other_client = world.client_for(form.other_sender)
    other = _send(other_client, form.url, form.data, key)
    if other.status_code == 400:
        # The form refuses the same thing twice (one proposal per organisation), as it did
        # before keys; what matters is that the first person's answer is not given.
        assert form.stored() == before
    else:
        assert form.stored() == before + 1
    text = other.content.decode()
    if other.status_code == 302:
        assert other["Location"] != first["Location"] or form.name in (
            "commitment_report",
            "party_propose",
            "flow_create",
        )
        text = other_client.get(other["Location"]).content.decode()
    assert ALREADY not in text
    if not form.redirects:
        # The page that shows a secret once shows the other person's own, never the first one's.
        assert first.content.decode().split("<code")[1][:80] not in text


def test_a_key_from_one_form_sent_with_another_form_finds_nothing(world):
    from counterpart.api.models import ApiToken

    from .forms_sent_twice import api_token_create

    flow = flow_create(world)
    client = world.client_for(world.intl_editor)
    key = key_in(client.get(flow.page).content.decode())
    assert _send(client, flow.url, flow.data, key).status_code == 302
    # The same person sends the same key with another form: it stores what that form makes.
    token = api_token_create(world)
    made = _send(client, token.url, token.data, key)
    assert made.status_code == 201
    assert ALREADY not in made.content.decode()
    assert ApiToken.objects.count() == 1 and flow.stored() == 1
    # And someone else with another form of their own: the same.
    raising = concern_raise(world)
    local = world.client_for(raising.sender)
    assert _send(local, raising.url, raising.data, key).status_code == 302
    assert raising.stored() == 1


def test_the_key_of_an_unnamed_concern_is_stored_without_any_trace_of_who(world):
    from django.test import Client

    from .forms_sent_twice import concern_intake

    form = concern_intake(world)
    # Signed in: the form still ties its key to nobody.
    client = world.client_for(world.local_editor)
    key = key_in(client.get(form.page).content.decode())
    page = _send(client, form.url, form.data, key).content.decode()
    code = page.split('class="long-link"><code>')[1].split("</code>")[0]
    row = SubmissionKey.objects.get()
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert key not in stored and code not in stored
    assert row.digest == digest(key, f"@{form.url}")  # the address only, nobody's account
    fields = {field.name for field in SubmissionKey._meta.get_fields()}
    assert not fields & {"user", "session", "address", "organisation"}
    # Sent again by anyone with the same page (signed in or not), it is the same concern.
    again = _send(Client(), form.url, form.data, key).content.decode()
    assert code in again
    assert form.stored() == 1
