"""The next round of the same partnership opens with “What we said we would do”: both sides say
whether each commitment happened and made a difference, and the results show where each stands."""

from django.urls import reverse

from counterpart.assessments.services import round_close
from counterpart.commitments import services
from counterpart.commitments.models import FollowUp, FollowUpAnswer

from .conftest import (
    agreed_commitment,
    make_pooled_round,
    make_round,
    propose_commitment,
    released_round,
    respondent_client,
    submit_answers,
)


def _first_round(world):
    return released_round(world, {"international": [{}], "local": [{}]}, title="First check")


def test_the_next_round_asks_both_sides_about_each_agreed_commitment(world):
    first = _first_round(world)
    kept = agreed_commitment(world, first, title="Share budget revisions first")
    agreed_commitment(world, first, title="Joint field visits")
    propose_commitment(world, first, title="Only proposed, never agreed")
    services.commitment_report(actor=world.intl_editor, commitment=kept, done=True, note="Done")
    services.commitment_confirm(actor=world.local_editor, commitment=kept)

    second = make_round(world, title="Second check")
    asked = set(FollowUp.objects.filter(round=second).values_list("commitment__title", flat=True))
    assert asked == {"Share budget revisions first", "Joint field visits"}

    local = second.respondents.get(side="local")
    client = respondent_client(local)
    client.post("/respond/start/", {"language": "en"})
    page = client.get("/respond/page/1/").content.decode()
    assert "What we said we would do" in page
    assert "Share budget revisions first" in page
    assert "Did it make a difference?" in page
    assert "Only proposed, never agreed" not in page
    field = f"followup_{kept.pk}"
    response = client.post(
        "/respond/page/1/",
        {
            f"{field}_happened": "yes",
            f"{field}_difference": "a_lot",
            f"{field}_note": "Budgets now reach us first.",
        },
    )
    assert response.status_code == 302
    review = client.get("/respond/review/").content.decode()
    assert "Budgets now reach us first." in review
    client.post("/respond/review/")
    stored = FollowUpAnswer.objects.get()
    assert (stored.commitment, stored.side, stored.happened, stored.difference) == (
        kept,
        "local",
        "yes",
        "a_lot",
    )

    round_close(actor=world.intl_editor, round_=second)
    results = world.client_for(world.intl_viewer).get(reverse("round_results", args=[second.pk]))
    text = results.content.decode()
    assert "What we said we would do" in text
    assert "Kept: 1" in text and "In progress: 1" in text
    assert "Yes (1)" in text and "A lot (1)" in text
    assert "Budgets now reach us first." in text


def test_a_wrong_follow_up_value_is_refused_on_the_page(world):
    first = _first_round(world)
    commitment = agreed_commitment(world, first)
    second = make_round(world, title="Second check")
    client = respondent_client(second.respondents.get(side="international"))
    client.post("/respond/start/", {"language": "en"})
    response = client.post("/respond/page/1/", {f"followup_{commitment.pk}_happened": "certainly"})
    assert response.status_code == 400
    assert not FollowUpAnswer.objects.exists()


def test_commitments_closed_and_already_followed_up_are_not_asked_again(world):
    first = _first_round(world)
    dropped = agreed_commitment(world, first, title="Dropped one")
    still_open = agreed_commitment(world, first, title="Still open")
    services.commitment_amend(actor=world.intl_editor, commitment=dropped, reason="x", drop=True)
    services.commitment_accept(actor=world.local_editor, commitment=dropped)
    second = released_round(world, {"international": [{}], "local": [{}]}, title="Second")
    assert FollowUp.objects.filter(round=second).count() == 2
    third = make_round(world, title="Third check")
    assert list(FollowUp.objects.filter(round=third).values_list("commitment", flat=True)) == [
        still_open.pk
    ]


def test_partner_feedback_rounds_have_no_follow_up_page(world):
    first = _first_round(world)
    agreed_commitment(world, first)
    pooled = make_pooled_round(world)
    assert not FollowUp.objects.filter(round=pooled).exists()
    respondent = pooled.respondents.first()
    submit_answers(respondent, {})
    assert not FollowUpAnswer.objects.exists()


def test_the_round_that_made_a_commitment_lists_it(world):
    first = _first_round(world)
    agreed_commitment(world, first, title="Joint field visits")
    page = world.client_for(world.local_viewer).get(reverse("round_results", args=[first.pk]))
    text = page.content.decode()
    assert "Commitments after this round" in text
    assert "Joint field visits" in text
    # Viewers read; they are not offered to propose.
    assert reverse("commitment_propose", args=[first.pk]) not in text
