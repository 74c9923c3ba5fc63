"""Who counts in the benchmark: organisations whose partner feedback came from enough real
partner organisations. Sock-puppet peers with made-up rounds must not make the benchmark show,
since with exact enough figures its median is one real peer's score."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import get_language

from counterpart.insights import peers
from counterpart.insights.selectors import _benchmark_rounds, benchmark
from counterpart.organisations.models import Organisation, Role
from counterpart.partnerships.models import PartyRole, Side, Stage
from counterpart.partnerships.services import partnership_propose, proposal_decline

from .conftest import add_member, make_user
from .peer_feedback import (
    benchmark_section,
    feedback_round,
    local_partners,
    organisation_with_admin,
    partner_up,
    real_peer,
    respect_row,
    stored_round,
)

# Two at each end of the scale: with the one real peer in the middle, the median of five is
# that peer's score.
PUPPET_VALUES = ("1", "1", "5", "5")


@pytest.fixture
def attack(world):
    """The international organisation shares and has a round of its own that counts; one real
    peer (scored 75 on mutual respect by its partners) shares too."""
    world.intl.share_in_benchmark = True
    world.intl.save()
    ours = [(world.local, world.local_admin), *local_partners(2, "Our partner")]
    for partner, admin in ours[1:]:
        partner_up(world.intl, world.intl_admin, partner, admin)
    feedback_round(world.intl, world.intl_editor, [p for p, _admin in ours], "3")
    real_peer("Victim Relief", "4", local_partners(3, "Victim's partner"))
    return world


def _seen(world):
    return benchmark(world.intl, get_language())


def _assert_hidden(world):
    result = _seen(world)
    assert result.has_own
    assert result.contributors == 1, result.contributors
    assert not result.shown and result.rows == []
    html = benchmark_section(world.client_for(world.intl_admin), world.intl)
    assert "1 other organisation shares its results so far" in html
    assert "Median" not in html and "Mutual respect" not in html


# --- The ways a puppet's round can be made up; each gives four puppets ------------------------


_puppets = itertools.count()


def _puppet(n):
    """A self-registered organisation that shares, with an admin of its own."""
    return organisation_with_admin(f"Puppet {n} ({next(_puppets)})")


def _no_partner_organisation(world):
    """Rounds whose people were asked for no organisation (as before the threshold counted
    partner organisations)."""
    for n, value in enumerate(PUPPET_VALUES):
        puppet, _admin = _puppet(n)
        stored_round(puppet, value, [None, None, None])


def _strangers(world):
    """Rounds answered by people of self-registered organisations with no partnership."""
    strangers = [org for org, _admin in local_partners(3, "Stranger")]
    for n, value in enumerate(PUPPET_VALUES):
        puppet, _admin = _puppet(n)
        stored_round(puppet, value, strangers)


def _proposals_not_accepted(world):
    """Partnerships proposed to three organisations, never accepted (or declined)."""
    asked = local_partners(3, "Asked")
    for n, value in enumerate(PUPPET_VALUES):
        puppet, admin = _puppet(n)
        for partner, partner_admin in asked:
            partnership = partnership_propose(
                actor=admin,
                organisation=puppet,
                side=Side.INTERNATIONAL,
                role=PartyRole.FUNDING,
                partner=partner,
                partner_side=Side.LOCAL,
                partner_role=PartyRole.IMPLEMENTING,
                stage=Stage.EXPLORING,
                title=f"{puppet.name} and {partner.name}",
            )
            if partner.name.endswith("0"):
                proposal_decline(actor=partner_admin, proposal=partnership.proposals.get())
        stored_round(puppet, value, [p for p, _admin in asked])


def _too_few_partner_organisations(world):
    """Accepted partnerships, but only two partner organisations answered, with three people
    each: six responses, which once met a threshold of three."""
    two = local_partners(2, "Only partner")
    for n, value in enumerate(PUPPET_VALUES):
        puppet, admin = _puppet(n)
        for partner, partner_admin in two:
            partner_up(puppet, admin, partner, partner_admin)
        stored_round(puppet, value, [p for p, _admin in two], people_each=3)


def _fronts():
    """Mallory, and three front organisations that Mallory administers."""
    mallory = make_user("mallory@example.net", "Mallory")
    fronts = []
    for n in range(3):
        front, _admin = organisation_with_admin(f"Front {n}", share=False)
        add_member(front, mallory, Role.ADMIN)
        fronts.append(front)
    return mallory, fronts


def _partners_run_by_the_same_people(world):
    """Accepted partnerships with three partner organisations, all run by the person who runs
    the puppets."""
    mallory, partners = _fronts()
    for n, value in enumerate(PUPPET_VALUES):
        puppet, _admin = _puppet(n)
        add_member(puppet, mallory, Role.ADMIN)
        for partner in partners:
            partner_up(puppet, mallory, partner, mallory)
        stored_round(puppet, value, partners)


def _peers_run_by_our_people(world):
    """Puppets with real-looking partners, but one of our own people is in each puppet."""
    partners = local_partners(3, "Far partner")
    for n, value in enumerate(PUPPET_VALUES):
        puppet, admin = _puppet(n)
        add_member(puppet, world.intl_viewer, Role.VIEWER)
        for partner, partner_admin in partners:
            partner_up(puppet, admin, partner, partner_admin)
        stored_round(puppet, value, [p for p, _admin in partners])


def _partners_run_by_our_people(world):
    """Puppets whose three partner organisations each have one of our own people."""
    partners = local_partners(3, "Near partner")
    for partner, _admin in partners:
        add_member(partner, world.intl_admin, Role.ADMIN)
    for n, value in enumerate(PUPPET_VALUES):
        puppet, admin = _puppet(n)
        for partner, partner_admin in partners:
            partner_up(puppet, admin, partner, partner_admin)
        stored_round(puppet, value, [p for p, _admin in partners])


def _no_admin(world):
    """Puppets with real partners but no admin: nobody answers for the organisation."""
    partners = local_partners(3, "Kept partner")
    for n, value in enumerate(PUPPET_VALUES):
        puppet, admin = _puppet(n)
        for partner, partner_admin in partners:
            partner_up(puppet, admin, partner, partner_admin)
        stored_round(puppet, value, [p for p, _admin in partners])
        puppet.memberships.filter(user=admin).update(role=Role.EDITOR)


MADE_UP = [
    _no_partner_organisation,
    _strangers,
    _proposals_not_accepted,
    _too_few_partner_organisations,
    _partners_run_by_the_same_people,
    _peers_run_by_our_people,
    _partners_run_by_our_people,
    _no_admin,
]


@pytest.mark.parametrize("make_puppets", MADE_UP, ids=[f.__name__.strip("_") for f in MADE_UP])
def test_sock_puppets_do_not_reveal_a_real_peers_score(attack, make_puppets):
    make_puppets(attack)
    _assert_hidden(attack)


def test_puppets_that_ran_their_rounds_through_counterpart_are_not_counted(attack):
    """The whole attack as one person can play it: four puppets propose partnerships to three
    front organisations, accept them as the fronts' admin, ask three made-up colleagues,
    answer, and release. The rounds are released, but none counts."""
    mallory, fronts = _fronts()
    for n, value in enumerate(PUPPET_VALUES):
        puppet, _admin = _puppet(n)
        add_member(puppet, mallory, Role.ADMIN)
        for front in fronts:
            partner_up(puppet, mallory, front, mallory)
        assert feedback_round(puppet, mallory, fronts, value).state == "released"
    _assert_hidden(attack)


# --- Organisations that qualify are counted ---------------------------------------------------


def test_real_peers_are_counted_and_puppets_do_not_move_the_quartiles(attack):
    shared = local_partners(3, "Common partner")
    for n, value in enumerate("1235"):  # with the victim's 4: 0, 25, 50, 75, 100
        real_peer(f"Real peer {n}", value, shared)
    _partners_run_by_the_same_people(attack)
    _no_partner_organisation(attack)
    result = _seen(attack)
    assert result.contributors == 5 and result.shown
    html = benchmark_section(attack.client_for(attack.intl_viewer), attack.intl)
    # Ours is 50: the median of the five real peers, not of the nine organisations that share.
    assert "<td>50</td><td>25</td><td>50</td><td>75</td><td>Above the median</td>" in (
        respect_row(html)
    )


def test_a_round_counts_only_once_as_many_partner_organisations_as_its_threshold_answered(world):
    world.intl.share_in_benchmark = True
    world.intl.save()
    peer, admin = organisation_with_admin("Careful peer")
    partners = local_partners(5, "Partner of the careful peer")
    for partner, partner_admin in partners:
        partner_up(peer, admin, partner, partner_admin)
    organisations = [p for p, _admin in partners]
    stored_round(peer, "3", organisations[:4], threshold=5, people_each=2)
    assert _seen(world).contributors == 0
    stored_round(peer, "3", organisations, threshold=5)
    assert _seen(world).contributors == 1


def test_a_peer_counts_with_its_latest_round_that_counts(attack):
    peer, admin = organisation_with_admin("Changing peer")
    partners = local_partners(3, "Partner of the changing peer")
    for partner, partner_admin in partners:
        partner_up(peer, admin, partner, partner_admin)
    organisations = [p for p, _admin in partners]
    stored_round(peer, "1", organisations)
    stored_round(peer, "2", organisations)
    stored_round(peer, "5", organisations[:1], people_each=3)  # the newest: one partner only
    counted = _benchmark_rounds(attack.intl)
    assert set(counted) == {
        attack.intl.pk,
        peer.pk,
        Organisation.objects.get(name="Victim Relief").pk,
    }
    assert counted[peer.pk] == {"respect": {"local": [75.0, 3]}}  # 25 points, three times


def test_a_partner_that_leaves_no_longer_vouches_for_the_round(attack):
    from counterpart.partnerships.services import party_leave

    peer, admin = organisation_with_admin("Left peer")
    partners = local_partners(3, "Partner that may leave")
    parties = [partner_up(peer, admin, p, a).parties.get(organisation=p) for p, a in partners]
    stored_round(peer, "2", [p for p, _admin in partners])
    assert _seen(attack).contributors == 2
    party_leave(actor=partners[0][1], party=parties[0])
    assert _seen(attack).contributors == 1


def test_our_own_round_must_count_too(world):
    world.intl.share_in_benchmark = True
    world.intl.save()
    stored_round(world.intl, "4", [None, None, None])
    shared = local_partners(3, "Common partner")
    for n, value in enumerate("12345"):
        real_peer(f"Real peer {n}", value, shared)
    result = _seen(world)
    assert result.contributors == 5 and not result.has_own and not result.shown
    html = benchmark_section(world.client_for(world.intl_viewer), world.intl)
    assert "needs a partner feedback round of ours with released results" in html
    assert "Median" not in html


def test_the_benchmark_reads_the_same_number_of_queries_whatever_the_number_of_peers(attack):
    def counted():
        with CaptureQueriesContext(connection) as queries:
            _seen(attack)
        return len(queries)

    shared = local_partners(3, "Common partner")
    for n in range(4):
        real_peer(f"Real peer {n}", "2", shared)
    before = counted()
    for n in range(4, 8):
        real_peer(f"Real peer {n}", "3", shared)
    _partners_run_by_the_same_people(attack)
    assert _seen(attack).contributors == 9
    assert counted() == before


# --- The rule itself, without a database --------------------------------------------------------


def test_the_rule_counts_partner_organisations_not_people():
    relations = peers.Relations(
        partners={1: {10, 11, 12, 13}},
        members={1: {100}, 10: {110}, 11: {111}, 12: {112, 100}, 13: {113}, 2: {200}},
    )
    round_ = peers.FeedbackRound(7, 1, 3, frozenset({10, 11, 12, 14}))
    # 12 shares a member with the organisation assessed; 14 is not a partner.
    assert peers.vouching_partners(round_, relations, viewer_id=2) == {10, 11}
    assert not peers.round_counts(round_, relations, 2, minimum=3)
    more = peers.FeedbackRound(7, 1, 3, frozenset({10, 11, 13}))
    assert peers.round_counts(more, relations, 2, minimum=3)
    # Never below the smallest threshold allowed, whatever the round says.
    low = peers.FeedbackRound(8, 1, 2, frozenset({10, 11}))
    assert not peers.round_counts(low, relations, 2, minimum=3)
    # The organisation looking cannot vouch, nor can its people.
    relations.members[13] = {113, 200}
    assert not peers.round_counts(more, relations, 2, minimum=3)


def test_the_rule_takes_each_organisations_latest_round_that_counts():
    relations = peers.Relations(partners={1: {10, 11, 12}, 3: {10, 11, 12}})
    rounds = [
        peers.FeedbackRound(9, 1, 3, frozenset({10})),
        peers.FeedbackRound(8, 1, 3, frozenset({10, 11, 12})),
        peers.FeedbackRound(7, 1, 3, frozenset({10, 11, 12})),
        peers.FeedbackRound(6, 3, 3, frozenset({10, 11, 12})),
    ]
    assert peers.latest_counted(rounds, relations, 2, 3) == {1: 8, 3: 6}
    relations.members = {3: {300}, 2: {300}}
    assert peers.latest_counted(rounds, relations, 2, 3) == {1: 8}
