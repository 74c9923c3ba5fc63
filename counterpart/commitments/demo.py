"""Commitments in the demonstration: what Horizon and Kalobeyei Youth Bridges agreed after their
co-design check, each at a different point of its life — kept, kept late, dropped by agreement,
and one overdue — so that the mid-term round follows them up."""

from datetime import timedelta

from django.utils import timezone

from counterpart.partnerships.models import Side, other_side

from . import services


def load_commitments(round_, people, days_ago):
    """Commitments agreed after `round_`, which was released `days_ago` days ago."""
    david = people["david.intl-editor@horizon.example"]
    amina = people["amina.intl-admin@horizon.example"]
    grace = people["grace.local-editor@kalobeyei.example"]
    joseph = people["joseph.local-admin@kalobeyei.example"]
    start = timezone.now() - timedelta(days=days_ago - 7)

    def when(days):
        return start + timedelta(days=days)

    def agree(proposer, accepter, side, **terms):
        commitment = services.commitment_propose(
            actor=proposer, round_=round_, side=side, now=when(0), **terms
        )
        services.commitment_accept(
            actor=accepter, commitment=commitment, side=other_side(side), now=when(2)
        )
        return commitment

    budget = agree(
        grace,
        david,
        Side.LOCAL,
        title="Share every budget revision with Kalobeyei Youth Bridges before the donor sees it",
        element="transparency",
        question="transparency_budget",
        owner_side=Side.INTERNATIONAL,
        owner=amina,
        due_on=when(60).date(),
        evidence_expected="Each revision carries the partner's comments and the date they saw it.",
    )
    services.commitment_report(
        actor=amina,
        commitment=budget,
        note="Revisions 2 and 3 went to the partner a week before the donor.",
        link="https://example.org/horizon/kalobeyei/budget-revisions",
        now=when(30),
    )
    services.commitment_report(
        actor=david, commitment=budget, done=True, note="Revision 4 shared too.", now=when(50)
    )
    services.commitment_confirm(
        actor=joseph, commitment=budget, note="We saw all four in time.", now=when(55)
    )

    meetings = agree(
        david,
        grace,
        Side.INTERNATIONAL,
        title="Hold the quarterly planning meeting in Kalobeyei, with Arabic interpretation",
        element="voice",
        owner_side=Side.INTERNATIONAL,
        owner=david,
        due_on=when(120).date(),
        evidence_expected="Minutes of two meetings held in Kalobeyei.",
    )
    services.commitment_report(
        actor=david, commitment=meetings, done=True, note="Second meeting held.", now=when(150)
    )
    services.commitment_confirm(actor=grace, commitment=meetings, now=when(152))

    reports = agree(
        david,
        grace,
        Side.INTERNATIONAL,
        title="Co-sign every report to the donor",
        element="culture",
        owner_side=Side.INTERNATIONAL,
        owner=david,
        due_on=when(200).date(),
        evidence_expected="Both logos and signatures on the reports.",
    )
    services.commitment_amend(
        actor=david,
        commitment=reports,
        drop=True,
        reason="The donor now asks for one joint report a year, which we write together anyway.",
        now=when(90),
    )
    services.commitment_accept(actor=grace, commitment=reports, now=when(95))

    minutes = agree(
        david,
        joseph,
        Side.INTERNATIONAL,
        title="Publish the youth committee's decisions to all members within two weeks",
        element="learning",
        owner_side=Side.LOCAL,
        owner=grace,
        due_on=when(90).date(),
        evidence_expected="Decisions posted on the notice board and in the members' group.",
    )
    services.commitment_report(
        actor=grace,
        commitment=minutes,
        note="Notice board updated; the members' group is not set up yet.",
        now=when(70),
    )
