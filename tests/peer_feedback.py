"""Organisations for the benchmark: sharing organisations whose partner feedback comes from
real partner organisations, and made-up rounds that must not count."""

import datetime

from django.urls import reverse
from django.utils import timezone

from counterpart.assessments.models import Respondent, Round, RoundKind, RoundState
from counterpart.insights.models import RoundSummary
from counterpart.insights.scoring import AGREEMENT_POINTS
from counterpart.organisations.models import OrganisationKind, Role
from counterpart.partnerships.models import PartyRole, Side, Stage

from .conftest import (
    add_member,
    builtin_version,
    make_org,
    make_partnership,
    make_user,
    pooled_round_of,
    sending,
    submit_answers,
)


def organisation_with_admin(name, *, share=True, kind=OrganisationKind.INTERNATIONAL_NGO):
    """An organisation whose first person is its admin. Returns (organisation, admin)."""
    organisation = make_org(name, kind=kind, share_in_benchmark=share)
    slug = "".join(c for c in name.lower() if c.isalnum())
    admin = make_user(f"admin@{slug}.example.org", f"{name} Admin")
    add_member(organisation, admin, Role.ADMIN)
    return organisation, admin


def local_partners(count, prefix="Local partner"):
    """`count` local organisations, each with an admin of its own. Returns [(org, admin)]."""
    return [
        organisation_with_admin(f"{prefix} {n}", share=False, kind=OrganisationKind.NATIONAL_NGO)
        for n in range(count)
    ]


def partner_up(organisation, admin, partner, partner_admin):
    """A partnership proposed by `organisation` (international side) and accepted by the
    partner's admin."""
    return make_partnership(
        accepted_by=partner_admin,
        actor=admin,
        organisation=organisation,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=partner,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=Stage.IMPLEMENTATION,
        title=f"{organisation.name} with {partner.name}",
        countries=["KE"],
    )


def feedback_round(organisation, actor, partners, value, *, threshold=3):
    """A partner feedback round of `organisation`, answered by one person of each partner
    organisation with `value` (1–5) on mutual respect, then closed (and so released once
    enough partner organisations answered)."""
    from counterpart.assessments import services

    round_ = pooled_round_of(organisation, actor, threshold=threshold)
    for n, partner in enumerate(partners):
        services.respondent_add(
            actor=actor,
            round_=round_,
            side=Side.LOCAL,
            email=f"person{n}@partner{partner.pk}.example.org",
            organisation=partner,
        )
    with sending():
        services.round_open(actor=actor, round_=round_)
    for respondent in round_.respondents.all():
        submit_answers(respondent, {"respect_advice_local": value, "voice_design_local": "3"})
    services.round_close(actor=actor, round_=round_)
    round_.refresh_from_db()
    return round_


def real_peer(name, value, partners, *, share=True):
    """An organisation (sharing, unless told) with an admin, accepted partnerships with
    `partners` ([(org, admin)]) and a released round they answered with `value`."""
    organisation, admin = organisation_with_admin(name, share=share)
    for partner, partner_admin in partners:
        partner_up(organisation, admin, partner, partner_admin)
    round_ = feedback_round(organisation, admin, [p for p, _admin in partners], value)
    assert round_.state == RoundState.RELEASED
    return organisation


def stored_round(organisation, value, answered_by, *, threshold=3, people_each=1):
    """A released partner feedback round as it stands in the database, however it got there
    (made up, or from before the benchmark's rules): people of `answered_by` (organisations, or
    None for a person asked for no organisation) used their links, and every answer gave
    `value` (1–5) on mutual respect."""
    now = timezone.now()
    round_ = Round.objects.create(
        kind=RoundKind.POOLED,
        organisation=organisation,
        title="Partner feedback",
        framework_version=builtin_version(),
        opens_on=now.date() - datetime.timedelta(days=14),
        closes_on=now.date() - datetime.timedelta(days=1),
        closes_at=now - datetime.timedelta(days=1),
        privacy="anonymous",
        threshold=threshold,
        state=RoundState.RELEASED,
        released_at=now,
    )
    people = 0
    for answering in answered_by:
        for _n in range(people_each):
            people += 1
            Respondent.objects.create(
                round=round_,
                side=Side.LOCAL,
                email=f"person{people}@round{round_.pk}.example.org",
                organisation=answering,
                used=True,
            )
    RoundSummary.objects.create(
        round=round_,
        organisation=organisation,
        kind=RoundKind.POOLED,
        released_at=now,
        elements={"respect": {"local": [AGREEMENT_POINTS[value] * people, people]}},
        asked={"international": 0, "local": people},
        answered={"international": 0, "local": people},
        asked_total=people,
        answered_total=people,
    )
    return round_


def benchmark_section(client, organisation):
    """The benchmark section of the organisation's portfolio page, as the client's person
    sees it."""
    page = client.get(reverse("portfolio", args=[organisation.pk]))
    html = page.content.decode()
    return html[html.index('id="benchmark"') :]


def respect_row(html):
    """The cells of the mutual respect row of a shown benchmark."""
    row = html[html.index('<th scope="row">Mutual respect</th>') :]
    return row[: row.index("</tr>")]
