"""The forms that create something and carry a one-time key, each with what a person sends
and how to count what it stored: shared by the tests of forms sent twice."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from counterpart.api.models import ApiToken
from counterpart.assessments.models import Round
from counterpart.commitments.models import Commitment, Update
from counterpart.concerns.models import Concern
from counterpart.funding.models import Flow
from counterpart.partnerships.models import Partnership, PartyProposal

from .conftest import (
    FLOW_FORM,
    add_member,
    agreed_commitment,
    builtin_version,
    make_org,
    make_user,
    open_intake,
    released_round,
)

KEY = re.compile(r'name="submission_key" value="([A-Za-z0-9_-]+)"')
ALREADY = "This was already sent; it was stored once."


def key_in(page: str) -> str:
    return KEY.search(page).group(1)


@dataclass
class Form:
    """One creating form, ready to be sent in a world: its address, who sends it (None: nobody
    signed in), what is sent and what it stores."""

    name: str
    url: str
    sender: Any
    data: dict
    model: Any
    redirects: bool = True  # False: the answer is a page (the private code, the token's key)
    other_sender: Any = None  # someone else allowed to send the same form
    page: str = ""  # where the form is shown, when not at its own address

    def __post_init__(self):
        self.page = self.page or self.url

    def stored(self):
        return self.model.objects.count()


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def concern_raise(world):
    return Form(
        "concern_raise",
        reverse("concern_raise", args=[world.partnership.pk]),
        world.local_editor,
        {
            "category": "funding",
            "description": "Our transport budget line was cut without asking us.",
            "reply_by": "app",
            "contact": "",
        },
        Concern,
        other_sender=world.local_viewer,
    )


def concern_intake(world):
    chosen = open_intake(world)
    return Form(
        "concern_intake",
        reverse("concern_intake", args=[chosen.intake_key]),
        None,
        {
            "category": "respect",
            "description": "We were told not to speak in the coordination meeting.",
            "reply_by": "app",
            "contact": "",
        },
        Concern,
        redirects=False,
    )


def commitment_propose(world):
    round_ = released_round(
        world, {"international": [{"transparency_budget_intl": "5"}], "local": [{}]}
    )
    return Form(
        "commitment_propose",
        reverse("commitment_propose", args=[round_.pk]),
        world.local_editor,
        {
            "title": "Partners see budget revisions first",
            "topic": "transparency",
            "owner_side": "international",
            "owner": str(world.intl_admin.pk),
            "due_on": _today(45),
            "evidence_expected": "Signed revision notes.",
        },
        Commitment,
        other_sender=world.local_admin,
    )


def commitment_report(world):
    round_ = released_round(world, {"international": [{}], "local": [{}]})
    commitment = agreed_commitment(world, round_)
    return Form(
        "commitment_report",
        reverse("commitment_report", args=[commitment.pk]),
        world.intl_editor,
        {"note": "The first revision was shared with the partner.", "link": ""},
        Update,
        other_sender=world.intl_admin,
        page=reverse("commitment_detail", args=[commitment.pk]),
    )


def partnership_create(world):
    return Form(
        "partnership_create",
        reverse("partnership_create"),
        world.intl_editor,
        {
            "title": "Cash for shelter",
            "description": "",
            "countries": ["KE"],
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "stage": "agreement",
            "organisation": world.intl.pk,
            "side": "international",
            "role": "funding",
            "partner": "Camp Youth Network",
            "partner_role": "implementing",
        },
        Partnership,
        other_sender=world.intl_admin,
    )


def party_propose(world):
    third = make_org("Third Camp Group", country="KE", kind="cbo")
    add_member(third, make_user("third@example.org", "Third Admin"), "admin")
    return Form(
        "party_propose",
        reverse("party_add", args=[world.partnership.pk]),
        world.local_editor,
        {"organisation": "Third Camp Group", "side": "local", "role": "co_implementing"},
        PartyProposal,
        other_sender=world.local_admin,
    )


def round_create(world):
    return Form(
        "round_create",
        reverse("round_create", args=[world.partnership.pk]),
        world.local_editor,
        {
            "title": "Mid-term check",
            "stage": "implementation",
            "framework_version": builtin_version().pk,
            "opens_on": _today(),
            "closes_on": _today(10),
            "privacy": "named",
        },
        Round,
        other_sender=world.local_admin,
    )


def round_create_pooled(world):
    return Form(
        "round_create_pooled",
        reverse("round_create_pooled", args=[world.intl.pk]),
        world.intl_editor,
        {
            "title": "Partner feedback",
            "framework_version": builtin_version().pk,
            "opens_on": _today(),
            "closes_on": _today(20),
            "threshold": "3",
        },
        Round,
        other_sender=world.intl_admin,
    )


def flow_create(world):
    return Form(
        "flow_create",
        f"/organisations/{world.intl.pk}/funding/flows/new/",
        world.intl_editor,
        FLOW_FORM,
        Flow,
        other_sender=world.intl_admin,
    )


def api_token_create(world):
    return Form(
        "api_token_create",
        reverse("api_tokens"),
        world.intl_editor,
        {"name": "Monthly report"},
        ApiToken,
        redirects=False,
        other_sender=world.intl_admin,
    )


FORMS = [
    concern_raise,
    concern_intake,
    commitment_propose,
    commitment_report,
    partnership_create,
    party_propose,
    round_create,
    round_create_pooled,
    flow_create,
    api_token_create,
]
