"""The opt-in benchmark: where an organisation's partner feedback stands among peers."""

from django.urls import reverse

from counterpart.insights.models import RoundSummary
from counterpart.organisations.models import Role

from .conftest import add_member, make_org, make_user, released_feedback_round


def _feedback(organisation, editor, value):
    answers = {"respect_advice_local": value, "voice_design_local": "3"}
    return released_feedback_round(organisation, editor, answers)


def _peers(count, values, share=True):
    for n in range(count):
        name = f"Peer {n} {'sharing' if share else 'private'}"
        organisation = make_org(name, share_in_benchmark=share)
        editor = make_user(f"editor{n}@{'sharing' if share else 'private'}.example.org")
        add_member(organisation, editor, Role.EDITOR)
        _feedback(organisation, editor, values[n])


def _benchmark(world):
    page = world.client_for(world.intl_viewer).get(reverse("portfolio", args=[world.intl.pk]))
    html = page.content.decode()
    return html[html.index('id="benchmark"') :]


def test_an_organisation_that_does_not_share_sees_no_comparison(world):
    _peers(5, "12345")
    _feedback(world.intl, world.intl_editor, "4")
    html = _benchmark(world)
    assert "does not share its partner feedback results" in html
    assert "Median" not in html


def test_fewer_than_five_sharing_organisations_show_only_their_number(world):
    world.intl.share_in_benchmark = True
    world.intl.save()
    _feedback(world.intl, world.intl_editor, "4")
    _peers(3, "123")
    _peers(2, "45", share=False)
    html = _benchmark(world)
    assert "3 other organisations share their results so far" in html
    assert "Median" not in html


def test_five_other_sharing_organisations_give_quartiles_and_a_standing(world):
    world.intl.share_in_benchmark = True
    world.intl.save()
    _feedback(world.intl, world.intl_editor, "4")  # 75
    _peers(5, "12345")  # 0, 25, 50, 75, 100
    assert RoundSummary.objects.filter(kind="pooled").count() == 6
    html = _benchmark(world)
    row = html[html.index('<th scope="row">Mutual respect</th>') :]
    row = row[: row.index("</tr>")]
    # Peers 0, 25, 50, 75, 100: quartiles 25, 50, 75; ours is 75, the upper quartile.
    assert row.count("<td>") == 5
    assert "<td>75</td><td>25</td><td>50</td><td>75</td><td>Top quarter</td>" in row
    assert "Peer 0" not in html and "Peer 3" not in html
    # Elements with fewer than five organisations' scores are left out.
    assert "Transparency" not in html
