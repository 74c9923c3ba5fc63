"""The scores kept when a round is released, which the portfolio and benchmark read."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from counterpart.assessments import services
from counterpart.insights.models import RoundSummary
from counterpart.insights.services import summary_store
from counterpart.partnerships.models import Side

from .conftest import (
    answer_everything,
    make_pooled_round,
    make_round,
    released_round,
    respondent_client,
)


def test_release_keeps_each_sides_points_answers_and_people(world):
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [{"respect_advice_intl": "5", "respect_time_intl": "4"}],
            Side.LOCAL: [{"respect_advice_local": "2"}, {"respect_advice_local": "dont_know"}],
        },
    )
    summary = RoundSummary.objects.get(round=round_)
    assert summary.partnership == world.partnership
    assert summary.elements["respect"] == {"international": [175.0, 2], "local": [25.0, 1]}
    assert summary.elements["voice"] == {}  # asked, and nobody answered it
    assert summary.asked == {"international": 1, "local": 2}
    assert summary.answered == {"international": 1, "local": 2}
    assert summary.largest_gap == pytest.approx(62.5)
    assert summary.foundations["trust"]["international"] == [175.0, 2]


def test_no_scores_are_kept_for_a_sealed_round_or_one_below_its_threshold(world):
    open_round = make_round(world)
    with pytest.raises(ValidationError):
        summary_store(open_round)
    pooled = make_pooled_round(world, people=5, threshold=5)
    for respondent in list(pooled.respondents.all())[:4]:
        answer_everything(respondent_client(respondent), "2")
    services.round_close(actor=world.intl_editor, round_=pooled)
    assert not RoundSummary.objects.exists()


def test_the_scores_can_be_worked_out_again(world):
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [{"respect_advice_intl": "5"}],
            Side.LOCAL: [{"respect_advice_local": "1"}],
        },
    )
    RoundSummary.objects.all().delete()
    call_command("insights_refresh", verbosity=0)
    assert RoundSummary.objects.get(round=round_).largest_gap == 100
