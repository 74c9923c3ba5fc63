"""Each person's requests to the API are counted, and beyond the rate they wait."""

from rest_framework.throttling import UserRateThrottle

from .conftest import api_client


def test_past_the_rate_the_api_answers_429_with_when_to_try_again(world, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/hour"})
    client = api_client(world.intl_viewer)
    codes = [client.get("/api/organisations/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/organisations/")
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["status"] == 429
    # Another person is counted apart.
    assert api_client(world.local_viewer).get("/api/organisations/").status_code == 200


def test_the_default_rate_allows_ordinary_use(world):
    client = api_client(world.intl_viewer)
    assert all(client.get("/api/rounds/").status_code == 200 for _ in range(30))
