"""The opt-in benchmark: where an organisation's partner feedback stands among peers."""

from counterpart.insights.models import RoundSummary

from .peer_feedback import (
    benchmark_section,
    feedback_round,
    local_partners,
    partner_up,
    real_peer,
    respect_row,
)


def _own_round(world, value):
    """A released partner feedback round of the international organisation, answered by its
    partner in the world's partnership and by two more local partners."""
    partners = [(world.local, world.local_admin), *local_partners(2, "Our partner")]
    for partner, admin in partners[1:]:
        partner_up(world.intl, world.intl_admin, partner, admin)
    return feedback_round(world.intl, world.intl_editor, [p for p, _admin in partners], value)


def _peers(count, values, share=True):
    partners = local_partners(3, f"Partner of {'sharing' if share else 'private'} peers")
    return [
        real_peer(f"Peer {n} {'sharing' if share else 'private'}", values[n], partners, share=share)
        for n in range(count)
    ]


def _benchmark(world):
    return benchmark_section(world.client_for(world.intl_viewer), world.intl)


def _share(organisation):
    organisation.share_in_benchmark = True
    organisation.save()


def test_an_organisation_that_does_not_share_sees_no_comparison(world):
    _peers(5, "12345")
    _own_round(world, "4")
    html = _benchmark(world)
    assert "does not share its partner feedback results" in html
    assert "Median" not in html


def test_fewer_than_five_sharing_organisations_show_only_their_number(world):
    _share(world.intl)
    _own_round(world, "4")
    _peers(3, "123")
    _peers(2, "45", share=False)
    html = _benchmark(world)
    assert "3 other organisations share their results so far" in html
    assert "answered by people from enough partner organisations count" in html
    assert "Median" not in html


def test_five_other_sharing_organisations_give_quartiles_and_a_standing(world):
    _share(world.intl)
    _own_round(world, "4")  # 75
    _peers(5, "12345")  # 0, 25, 50, 75, 100
    assert RoundSummary.objects.filter(kind="pooled").count() == 6
    html = _benchmark(world)
    row = respect_row(html)
    # Peers 0, 25, 50, 75, 100: quartiles 25, 50, 75; ours is 75, the upper quartile.
    assert row.count("<td>") == 5
    assert "<td>75</td><td>25</td><td>50</td><td>75</td><td>Top quarter</td>" in row
    assert "Peer 0" not in html and "Peer 3" not in html
    # Elements with fewer than five organisations' scores are left out.
    assert "Transparency" not in html
