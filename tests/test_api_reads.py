"""Reading through the API: each person sees what the pages show them, filtered and paged,
in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from counterpart.partnerships.models import Side

from .conftest import (
    agreed_commitment,
    api_client,
    make_round,
    propose_commitment,
    released_round,
)


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_partnerships_are_seen_by_both_sides_and_nobody_else(world):
    expected = [world.partnership.pk]
    assert _ids(api_client(world.intl_viewer).get("/api/partnerships/")) == expected
    assert _ids(api_client(world.local_viewer).get("/api/partnerships/")) == expected
    assert _ids(api_client(world.outsider).get("/api/partnerships/")) == []
    outsider = api_client(world.outsider).get(f"/api/partnerships/{world.partnership.pk}/")
    assert outsider.status_code == 404
    body = api_client(world.local_viewer).get(f"/api/partnerships/{world.partnership.pk}/").json()
    assert body["title"] == "Youth protection in the camp"
    assert body["stage"] == "co_design" and body["stage_label"] == "Co-design"
    assert body["countries"] == ["KE"]
    assert {(p["organisation_name"], p["side"]) for p in body["parties"]} == {
        ("Global Aid Partners", "international"),
        ("Camp Youth Network", "local"),
    }


def test_labels_come_in_the_language_asked_for_and_codes_stay(world):
    body = api_client(world.local_viewer, language="fr").get(
        f"/api/partnerships/{world.partnership.pk}/"
    )
    assert body.json()["stage"] == "co_design"
    assert body.json()["stage_label"] == "Co-conception"


def test_lists_filter_by_what_they_hold(world):
    round_ = make_round(world)
    client = api_client(world.local_viewer)
    assert _ids(client.get("/api/rounds/?state=open")) == [round_.pk]
    assert _ids(client.get("/api/rounds/?state=released")) == []
    assert _ids(client.get(f"/api/rounds/?partnership={world.partnership.pk}")) == [round_.pk]
    assert _ids(client.get("/api/partnerships/?stage=review")) == []
    assert _ids(client.get(f"/api/partnerships/?organisation={world.local.pk}")) == [
        world.partnership.pk
    ]


def test_lists_come_in_pages(world):
    round_ = released_round(
        world, {Side.INTERNATIONAL: [{"respect_advice_intl": "4"}], Side.LOCAL: [{}]}
    )
    made = [propose_commitment(world, round_, title=f"Change number {n}").pk for n in range(7)]
    client = api_client(world.intl_viewer)
    first = client.get("/api/commitments/?page_size=3").json()
    assert first["count"] == 7 and len(first["results"]) == 3
    assert first["next"].endswith("page=2&page_size=3")
    third = client.get("/api/commitments/?page_size=3&page=3").json()
    assert len(third["results"]) == 1 and third["next"] is None
    every = [r["id"] for r in client.get("/api/commitments/?page_size=500").json()["results"]]
    assert sorted(every) == sorted(made)
    assert client.get("/api/commitments/?page=9").status_code == 404


def test_commitments_show_their_state_and_status(world):
    round_ = released_round(
        world, {Side.INTERNATIONAL: [{"respect_advice_intl": "4"}], Side.LOCAL: [{}]}
    )
    agreed = agreed_commitment(world, round_)
    body = api_client(world.local_viewer).get(f"/api/commitments/{agreed.pk}/").json()
    assert body["state"] == "active" and body["status"] == "active"
    assert body["status_label"] == "In progress"
    assert body["owner_side"] == "international" and body["round"] == round_.pk
    assert body["evidence_expected"] == "The partner's sign-off on each revision."
    assert api_client(world.outsider).get(f"/api/commitments/{agreed.pk}/").status_code == 404


def test_framework_versions_can_be_listed_and_downloaded(world):
    client = api_client(world.local_viewer)
    versions = client.get("/api/framework-versions/").json()["results"]
    builtin = next(v for v in versions if v["organisation"] is None)
    assert builtin["languages"] and builtin["default_language"]
    download = client.get(f"/api/framework-versions/{builtin['id']}/xlsform/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    sheets = load_workbook(BytesIO(download.content), read_only=True).sheetnames
    assert {"survey", "choices", "settings"} <= set(sheets)


def test_each_list_reads_a_fixed_number_of_queries(world):
    small = released_round(
        world, {Side.INTERNATIONAL: [{"respect_advice_intl": "4"}], Side.LOCAL: [{}]}
    )
    propose_commitment(world, small)
    client = api_client(world.intl_viewer)
    client.get("/api/")  # the token's first use is written down once
    urls = ["/api/partnerships/", "/api/rounds/", "/api/commitments/", "/api/organisations/"]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[url] = len(queries)
    for n in range(5):
        propose_commitment(world, small, title=f"More {n}")
        make_round(world, respondents=False, open_it=False, title=f"Round {n}")
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == counts[url], (url, counts[url], len(queries))
        assert len(queries) <= 8, url
