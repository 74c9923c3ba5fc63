"""Who may do what with feedback convened by partners, on every page of a round: the local
organisation that convened it (its editors run it; its members see counts), the funder it is
about (its members read the round and, once shown, the results; nobody there changes
anything), and everyone else (404)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from counterpart.assessments.models import RoundState

from .conftest import (
    api_client,
    convened_round,
    join_convened,
    partner_organisations,
    released_convened_round,
    sending,
)
from .test_permissions import VISITORS


def _draft(w):
    return convened_round(w)


def _open(w):
    from counterpart.assessments import services

    round_ = convened_round(w)
    join_convened(w, round_, partner_organisations(w, 2))
    with sending():
        services.round_open(actor=w.local_editor, round_=round_)
    return round_


def _round(builder):
    return lambda w: {"round_id": builder(w).pk}


def _convener_respondent(w):
    round_ = _draft(w)
    return {"round_id": round_.pk, "respondent_id": round_.respondents.first().pk}


SEES = "login 404 200 200 200 200 200 200"
FUNDER_READS = "login 404 200 200 200 404 404 404"
CONVENER_RUNS = "login 404 403 403 403 403 302 302"

# name: (method, kwargs builder, POST data, expected codes for VISITORS in order)
PAGES = {
    "round_detail": ("get", _round(_draft), None, SEES),
    "round_edit": ("get", _round(_draft), None, "login 404 403 403 403 403 200 200"),
    "round_open": ("post", _round(_draft), {}, CONVENER_RUNS),
    "round_close": ("post", _round(_open), {}, CONVENER_RUNS),
    "round_extend": (
        "post",
        _round(_open),
        {"closes_on": (date.today() + timedelta(days=60)).isoformat()},
        CONVENER_RUNS,
    ),
    # The convener never sees the funder's list of partners: it is sent back to the round.
    "round_partners": ("get", _round(_draft), None, CONVENER_RUNS),
    # Nobody types addresses: the funder is refused, the convener's form is sent back.
    "respondent_add": (
        "post",
        _round(_draft),
        {"name": "Planted", "email": "planted@example.org", "language": "en"},
        "login 404 403 403 403 403 400 400",
    ),
    "respondent_remove": ("post", _convener_respondent, {}, CONVENER_RUNS),
    "convened_invite": ("get", _round(_draft), None, "login 404 403 403 403 403 200 200"),
    "round_publish": (
        "post",
        _round(_draft),
        {"publish": "on"},
        "login 404 403 403 302 403 403 403",
    ),
    # Results: the funder's members only, once shown.
    "round_results": ("get", _round(released_convened_round), None, FUNDER_READS),
    "dialogue_guide": ("get", _round(released_convened_round), None, FUNDER_READS),
    "round_report_pdf": ("get", _round(released_convened_round), None, FUNDER_READS),
    # The funder reads, and writes no meeting notes in a round it does not run.
    "dialogue_note": (
        "post",
        _round(released_convened_round),
        {"topic": "respect_advice", "notes": "We spoke.", "next_steps": ""},
        "login 404 403 403 403 404 404 404",
    ),
}

CASES = [
    (name, visitor, expected)
    for name, (_m, _k, _d, codes) in PAGES.items()
    for visitor, expected in zip(VISITORS, codes.split(), strict=True)
]


@pytest.mark.parametrize(("name", "visitor", "expected"), CASES)
def test_convened_round_pages(world, name, visitor, expected):
    method, kwargs_for, data, _codes = PAGES[name]
    kwargs = kwargs_for(world)
    round_id = kwargs["round_id"]
    from counterpart.assessments.models import Round

    before = Round.objects.filter(pk=round_id).values().get()
    asked = Round.objects.get(pk=round_id).respondents.filter(removed_at__isnull=True).count()
    url = reverse(name, kwargs=kwargs)
    user = None if visitor == "anonymous" else getattr(world, visitor)
    response = getattr(world.client_for(user), method)(url, data or {})
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == int(expected), (visitor, url, response.status_code)
    if expected != "302" and method == "post":
        # A refusal changes nothing.
        assert Round.objects.filter(pk=round_id).values().get() == before
        round_ = Round.objects.get(pk=round_id)
        assert round_.respondents.filter(removed_at__isnull=True).count() == asked


@pytest.mark.parametrize(
    ("visitor", "expected"),
    list(zip(VISITORS[1:], [404, 200, 200, 200, 404, 404, 404], strict=True)),
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_convened_results_downloads(world, visitor, expected, fmt):
    round_ = released_convened_round(world)
    client = world.client_for(getattr(world, visitor))
    for name in ("export_round_results", "export_round_responses"):
        url = reverse(name, kwargs={"round_id": round_.pk, "fmt": fmt})
        assert client.get(url).status_code == expected, (name, visitor)


@pytest.mark.parametrize(
    ("visitor", "detail", "results", "close"),
    [
        ("outsider", 404, 404, 404),
        ("intl_viewer", 200, 200, 403),
        ("intl_admin", 200, 200, 403),
        ("local_viewer", 200, 404, 403),
        ("local_editor", 200, 404, 400),
    ],
)
def test_convened_round_through_the_api(world, visitor, detail, results, close):
    released = released_convened_round(world)
    client = api_client(getattr(world, visitor))
    assert client.get(f"/api/rounds/{released.pk}/").status_code == detail
    assert client.get(f"/api/rounds/{released.pk}/results/").status_code == results
    # Closing again: refused to the funder (403); to the convener, only because it is closed.
    response = client.post(f"/api/rounds/{released.pk}/close/", {}, content_type="application/json")
    assert response.status_code == close
    released.refresh_from_db()
    assert released.state == RoundState.RELEASED
