"""Which organisations the benchmark counts, decided from plain values.

An organisation's partner feedback counts in the benchmark only when it comes from partners
who exist apart from it: the round must have been answered by people from at least as many
partner organisations as its threshold (and never fewer than the smallest threshold allowed).
A partner organisation counts when it is in an accepted partnership with the organisation
assessed, and shares no member with it, nor with the organisation looking at the benchmark:
organisations run by the same people cannot vouch for each other. An organisation that shares
a member with the one looking is not counted among its peers either. See
docs/decisions/0013-benchmark-peers.md.

Nothing here reads the database: the selector gathers the rounds and the relations between
organisations, and these functions decide."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeedbackRound:
    """A released partner feedback round of a sharing organisation."""

    round_id: int
    organisation_id: int
    threshold: int
    # The organisations of the people who answered (read from who was asked and answered).
    answered_by: frozenset = frozenset()


@dataclass
class Relations:
    # organisation id -> the organisations in an accepted partnership with it, as its partners
    partners: dict = field(default_factory=dict)
    # organisation id -> the ids of its members
    members: dict = field(default_factory=dict)

    def share_a_member(self, one, other) -> bool:
        return bool(self.members.get(one, set()) & self.members.get(other, set()))


def vouching_partners(round_: FeedbackRound, relations: Relations, viewer_id) -> set:
    """The partner organisations whose answers make the round count, as seen by `viewer_id`."""
    assessed = round_.organisation_id
    partners = relations.partners.get(assessed, set())
    return {
        organisation
        for organisation in round_.answered_by
        if organisation in partners
        and organisation not in (assessed, viewer_id)
        and not relations.share_a_member(organisation, assessed)
        and not relations.share_a_member(organisation, viewer_id)
    }


def round_counts(round_: FeedbackRound, relations: Relations, viewer_id, minimum) -> bool:
    """Whether enough partner organisations vouch for the round: its own threshold, and never
    fewer than `minimum`."""
    needed = max(round_.threshold, minimum)
    return len(vouching_partners(round_, relations, viewer_id)) >= needed


def latest_counted(rounds, relations: Relations, viewer_id, minimum) -> dict:
    """{organisation id: round id} of each organisation's latest round that counts, among
    `rounds` given newest first for each organisation. The viewer is included (its own score is
    held to the same rule as its peers'); an organisation that shares a member with the viewer
    is left out."""
    chosen = {}
    for round_ in rounds:
        organisation = round_.organisation_id
        if organisation in chosen:
            continue
        if organisation != viewer_id and relations.share_a_member(organisation, viewer_id):
            continue
        if round_counts(round_, relations, viewer_id, minimum):
            chosen[organisation] = round_.round_id
    return chosen
