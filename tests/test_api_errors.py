"""Errors from the API: JSON of one shape, a status that says what went wrong, and a message
in the reader's language."""

from .conftest import api_client


def test_no_token_gives_a_json_401(world):
    response = world.client_for(None).get("/api/partnerships/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 401 and error["code"] == "not_authenticated"
    assert error["message"]


def test_messages_come_in_the_language_asked_for(world):
    for language, expected in (
        ("fr", "Introuvable, ou vous n’avez pas le droit de le voir."),
        ("es", "No se encontró, o no tiene permiso para verlo."),
        ("ar", "غير موجود، أو لا يحق لك الاطلاع عليه."),
    ):
        response = api_client(world.intl_viewer, language=language).get("/api/rounds/999/")
        assert response.status_code == 404
        assert response.json()["error"]["message"] == expected, language


def test_without_a_language_asked_for_the_persons_own_language_is_used(world):
    world.intl_viewer.language = "fr"
    world.intl_viewer.save()
    response = api_client(world.intl_viewer).get("/api/rounds/999/")
    assert response.json()["error"]["message"] == (
        "Introuvable, ou vous n’avez pas le droit de le voir."
    )


def test_our_own_messages_are_translated_too(world):
    from .conftest import make_round

    round_ = make_round(world)
    response = api_client(world.local_viewer, language="fr").get(
        f"/api/rounds/{round_.pk}/results/"
    )
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert message.startswith("Les résultats sont scellés"), message


def test_wrong_filter_values_are_named_field_by_field(world):
    client = api_client(world.intl_viewer)
    response = client.get("/api/rounds/?state=bogus&partnership=abc")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"state", "partnership"}


def test_hostile_values_change_nothing_and_break_nothing(world):
    client = api_client(world.intl_editor)
    for url in (
        "/api/flows/?country=%00%00",
        "/api/flows/?organisation=99999999999999999999999999",
        "/api/commitments/99999999999999999999999999/",
        "/api/partnerships/?organisation=-1",
        "/api/organisations/1/metrics/?year=99999&country=zz",
    ):
        response = client.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
        assert "error" in response.json()
    broken = client.post("/api/rounds/", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "parse_error"
    wrong_type = client.post("/api/rounds/", "title=x", content_type="text/plain")
    assert wrong_type.status_code == 415


def test_a_get_only_endpoint_refuses_other_methods(world):
    response = api_client(world.intl_admin).delete(f"/api/organisations/{world.intl.pk}/")
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405
