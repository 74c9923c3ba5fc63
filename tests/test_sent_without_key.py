"""A form sent without a one-time key (a page from before keys, a script) works as before: it
stores what it creates, and keeps no key."""

import pytest
from django.test import Client

from counterpart.common.models import SubmissionKey

from .conftest import sending
from .forms_sent_twice import ALREADY, FORMS


@pytest.mark.parametrize("make", FORMS, ids=lambda make: make.__name__)
def test_a_form_without_a_key_stores_as_before(world, make):
    form = make(world)
    client = world.client_for(form.sender) if form.sender is not None else Client()
    before = form.stored()
    with sending():
        response = client.post(form.url, form.data)
    assert response.status_code in (200, 201, 302), response.content.decode()[:3000]
    assert form.stored() == before + 1
    assert not SubmissionKey.objects.exists()
    if response.status_code == 302:
        assert ALREADY not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("key", ["", "short", "not a key at all, with spaces!" * 2])
def test_a_key_that_could_not_have_been_made_here_is_ignored(world, key):
    from .forms_sent_twice import flow_create

    form = flow_create(world)
    client = world.client_for(form.sender)
    for _time in range(2):
        assert client.post(form.url, {**form.data, "submission_key": key}).status_code == 302
    assert form.stored() == 2
    assert not SubmissionKey.objects.exists()
