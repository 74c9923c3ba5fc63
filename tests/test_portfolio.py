"""An organisation's portfolio: the heatmap of its partnerships, its filters and its lists."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counterpart.insights.models import RoundSummary
from counterpart.organisations.models import OrganisationKind, Role
from counterpart.partnerships.models import PartyRole, Side, Stage

from .conftest import add_member, make_org, make_partnership, released_round


def _partnership(world, title, partner_name, *, refugee_led=False, country="JO", stage=None):
    partner = make_org(
        partner_name,
        OrganisationKind.REFUGEE_LED if refugee_led else OrganisationKind.NATIONAL_NGO,
        country,
        refugee_led=refugee_led,
    )
    add_member(partner, world.local_editor, Role.EDITOR)
    add_member(partner, world.local_admin, Role.ADMIN)
    return make_partnership(
        accepted_by=world.local_admin,
        actor=world.intl_editor,
        organisation=world.intl,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=partner,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=stage or Stage.IMPLEMENTATION,
        title=title,
        countries=[country],
    )


def _answers(international, local):
    return {
        Side.INTERNATIONAL: [{"respect_advice_intl": international}],
        Side.LOCAL: [{"respect_advice_local": local}],
    }


def _portfolio(world, query="", user=None):
    client = world.client_for(user or world.intl_viewer)
    return client.get(reverse("portfolio", args=[world.intl.pk]) + query)


def _row(html, title):
    start = html.index(f">{title}</a>")
    return html[start : html.index("</tr>", start)]


def test_each_partnership_shows_its_latest_round_element_by_element(world):
    released_round(world, _answers("5", "1"))  # Youth protection in the camp: gap +100
    other = _partnership(world, "Shelter in Amman", "Amman Hosts")
    released_round(world, _answers("3", "4"), partnership=other)  # gap −25
    _partnership(world, "Never assessed", "Quiet Partner")
    html = _portfolio(world).content.decode()
    assert html.index("Youth protection in the camp") < html.index("Shelter in Amman")
    assert "+100" in _row(html, "Youth protection in the camp")
    assert "−25" in _row(html, "Shelter in Amman")
    assert "3 partnerships, 2 with results in the period." in html
    assert "100 % (4 responses from 4 people asked)" in html
    stale = html[html.index("Partnerships with no round in the last 12 months") :]
    assert "Never assessed" in stale and "never assessed" in stale
    assert "Shelter in Amman" not in stale
    own = _portfolio(world, "?view=own").content.decode()
    assert '<td class="band-4">100</td>' in _row(own, "Youth protection in the camp")
    theirs = _portfolio(world, "?view=partner").content.decode()
    assert '<td class="band-0">0</td>' in _row(theirs, "Youth protection in the camp")


def test_the_local_side_sees_its_own_view_as_its_own(world):
    released_round(world, _answers("5", "1"))
    client = world.client_for(world.local_viewer)
    html = client.get(reverse("portfolio", args=[world.local.pk]) + "?view=own").content.decode()
    assert '<td class="band-0">0</td>' in _row(html, "Youth protection in the camp")


def test_filters_by_country_stage_partner_kind_and_period(world):
    released_round(world, _answers("5", "1"))  # KE, refugee-led partner, co-design
    other = _partnership(world, "Shelter in Amman", "Amman Hosts", country="JO")
    released_round(world, _answers("3", "4"), partnership=other)
    for query, shown, hidden in (
        ("?country=JO", "Shelter in Amman", "Youth protection in the camp"),
        ("?stage=co_design", "Youth protection in the camp", "Shelter in Amman"),
        ("?partner=rlo", "Youth protection in the camp", "Shelter in Amman"),
        ("?partner=other", "Shelter in Amman", "Youth protection in the camp"),
    ):
        html = _portfolio(world, query).content.decode()
        table = html[html.index("<table") :]
        assert shown in table and hidden not in table, query
    RoundSummary.objects.filter(partnership=other).update(
        released_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    )
    recent = _portfolio(world).content.decode()
    assert "2 partnerships, 1 with results in the period." in recent
    in_2024 = _portfolio(world, "?period=2024").content.decode()
    assert "−25" in _row(in_2024, "Shelter in Amman")
    assert "+100" not in in_2024
    assert "2 partnerships, 2 with results" in _portfolio(world, "?period=all").content.decode()


def test_a_wrong_filter_value_is_named_and_the_rest_still_shows(world):
    released_round(world, _answers("5", "1"))
    response = _portfolio(world, "?country=XX&view=everything&page=-3")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert "Youth protection in the camp" in html


def test_conversation_rounds_show_no_numbers_in_the_portfolio(world):
    released_round(world, _answers("5", "1"), conversation_mode=True)
    html = _portfolio(world).content.decode()
    assert "+100" not in html
    assert "…" in _row(html, "Youth protection in the camp")


def test_the_query_count_does_not_grow_with_the_partnerships(world):
    released_round(world, _answers("5", "1"))
    counts = []
    for n in range(2):
        if n:
            for i in range(4):
                other = _partnership(world, f"Extra {i}", f"Extra Partner {i}")
                released_round(world, _answers("4", "2"), partnership=other)
        with CaptureQueriesContext(connection) as queries:
            assert _portfolio(world).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_another_organisation_sees_none_of_it(world):
    released_round(world, _answers("5", "1"))
    assert _portfolio(world, user=world.outsider).status_code == 404
    assert _portfolio(world, user=world.local_admin).status_code == 404


def test_each_partnership_shows_its_open_overdue_and_kept_commitments(world):
    from counterpart.commitments import services

    from .conftest import agreed_commitment, propose_commitment

    round_ = released_round(world, _answers("4", "2"))
    late = agreed_commitment(world, round_, title="Late one", days=1)
    kept = agreed_commitment(world, round_, title="Kept one")
    agreed_commitment(world, round_, title="Open one")
    propose_commitment(world, round_, title="Not agreed yet")
    services.commitment_report(actor=world.intl_editor, commitment=kept, done=True, note="x")
    services.commitment_confirm(actor=world.local_editor, commitment=kept)
    type(late).objects.filter(pk=late.pk).update(due_at=late.due_at - datetime.timedelta(days=5))
    html = _portfolio(world).content.decode()
    assert "2 open, of which 1 overdue; 1 kept" in html
    row = html[html.index(world.partnership.title) :].split("</tr>")[0]
    assert "2 open, 1 kept" in row
    assert "1 overdue" in row
