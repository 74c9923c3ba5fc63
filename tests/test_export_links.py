"""The pages say where to download their data: the results page (responses and results), a
partnership's commitments, an organisation's page (all its commitments), the concerns list for
those who handle concerns, and the flow list (with its filters)."""

import re

from django.urls import reverse

from counterpart.partnerships.models import Side

from .conftest import agreed_commitment, raise_concern, record_flow, released_round

ANSWERS = {
    Side.INTERNATIONAL: [{"respect_advice_intl": "5"}],
    Side.LOCAL: [{"respect_advice_local": "2"}],
}


def _page(world, user, url):
    response = world.client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _downloads(html):
    """The links to files on a page, and no inline style or script anywhere near them."""
    assert not re.search(r"<[^>]+\sstyle=", html) and "<script>" not in html
    return re.findall(r'href="([^"]+\.(?:xlsx|csv)[^"]*)" download', html)


def test_the_results_page_offers_the_responses_and_results(world):
    round_ = released_round(world, ANSWERS, privacy="named")
    url = reverse("round_results", args=[round_.pk])
    html = _page(world, world.local_viewer, url)
    assert _downloads(html) == [
        f"/rounds/{round_.pk}/responses.xlsx",
        f"/rounds/{round_.pk}/responses.csv",
        f"/rounds/{round_.pk}/results.xlsx",
        f"/rounds/{round_.pk}/results.csv",
    ]
    assert "The files name each person, as this page does." in html
    html = _page(world, world.local_viewer, url + "?lang=fr")
    assert f"/rounds/{round_.pk}/results.csv?lang=fr" in _downloads(html)


def test_the_results_page_says_what_a_conversation_round_leaves_out(world):
    round_ = released_round(world, ANSWERS, conversation_mode=True)
    html = _page(world, world.intl_viewer, reverse("round_results", args=[round_.pk]))
    assert "the results file has no score, count or gap" in html
    assert "never the person" in html


def test_commitments_concerns_flows_and_the_organisation_page(world):
    agreed_commitment(world, released_round(world, ANSWERS))
    html = _page(
        world, world.local_viewer, reverse("partnership_commitments", args=[world.partnership.pk])
    )
    assert _downloads(html) == [
        f"/partnerships/{world.partnership.pk}/commitments.xlsx",
        f"/partnerships/{world.partnership.pk}/commitments.csv",
    ]
    html = _page(world, world.intl_viewer, reverse("organisation_detail", args=[world.intl.pk]))
    assert _downloads(html) == [
        f"/organisations/{world.intl.pk}/commitments.xlsx",
        f"/organisations/{world.intl.pk}/commitments.csv",
    ]
    raise_concern(world)
    html = _page(world, world.intl_admin, reverse("concern_list", args=[world.intl.pk]))
    assert _downloads(html) == [
        f"/organisations/{world.intl.pk}/concerns.xlsx",
        f"/organisations/{world.intl.pk}/concerns.csv",
    ]
    record_flow(world, "2025-03-01", "1000")
    flows = reverse("flow_list", args=[world.intl.pk])
    html = _page(world, world.intl_viewer, flows)
    assert _downloads(html) == [
        f"/organisations/{world.intl.pk}/funding/flows.xlsx",
        f"/organisations/{world.intl.pk}/funding/flows.csv",
    ]
    html = _page(world, world.intl_viewer, flows + "?q=Part&source=manual")
    assert _downloads(html)[1] == (
        f"/organisations/{world.intl.pk}/funding/flows.csv?q=Part&amp;source=manual"
    )
    assert "Download the flows found:" in html
