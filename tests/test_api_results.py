"""A round's results through the API hold what the results page shows, and no more: the person
behind an answer only in named rounds, no numbers in conversation mode."""

from counterpart.partnerships.models import Side

from .conftest import api_client, released_feedback_round, released_round

INTERNATIONAL = {
    "respect_advice_intl": "5",
    "check_implementation_checkins": "done",
    "check_implementation_checkins_note": "Monthly calls since March.",
}
LOCAL = {"respect_advice_local": "2", "check_implementation_checkins": "partly"}


def _results(world, round_, user=None, query=""):
    response = api_client(user or world.local_viewer).get(
        f"/api/rounds/{round_.pk}/results/{query}"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _practice(results):
    return next(p for p in results["practices"] if p["name"] == "check_implementation_checkins")


def test_pairs_hold_both_statements_their_scores_and_the_gap(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    results = _results(world, round_)
    pair = next(p for p in results["pairs"] if p["code"] == "respect_advice")
    assert {s["side"] for s in pair["statements"]} == {"international", "local"}
    assert pair["scores"] == [
        {"side": "international", "score": 100.0, "answers": 1},
        {"side": "local", "score": 25.0, "answers": 1},
    ]
    assert pair["gap"] == {"points": 75.0, "flagged": True}
    local = next(d for d in pair["distribution"] if d["side"] == "local")
    assert {"value": "2", "label": "Disagree", "count": 1} in local["counts"]
    practice = _practice(results)
    assert practice["score"] == 75.0  # done (100) and partly (50)


def test_named_rounds_say_who_wrote_a_comment(world):
    round_ = released_round(
        world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]}, privacy="named"
    )
    comments = _practice(_results(world, round_))["comments"]
    assert comments == [
        {"side": "international", "who": "Amira Haddad", "text": "Monthly calls since March."}
    ]


def test_organisation_rounds_give_the_side_but_never_the_person(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    results = _results(world, round_)
    assert _practice(results)["comments"] == [
        {"side": "international", "who": "", "text": "Monthly calls since March."}
    ]
    assert "Amira" not in str(results) and "amira@" not in str(results)


def test_conversation_mode_leaves_every_number_out(world):
    round_ = released_round(
        world,
        {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]},
        conversation_mode=True,
    )
    results = _results(world, round_)
    assert results["conversation_mode"] is True
    for row in results["elements"] + results["pairs"]:
        assert row["scores"] is None and row["gap"] is None
    assert all(p["distribution"] is None for p in results["pairs"])
    assert _practice(results)["score"] is None and _practice(results)["counts"] is None
    # The statements and comments themselves stay, as on the page.
    assert _practice(results)["comments"][0]["text"] == "Monthly calls since March."


def test_questionnaire_text_comes_in_the_language_asked_for(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    results = _results(world, round_, query="?lang=ar")
    assert results["language"] == "ar"
    respect = next(e for e in results["elements"] if e["code"] == "respect")
    assert respect["title"] == "الاحترام المتبادل"


def test_partner_feedback_results_once_k_is_reached_have_one_side_and_no_gap(world):
    round_ = released_feedback_round(world.intl, world.intl_editor, {"respect_advice_local": "4"})
    results = _results(world, round_, user=world.intl_viewer)
    respect = next(e for e in results["elements"] if e["code"] == "respect")
    assert respect["scores"] == [{"side": "local", "score": 75.0, "answers": 3}]
    assert respect["gap"] is None
    # The partner organisations' people do not see the feedback about the organisation.
    refused = api_client(world.local_viewer).get(f"/api/rounds/{round_.pk}/results/")
    assert refused.status_code == 404
