"""The same form sent twice at the same moment (a double click, two copies of a tab), each
request on its own database connection, stores once: the later request waits for the first
and answers with what it stored."""

import time

import pytest
from django.db import OperationalError, connection
from django.test import Client

from counterpart.common import services as common_services

from .concurrency import together
from .conftest import sending
from .forms_sent_twice import FORMS, key_in

pytestmark = pytest.mark.django_db(transaction=True)


def _together(calls):
    return together(calls, expected=(OperationalError,))


@pytest.fixture
def slow_first(monkeypatch):
    """The first request holds its transaction open a moment after storing, so that the other
    one surely arrives while it runs."""
    real = common_services.seal

    def seal(key, secret):
        time.sleep(0.4)
        return real(key, secret)

    monkeypatch.setattr(common_services, "seal", seal)
    looked = []
    found = common_services._found

    def counted(key, digested):
        looked.append(digested)
        return found(key, digested)

    monkeypatch.setattr(common_services, "_found", counted)
    return looked


@pytest.mark.parametrize("make", FORMS, ids=lambda make: make.__name__)
def test_the_same_form_sent_twice_at_once_stores_once(world, make, slow_first):
    form = make(world)
    clients = [
        world.client_for(form.sender) if form.sender is not None else Client() for _n in (1, 2)
    ]
    key = key_in(clients[0].get(form.page).content.decode())
    before = form.stored()

    def send(client):
        def call():
            with sending():
                return client.post(form.url, {**form.data, "submission_key": key})

        return call

    outcomes = _together([send(client) for client in clients])
    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database refuses a request that meets another's
        # lock at once, instead of waiting: never two, but one or both may be refused.
        assert form.stored() - before in (0, 1)
        return
    assert form.stored() == before + 1
    # Both looked for the key before either had stored it; the later one looked again once
    # its own claim on the key had waited for the first request to end.
    assert len(slow_first) == 3
    # Neither request failed: the later one waited and got what the first stored.
    assert not any(isinstance(o, OperationalError) for o in outcomes), outcomes
    assert {o.status_code for o in outcomes} <= {200, 201, 302}, outcomes
    assert outcomes[0].status_code == outcomes[1].status_code
    if form.redirects:
        assert outcomes[0]["Location"] == outcomes[1]["Location"]
    else:
        # Both answers show the same secret: the private code, or the token's key.
        shown = [o.content.decode().split("<code")[1].split("</code>")[0] for o in outcomes]
        assert shown[0] == shown[1]
