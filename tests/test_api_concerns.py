"""Concerns through the API: only those who handle them on the pages see them."""

from .conftest import api_client, open_intake, raise_anonymously, raise_concern


def _references(user, query=""):
    response = api_client(user).get(f"/api/concerns/{query}")
    assert response.status_code == 200
    return sorted(c["reference"] for c in response.json()["results"])


def test_without_named_focal_points_the_admins_handle_every_concern(world):
    funding = raise_concern(world, category="funding")
    safeguarding = raise_concern(world, category="safeguarding")
    assert _references(world.intl_admin) == sorted([funding.reference, safeguarding.reference])
    for person in (world.intl_editor, world.intl_viewer, world.outsider, world.local_admin):
        assert _references(person) == [], person.email
    # The person who raised a concern follows it on the site, not through this list.
    assert _references(world.local_editor) == []


def test_named_focal_points_alone_see_safeguarding_and_fraud(world):
    open_intake(world, focal_points=[world.intl.memberships.get(user=world.intl_viewer)])
    funding = raise_concern(world, category="funding")
    fraud = raise_concern(world, category="fraud")
    assert _references(world.intl_viewer) == sorted([funding.reference, fraud.reference])
    assert _references(world.intl_admin) == [funding.reference]
    refused = api_client(world.intl_admin).get(f"/api/concerns/{fraud.pk}/")
    assert refused.status_code == 404


def test_an_anonymous_concern_shows_nothing_of_who_raised_it(world):
    concern, secret = raise_anonymously(world, category="respect")
    body = api_client(world.intl_admin).get(f"/api/concerns/{concern.pk}/").json()
    assert body["raised_by"] is None
    assert body["category"] == "respect" and body["status"] == "received"
    assert secret not in str(body) and "secret" not in str(body)


def test_concerns_filter_by_status_and_category(world):
    raise_concern(world, category="funding")
    respect = raise_concern(world, category="respect")
    assert _references(world.intl_admin, "?category=respect") == [respect.reference]
    assert _references(world.intl_admin, "?status=resolved") == []
    signed = api_client(world.intl_admin).get(f"/api/concerns/{respect.pk}/").json()
    assert signed["raised_by"] == world.local_editor.email
