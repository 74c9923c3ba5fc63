"""Pages that hold people's answers are kept by no cache, neither a proxy's nor the browser's:
the results page, the dialogue guide, the pages a respondent answers on, the partnership page,
the round report, the downloads and the API's results all send `Cache-Control: private,
no-store`, as the downloads always did."""

import pytest
from django.urls import reverse

from counterpart.partnerships.models import Side

from .conftest import api_client, make_round, released_round, respondent_client
from .export_reading import export_url

ANSWERS = {
    Side.INTERNATIONAL: [{"respect_advice_intl": "5"}],
    Side.LOCAL: [{"respect_advice_local": "2"}],
}


def directives(response) -> set:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


def assert_private(response):
    assert {"private", "no-store"} <= directives(response), response.get("Cache-Control")
    assert "public" not in directives(response)


@pytest.mark.parametrize(
    "url",
    [
        lambda round_, world: reverse("round_results", args=[round_.pk]),
        lambda round_, world: reverse("dialogue_guide", args=[round_.pk]),
        lambda round_, world: reverse("partnership_detail", args=[world.partnership.pk]),
        lambda round_, world: reverse("round_report_pdf", args=[round_.pk]),
        lambda round_, world: export_url("export_round_responses", "csv", round_id=round_.pk),
        lambda round_, world: export_url("export_round_results", "xlsx", round_id=round_.pk),
    ],
    ids=["results", "dialogue_guide", "partnership", "report", "responses", "results_file"],
)
def test_the_pages_with_answers_are_kept_by_no_cache(world, url):
    round_ = released_round(world, ANSWERS, privacy="named")
    response = world.client_for(world.local_viewer).get(url(round_, world))
    assert response.status_code == 200
    assert_private(response)


def test_the_exact_header_is_the_one_the_downloads_send(world):
    round_ = released_round(world, ANSWERS)
    client = world.client_for(world.intl_viewer)
    download = client.get(export_url("export_round_responses", "csv", round_id=round_.pk))
    page = client.get(reverse("round_results", args=[round_.pk]))
    assert download["Cache-Control"] == page["Cache-Control"] == "private, no-store"


def test_a_sealed_round_and_a_refused_note_are_not_kept_either(world):
    round_ = make_round(world, privacy="named")
    client = world.client_for(world.intl_editor)
    sealed = client.get(reverse("round_results", args=[round_.pk]))
    assert sealed.status_code == 403
    assert_private(sealed)
    assert_private(client.get(reverse("dialogue_guide", args=[round_.pk])))
    released = released_round(world, ANSWERS)
    refused = client.post(reverse("dialogue_note", args=[released.pk]), {"topic": "nowhere"})
    assert refused.status_code == 400
    assert_private(refused)


def test_the_pages_a_respondent_answers_on_are_kept_by_no_cache(world):
    round_ = make_round(world)
    client = respondent_client(round_.respondents.get(side=Side.LOCAL))
    for url in ("/respond/start/", "/respond/page/1/", "/respond/review/"):
        if url != "/respond/start/":
            client.post("/respond/start/", {"language": "en"})
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(response)


def test_the_apis_results_are_kept_by_no_cache(world):
    round_ = released_round(world, ANSWERS)
    response = api_client(world.local_viewer).get(f"/api/rounds/{round_.pk}/results/")
    assert response.status_code == 200
    assert_private(response)
