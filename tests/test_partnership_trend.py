"""A partnership's elements and gaps over its released rounds."""

import datetime

from django.urls import reverse

from counterpart.insights.models import RoundSummary
from counterpart.partnerships.models import Side

from .conftest import released_round


def _released(world, international, local, days_ago, **fields):
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [{"respect_advice_intl": international}],
            Side.LOCAL: [{"respect_advice_local": local}],
        },
        **fields,
    )
    when = round_.released_at - datetime.timedelta(days=days_ago)
    RoundSummary.objects.filter(round=round_).update(released_at=when)
    return round_


def test_each_element_is_followed_round_by_round(world):
    _released(world, "5", "1", 400, title="First check")
    _released(world, "4", "3", 10, title="Second check")
    html = (
        world.client_for(world.local_viewer)
        .get(reverse("partnership_trend", args=[world.partnership.pk]))
        .content.decode()
    )
    section = html[html.index("<h2>Mutual respect</h2>") :]
    section = section[: section.index("</section>")]
    assert section.index("First check") < section.index("Second check")
    assert "<td>100</td><td>0</td><td>\u200e+100</td>" in section
    assert "<td>75</td><td>50</td><td>\u200e+25</td>" in section
    assert "<polyline" in section


def test_one_round_is_not_yet_a_trend_and_conversation_rounds_are_left_out(world):
    _released(world, "5", "1", 30, title="Only check")
    _released(world, "5", "5", 5, title="Talking round", conversation_mode=True)
    html = (
        world.client_for(world.intl_viewer)
        .get(reverse("partnership_trend", args=[world.partnership.pk]))
        .content.decode()
    )
    assert "A trend needs at least two rounds" in html
    assert "1 round in conversation mode is left out" in html
    assert "Talking round" not in html
