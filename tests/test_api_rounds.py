"""Running a round through the API: prepare, ask people, accept, open, close, read results."""

import datetime

from django.core import mail
from django.utils import timezone

from counterpart.assessments.models import Round
from counterpart.audit.models import AuditEvent
from counterpart.partnerships.models import Side

from .conftest import api_client, builtin_version, make_pooled_round, sending, submit_answers


def _new_round(world, client, **changes):
    today = timezone.localdate()
    body = {
        "kind": "partnership",
        "organisation": world.intl.pk,
        "partnership": world.partnership.pk,
        "title": "Mid-term check",
        "stage": "implementation",
        "framework_version": builtin_version().pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=10)).isoformat(),
        "privacy": "organisation",
        **changes,
    }
    return client.post("/api/rounds/", body, content_type="application/json")


def test_a_partnership_round_runs_from_preparation_to_results(world):
    intl, local = api_client(world.intl_editor), api_client(world.local_editor)
    response = _new_round(world, intl)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "draft" and created["state_label"] == "Being prepared"
    round_id = created["id"]
    assert AuditEvent.objects.filter(action="round_create", object_id=str(round_id)).exists()

    for client, side, email in (
        (intl, "international", "amira@intl.example.org"),
        (local, "local", "joseph@local.example.org"),
    ):
        added = client.post(
            f"/api/rounds/{round_id}/respondents/",
            {"side": side, "email": email, "language": "ar" if side == "local" else "en"},
            content_type="application/json",
        )
        assert added.status_code == 201, added.content
        assert added.json()["email"] == email

    # The other side has not accepted the settings yet.
    refused = intl.post(f"/api/rounds/{round_id}/open/")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "Both sides must accept the settings before the round opens."
    )
    accepted = local.post(
        f"/api/rounds/{round_id}/accept/", {"side": "local"}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
    with sending():
        opened = intl.post(f"/api/rounds/{round_id}/open/")
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    assert sorted(m.to[0] for m in mail.outbox[-2:]) == [
        "amira@intl.example.org",
        "joseph@local.example.org",
    ]

    # Sealed until both sides have answered or the round closes.
    sealed = local.get(f"/api/rounds/{round_id}/results/")
    assert sealed.status_code == 403
    assert sealed.json()["error"]["message"].startswith("The results are sealed")

    round_ = Round.objects.get(pk=round_id)
    for respondent in round_.respondents.all():
        values = (
            {"respect_advice_intl": "5", "respect_time_intl": "4"}
            if respondent.side == Side.INTERNATIONAL
            else {"respect_advice_local": "2"}
        )
        submit_answers(respondent, values)
    closed = intl.post(f"/api/rounds/{round_id}/close/")
    # Both answered, so the round closed and released on its own; closing again is refused.
    assert closed.status_code == 400
    assert closed.json()["error"]["message"] == "Only an open round can be closed."
    detail = local.get(f"/api/rounds/{round_id}/").json()
    assert detail["state"] == "released" and detail["response_count"] == 2

    results = local.get(f"/api/rounds/{round_id}/results/").json()
    respect = next(e for e in results["elements"] if e["code"] == "respect")
    assert respect["scores"] == [
        {"side": "international", "score": 87.5, "answers": 2},
        {"side": "local", "score": 25.0, "answers": 1},
    ]
    assert respect["gap"] == {"points": 62.5, "flagged": True}
    assert {"side": "local", "responses": 1} in results["responses"]


def test_closing_an_open_round_early_releases_it(world):
    from .conftest import make_round

    round_ = make_round(world)
    response = api_client(world.local_editor).post(f"/api/rounds/{round_.pk}/close/")
    assert response.status_code == 200
    assert response.json()["state"] == "released"


def test_a_viewer_cannot_prepare_or_run_a_round(world):
    viewer = api_client(world.intl_viewer)
    response = _new_round(world, viewer)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Round.objects.exists()


def test_an_outsider_cannot_use_another_partnership_or_organisation(world):
    outsider = api_client(world.outsider)
    response = _new_round(world, outsider, organisation=world.other.pk)
    assert response.status_code == 404
    response = _new_round(world, outsider)
    assert response.status_code == 404
    assert not Round.objects.exists()


def test_wrong_values_get_field_messages_and_change_nothing(world):
    client = api_client(world.intl_editor)
    response = _new_round(
        world, client, closes_on="2020-01-01", stage="nonsense", title="", framework_version=0
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) >= {"stage", "title", "framework_version"}
    response = _new_round(world, client, closes_on="2001-01-01", opens_on="2001-01-10")
    assert response.status_code == 400
    assert not Round.objects.exists()
    response = _new_round(world, client, kind="partnership", partnership=None)
    assert response.json()["error"]["fields"]["partnership"] == [
        "A partnership round needs its partnership."
    ]


def test_a_partner_feedback_round_under_k_shows_only_its_count(world):
    round_ = make_pooled_round(world, people=5, threshold=5)
    for respondent in list(round_.respondents.all())[:2]:
        submit_answers(respondent, {"respect_advice_local": "3"})
    client = api_client(world.intl_editor)
    closed = client.post(f"/api/rounds/{round_.pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed" and closed.json()["response_count"] == 2
    results = client.get(f"/api/rounds/{round_.pk}/results/")
    assert results.status_code == 403
    assert "respect" not in results.content.decode()


def test_a_partner_feedback_round_is_made_for_the_organisation(world):
    today = timezone.localdate()
    response = api_client(world.intl_editor).post(
        "/api/rounds/",
        {
            "kind": "pooled",
            "organisation": world.intl.pk,
            "title": "What our partners think",
            "framework_version": builtin_version().pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            "threshold": 4,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "pooled" and body["privacy"] == "anonymous"
    assert body["threshold"] == 4 and body["partnership"] is None
    # The partner organisation's people do not see the organisation's own feedback rounds.
    listed = api_client(world.local_admin).get("/api/rounds/").json()
    assert body["id"] not in [r["id"] for r in listed["results"]]
