"""Personal API tokens: made on a page, shown once, stored only as a hash, revoked at will."""

import datetime

from django.urls import reverse
from django.utils import timezone

from counterpart.api.models import ApiToken, hash_key
from counterpart.api.services import api_token_create
from counterpart.audit.models import AuditEvent

from .conftest import api_client, make_user


def _make(client, **data):
    return client.post(reverse("api_tokens"), {"name": "Monthly report", **data})


def test_a_member_makes_a_token_that_is_shown_once_and_stored_as_a_hash(world):
    client = world.client_for(world.local_editor)
    response = _make(client)
    assert response.status_code == 201
    html = response.content.decode()
    key = html.split('<code class="token-key">')[1].split("</code>")[0]
    assert key.startswith("cpt_") and len(key) > 40
    token = ApiToken.objects.get(user=world.local_editor)
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert token.start == key[:10]
    assert AuditEvent.objects.filter(action="api_token_create", actor=world.local_editor).exists()
    # The list afterwards names it but never shows the key again.
    again = client.get(reverse("api_tokens")).content.decode()
    assert "Monthly report" in again and key not in again and token.start in again
    assert key not in str(dict(client.session))
    # And the key works.
    answer = client.get("/api/organisations/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200


def test_the_token_acts_as_its_person_and_no_one_else(world):
    response = api_client(world.local_viewer).get("/api/organisations/")
    names = [o["name"] for o in response.json()["results"]]
    assert names == ["Camp Youth Network"]
    assert [
        o["name"] for o in api_client(world.outsider).get("/api/organisations/").json()["results"]
    ] == ["Unrelated Relief"]


def test_a_revoked_token_stops_working_at_once(world):
    token, key = api_token_create(actor=world.intl_viewer, name="Warehouse")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = world.client_for(world.intl_viewer)
    assert client.get("/api/organisations/", **headers).status_code == 200
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = world.client_for(None).get("/api/organisations/", **headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "This token was revoked or has expired."
    assert AuditEvent.objects.filter(action="api_token_revoke").count() == 1


def test_a_token_can_be_revoked_through_the_api_too(world):
    token, key = api_token_create(actor=world.intl_viewer, name="Script")
    client = world.client_for(None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get("/api/tokens/", **headers).json()["results"]
    assert [t["name"] for t in listed] == ["Script"] and "key_hash" not in listed[0]
    assert client.delete(f"/api/tokens/{token.pk}/", **headers).status_code == 204
    assert client.get("/api/tokens/", **headers).status_code == 401


def test_nobody_revokes_another_persons_token(world):
    token, key = api_token_create(actor=world.intl_viewer, name="Mine")
    response = world.client_for(world.intl_admin).post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    other = api_client(world.intl_admin)
    assert other.delete(f"/api/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(world):
    token, key = api_token_create(
        actor=world.intl_viewer,
        name="Short",
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = world.client_for(None).get("/api/organisations/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_a_past_expiry_date_is_refused_with_a_message_and_nothing_made(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = _make(world.client_for(world.intl_viewer), expires_on=yesterday.isoformat())
    assert response.status_code == 400
    assert "Choose a day after today." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_people_with_no_organisation_cannot_make_tokens(db):
    from django.test import Client

    loner = make_user("loner@example.org")
    client = Client()
    client.force_login(loner)
    page = client.get(reverse("api_tokens")).content.decode()
    assert "Tokens are for members of an organisation." in page
    response = _make(client)
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_forged_or_malformed_token_is_refused(world):
    client = world.client_for(None)
    for header in ("Bearer cpt_forged", "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"):
        response = client.get("/api/organisations/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["error"]["status"] == 401
        assert response["WWW-Authenticate"] == "Bearer"


def test_the_time_of_last_use_is_kept(world):
    token, key = api_token_create(actor=world.intl_viewer, name="Used")
    assert token.last_used_at is None
    world.client_for(None).get("/api/organisations/", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at is not None
