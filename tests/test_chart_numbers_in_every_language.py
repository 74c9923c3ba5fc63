"""Chart coordinates are written with a dot in every language: a French or Arabic decimal comma
inside an SVG attribute would break the drawing."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from counterpart.partnerships.models import Side

from .conftest import released_round


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_results_and_trend_charts_keep_dots_in_their_numbers(world, language):
    answers = {
        Side.INTERNATIONAL: [{"respect_advice_intl": "5", "respect_time_intl": "4"}],
        Side.LOCAL: [{"respect_advice_local": "2"}],
    }
    released_round(world, answers, title="First check")
    round_ = released_round(world, answers, title="Second check")
    client = world.client_for(world.local_viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [
        client.get(reverse("round_results", args=[round_.pk])).content.decode(),
        client.get(reverse("partnership_trend", args=[world.partnership.pk])).content.decode(),
    ]
    for html in pages:
        assert f'lang="{language}"' in html and "<svg" in html
        for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
            numbers = re.findall(r'(?:x|y|x1|x2|y1|y2|cx|cy|width|points)="([^"]*)"', svg)
            assert numbers
            assert not [n for n in numbers if "," in n and " " not in n], numbers[:5]
            for points in re.findall(r'points="([^"]*)"', svg):
                for pair in points.split():
                    assert re.fullmatch(r"-?[0-9.]+,-?[0-9.]+", pair), pair
